"""HTTP for `kg push` and remote queries: one request at a time over http.client, HTTP Basic or
Digest authentication (RFC 7616) computed here, and bounded retries on transient failures.

Why not urllib's HTTPDigestAuthHandler: it sends every request unauthenticated first, body
included; Virtuoso answers 401 and closes while a large body is still being sent (broken pipe,
docs/virtuoso.md). Here a bodiless HEAD fetches the challenge once per server, and every request,
large or small, carries its own Authorization header; a stale nonce gets one fresh challenge.

Credentials come from KG_SPARQL_USER / KG_SPARQL_PASSWORD (or a prompt, in the CLI), never from
a URL or argv, and no message, log line or exception built here holds the password or a header
derived from it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from kg.errors import EndpointError

USER_ENV = "KG_SPARQL_USER"
PASSWORD_ENV = "KG_SPARQL_PASSWORD"  # noqa: S105 - the name of a variable, not a password
CREDENTIALS_HINT = f"set {USER_ENV} and {PASSWORD_ENV}"
RETRY_STATUS = {500, 502, 503, 504}
REDIRECT_STATUS = {301, 302, 303, 307, 308}
CONNECT_TIMEOUT = 10.0  # seconds to open a connection
MAX_RESPONSE = 256 * 1024 * 1024  # bytes of one answer
# Virtuoso error classes that no retry can cure: syntax (37000), security (42000), data (22xxx),
# constraint (23000), and a transaction too big for its log (SR325).
PERMANENT_500 = re.compile(r"\b(?:37000|42000|22\d\d\d|23000|SR325)\b")


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)


def credentials_from_env(environ: Mapping[str, str] | None = None) -> Credentials | None:
    env = os.environ if environ is None else environ
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    return Credentials(user, password) if user and password is not None else None


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    reason: str = ""
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def message(self, limit: int = 300) -> str:
        """The first meaningful line of the body, tags stripped (servers answer in HTML), with
        any Authorization value or password it echoes hidden."""
        text = re.sub(r"<[^>]+>", " ", self.body[:4000].decode("utf-8", "replace"))
        for line in text.splitlines():
            if line.strip():
                return scrub(" ".join(line.split()), self.secrets)[:limit]
        return ""


_AUTHORIZATION = re.compile(
    r"(?i)\b((?:proxy-)?authorization)(\s*[:=]\s*)[^\r\n]*"
    r"|\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]{6,}"
    r"|\b(digest)\s+[a-z-]+=(?:\"[^\"]*\"|[^,\s]*)(?:\s*,\s*[a-z-]+=(?:\"[^\"]*\"|[^,\s]*))*"
)


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` without Authorization values, Basic/Bearer/Digest credentials or `secrets`."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "[hidden]")

    def hide(m: re.Match[str]) -> str:
        if m.group(1):
            return f"{m.group(1)}{m.group(2)}[hidden]"
        return f"{m.group(3) or m.group(4)} [hidden]"

    return _AUTHORIZATION.sub(hide, text)


def check_url(url: str, option: str = "--endpoint") -> None:
    """An http(s) URL without user:password@ (credentials never travel in a URL or argv)."""
    if not url.startswith(("http://", "https://")):
        raise EndpointError(
            f"{option} '{url[:200]}' is not an http(s) URL", "e.g. http://127.0.0.1:8890/sparql"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when out of range
    except ValueError as exc:
        raise EndpointError(
            f"{option} '{url[:200]}' is not a valid URL: {exc}", "e.g. http://127.0.0.1:8890/sparql"
        ) from None
    if "@" in (parts.netloc or ""):
        raise EndpointError(
            f"{option} holds credentials (user:password@host)",
            f"give the URL without them and {CREDENTIALS_HINT}",
        )
    if not parts.hostname:
        raise EndpointError(
            f"{option} '{url[:200]}' names no host", "e.g. http://127.0.0.1:8890/sparql"
        )


def parse_challenges(header: str) -> dict[str, dict[str, str]]:
    """{'digest': {...}, 'basic': {...}} from WWW-Authenticate (one or several challenges)."""
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    pattern = r'\s*([A-Za-z][\w-]*)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?\s*,?'
    for m in re.finditer(pattern, header):
        key, value = m.group(1), m.group(2)
        if value is None:  # a scheme name starts a new challenge
            current = out.setdefault(key.lower(), {})
        elif current is not None:
            current[key.lower()] = value[1:-1].replace('\\"', '"') if value[:1] == '"' else value
    return out


def _hash(algorithm: str) -> Callable[[str], str]:
    name = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}.get(algorithm)
    if name is None:
        raise EndpointError(f"the server asks for digest algorithm {algorithm}, not supported")
    return lambda text: hashlib.new(name, text.encode("utf-8")).hexdigest()


class Authenticator:
    """Authorization headers for one set of credentials, from the challenge of each server."""

    def __init__(self, credentials: Credentials | None) -> None:
        self.credentials = credentials
        self._challenges: dict[str, tuple[str, dict[str, str]]] = {}
        self._count: dict[str, int] = {}

    @staticmethod
    def _space(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"

    @staticmethod
    def cnonce() -> str:
        return secrets.token_hex(8)

    def known(self, url: str) -> bool:
        return self._space(url) in self._challenges

    def learn(self, url: str, header: str) -> bool:
        """Keep the challenge a 401 carried; False when there is none we can answer."""
        challenges = parse_challenges(header)
        for scheme in ("digest", "basic"):
            if scheme in challenges:
                self._challenges[self._space(url)] = (scheme, challenges[scheme])
                self._count[self._space(url)] = 0
                return True
        return False

    def header(self, method: str, url: str) -> str | None:
        found = self._challenges.get(self._space(url))
        if found is None or self.credentials is None:
            return None
        scheme, params = found
        user, password = self.credentials.user, self.credentials.password
        if scheme == "basic":
            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        parts = urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        algorithm = params.get("algorithm", "MD5").upper()
        h = _hash(algorithm.removesuffix("-SESS"))
        realm, nonce = params.get("realm", ""), params.get("nonce", "")
        cnonce = self.cnonce()
        self._count[self._space(url)] += 1
        nc = f"{self._count[self._space(url)]:08x}"
        ha1 = h(f"{user}:{realm}:{password}")
        if algorithm.endswith("-SESS"):
            ha1 = h(f"{ha1}:{nonce}:{cnonce}")
        ha2 = h(f"{method}:{uri}")
        qops = [q.strip() for q in params.get("qop", "").split(",") if q.strip()]
        fields = {"username": user, "realm": realm, "nonce": nonce, "uri": uri}
        if "auth" in qops:
            fields["response"] = h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        else:
            fields["response"] = h(f"{ha1}:{nonce}:{ha2}")
        if "opaque" in params:
            fields["opaque"] = params["opaque"]
        text = ", ".join(f'{k}="{v}"' for k, v in fields.items())
        text += f", algorithm={params.get('algorithm', 'MD5')}"
        if "auth" in qops:
            text += f', qop=auth, nc={nc}, cnonce="{cnonce}"'
        return "Digest " + text


class Http:
    """Requests with authentication and bounded retries; errors as one-line EndpointErrors."""

    def __init__(
        self,
        credentials: Credentials | None = None,
        timeout: float = 300.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float | None = None,
        max_response: int = MAX_RESPONSE,
    ) -> None:
        self.auth = Authenticator(credentials)
        self.timeout = timeout  # the total deadline of one request
        # Socket deadlines at or past the total one are left to it (one message, no race)
        self.connect_timeout = connect_timeout if connect_timeout < timeout else timeout + 1
        self.read_timeout = (  # each wait for bytes
            read_timeout if read_timeout is not None and read_timeout < timeout else timeout + 1
        )
        self.max_response = max_response
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.retried = 0  # transient failures met and retried, for the push summary

    def send(self, method: str, url: str, body: bytes, headers: Mapping[str, str]) -> Response:
        """One request as it is: no authentication, no retry, no redirect followed; within the
        connect, read and total deadlines, and at most max_response bytes of answer."""
        parts = urlsplit(url)
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = kind(parts.netloc, timeout=self.connect_timeout)
        expired = threading.Event()

        def cut() -> None:  # the total deadline: unblock whatever read or write is under way
            expired.set()
            if connection.sock is not None:
                with contextlib.suppress(OSError):
                    connection.sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self.timeout, cut)
        timer.daemon = True
        timer.start()
        try:
            connection.connect()
            connection.sock.settimeout(self.read_timeout)
            target = parts.path or "/"
            if parts.query:
                target += "?" + parts.query
            connection.request(method, target, body=body or None, headers=dict(headers))
            answer = connection.getresponse()
            data = self._read(answer, url, expired)
            found = {k.lower(): v for k, v in answer.getheaders()}
            return Response(answer.status, found, data, answer.reason, self.secrets)
        except (OSError, http.client.HTTPException):
            if expired.is_set():
                raise self.too_slow(url) from None
            raise
        finally:
            timer.cancel()
            connection.close()

    def _read(self, answer: http.client.HTTPResponse, url: str, expired: threading.Event) -> bytes:
        chunks, size = [], 0
        while chunk := answer.read(65536):
            size += len(chunk)
            if size > self.max_response:
                raise EndpointError(
                    f"{where(url)} sent more than {self.max_response} bytes; kg stopped reading",
                    "ask for less (LIMIT) or check that the URL is a SPARQL endpoint",
                )
            chunks.append(chunk)
        if expired.is_set():
            raise self.too_slow(url)
        return b"".join(chunks)

    def too_slow(self, url: str) -> EndpointError:
        return EndpointError(
            f"{where(url)} did not answer completely within {self.timeout:g} s",
            "check that the server is well and the URL right",
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """What no message may show: the password, and the forms it travels in."""
        c = self.auth.credentials
        if c is None or not c.password:
            return ()
        basic = base64.b64encode(f"{c.user}:{c.password}".encode()).decode("ascii")
        return (c.password, basic, quote(c.password, safe=""))

    def prime(self, url: str, again: bool = False) -> None:
        """Fetch the server's challenge with a bodiless HEAD, once (or `again`, after a 401)."""
        if self.auth.credentials is not None and (again or not self.auth.known(url)):
            probe = self.send("HEAD", url, b"", {})
            if probe.status == 401:
                self.auth.learn(url, probe.headers.get("www-authenticate", ""))

    def _attempt(self, method: str, url: str, body: bytes, headers: Mapping[str, str]) -> Response:
        """One request, authenticated: prime the challenge with HEAD, answer a stale nonce."""
        self.prime(url)
        for attempt in range(2):
            sent = dict(headers)
            authorization = self.auth.header(method, url)
            if authorization:
                sent["Authorization"] = authorization
            response = self.send(method, url, body, sent)
            if response.status != 401:
                return response
            challenge = response.headers.get("www-authenticate", "")
            stale = parse_challenges(challenge).get("digest", {}).get("stale", "").lower()
            if self.auth.credentials is None or not self.auth.learn(url, challenge):
                raise needs_credentials(url)
            if authorization and stale != "true" or attempt == 1:
                raise refused_credentials(url, self.auth.credentials)
        raise AssertionError("unreachable")

    def request(
        self,
        method: str,
        url: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        retry: bool = True,
    ) -> Response:
        """The response of the server (any status but 401 and redirects); transient failures
        (connection reset, timeout, 5xx) are retried `retries` times with a doubling backoff.
        A redirect is an error: following it could send the credentials, or take the answer of,
        a server the user did not name. Every message is scrubbed of credentials."""
        try:
            response = self._request(method, url, body, headers or {}, retry)
        except EndpointError as exc:
            raise EndpointError(
                scrub(exc.message, self.secrets), exc.hint and scrub(exc.hint, self.secrets)
            ) from None
        if response.status in REDIRECT_STATUS:
            raise redirected(url, response)
        return response

    def _request(
        self, method: str, url: str, body: bytes, headers: Mapping[str, str], retry: bool
    ) -> Response:
        tries = self.retries + 1 if retry else 1
        for attempt in range(tries):
            last = attempt == tries - 1
            try:
                response = self._attempt(method, url, body, headers)
            except ConnectionRefusedError as exc:
                raise unreachable(url, exc) from None
            except (OSError, http.client.HTTPException) as exc:
                if last:
                    raise unreachable(url, exc) from None
            else:
                if not (response.status in RETRY_STATUS and _transient(response)) or last:
                    return response
            self.retried += 1
            self.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")


def redirected(url: str, response: Response) -> EndpointError:
    location = scrub(urljoin(url, response.headers.get("location", "")), response.secrets)
    return EndpointError(
        f"{where(url)} redirected to {where(location)[:300]} (HTTP {response.status}); kg does "
        "not follow redirects, so neither credentials nor the answer of another server are used",
        "give the final URL as --endpoint",
    )


def _transient(response: Response) -> bool:
    return response.status != 500 or not PERMANENT_500.search(response.message(2000))


def needs_credentials(url: str) -> EndpointError:
    return EndpointError(f"{where(url)} asks for credentials (HTTP 401)", CREDENTIALS_HINT)


def refused_credentials(url: str, credentials: Credentials) -> EndpointError:
    return EndpointError(
        f"{where(url)} refused the credentials of user '{credentials.user}' (HTTP 401)",
        f"check {USER_ENV} and {PASSWORD_ENV}",
    )


def where(url: str) -> str:
    """The URL for messages: no query string, no user:password@."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def unreachable(url: str, exc: BaseException) -> EndpointError:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(exc, socket.timeout | TimeoutError):
        reason = "timed out"
    return EndpointError(
        f"cannot reach {where(url)}: {reason}", "check the URL and that the server is running"
    )
