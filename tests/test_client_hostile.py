"""kg push and remote queries against hostile stand-in servers on 127.0.0.1 (issue 17): one that
trickles a byte at a time, one that streams without end, one that redirects to another port, one
that echoes the Authorization header and the password back. kg gives up within its deadlines,
stops reading past its cap, follows no redirect, and no message shows a credential."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from kg.errors import EndpointError
from kg.publishing.client import Credentials, Http, scrub
from kg.publishing.push import push
from kg.publishing.remote import RemoteEngine
from tests.test_remote import PASSWORD, serve

CREDENTIALS = Credentials("dba", PASSWORD)
BASIC = base64.b64encode(f"dba:{PASSWORD}".encode()).decode()


def raw_server(talk: Callable[[socket.socket], None]) -> Iterator[str]:
    """A server that reads the request head, then lets `talk` do what it will."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            try:
                talk(conn)
            except OSError:
                pass  # the client hung up: what kg is expected to do

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def trickle(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(60):
        conn.sendall(b"x")
        time.sleep(0.2)


def endless(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n")
    block = b"0" * 65536
    for _ in range(100_000):  # 6.5 GB, if nobody stops listening
        conn.sendall(block)


def silent(conn: socket.socket) -> None:
    time.sleep(5)


@pytest.mark.parametrize("talk", [trickle, silent])
def test_a_slow_server_is_given_up_at_the_total_deadline(talk):
    for url in raw_server(talk):
        with pytest.raises(EndpointError) as error:
            RemoteEngine(url, timeout=1, credentials=None, retries=0).select("ASK {}", {})
        assert str(error.value) == (
            f"{url} did not answer completely within 1 s "
            "(check that the server is well and the URL right)"
        )


def test_a_silent_server_is_given_up_at_the_read_deadline():
    for url in raw_server(silent):
        with pytest.raises(EndpointError) as error:
            Http(None, timeout=30, read_timeout=0.5, retries=0).request("GET", url)
        assert str(error.value) == (
            f"cannot reach {url}: timed out (check the URL and that the server is running)"
        )


def test_an_endless_answer_is_cut_at_the_cap():
    for url in raw_server(endless):
        engine = RemoteEngine(url, credentials=None, retries=0)
        engine.http.max_response = 1_000_000
        with pytest.raises(EndpointError) as error:
            engine.select("ASK {}", {})
        assert str(error.value) == (
            f"{url} sent more than 1000000 bytes; kg stopped reading (ask for less (LIMIT) or "
            "check that the URL is a SPARQL endpoint)"
        )


def basic_then(answer: tuple[int, dict[str, str], bytes]):
    """A server that asks for Basic credentials, then gives `answer` to an authorised request."""

    def script(handler, n: int):
        if not handler.headers.get("Authorization"):
            return 401, {"WWW-Authenticate": 'Basic realm="x"'}, b""
        return answer

    return script


def test_a_redirect_is_not_followed_with_or_without_credentials():
    for elsewhere, seen_elsewhere in serve(lambda handler, n: (200, {}, b"{}")):
        redirect = (302, {"Location": elsewhere.replace("/sparql", "/other?x=1")}, b"")
        for url, seen in serve(basic_then(redirect)):
            with pytest.raises(EndpointError) as error:
                RemoteEngine(url, credentials=CREDENTIALS).select("ASK {}", {})
            assert str(error.value) == (
                f"{url} redirected to {elsewhere.replace('/sparql', '/other')} (HTTP 302); kg "
                "does not follow redirects, so neither credentials nor the answer of another "
                "server are used (give the final URL as --endpoint)"
            )
            assert seen[-1]["authorization"] == f"Basic {BASIC}"  # sent to the named server only
        assert seen_elsewhere == []


def test_a_push_that_is_redirected_stops_and_sends_nothing_elsewhere(built):
    for elsewhere, seen_elsewhere in serve(lambda handler, n: (200, {}, b"")):
        for url, _ in serve(basic_then((307, {"Location": elsewhere}, b""))):
            with pytest.raises(EndpointError) as error:
                push(built, url, credentials=CREDENTIALS, retries=0, sleep=lambda s: None)
            assert "redirected to" in str(error.value) and PASSWORD not in str(error.value)
        assert seen_elsewhere == []


ECHOES = [
    f"you sent Authorization: Basic {BASIC}",
    f"password {PASSWORD} is wrong",
    f"bad header authorization={BASIC}",
    'Authorization: Digest username="dba", realm="SPARQL", nonce="n1", response="abc123"',
]


@pytest.mark.parametrize("status", [400, 500, 403])
@pytest.mark.parametrize("echo", ECHOES)
def test_an_echoed_credential_never_reaches_a_message(status, echo):
    for url, _ in serve(basic_then((status, {}, echo.encode()))):
        with pytest.raises(EndpointError) as error:
            RemoteEngine(url, credentials=CREDENTIALS, retries=0).select("ASK {}", {})
        text = str(error.value)
        assert PASSWORD not in text and BASIC not in text and "abc123" not in text, text
        assert text.startswith(url)


def test_an_echo_in_the_status_line_is_scrubbed_too():
    def echo(conn: socket.socket) -> None:
        conn.sendall(f"Authorization: Basic {BASIC} {PASSWORD}\r\n\r\n".encode())

    for url in raw_server(echo):
        http = Http(CREDENTIALS, timeout=5, retries=0)
        with pytest.raises(EndpointError) as error:
            http.request("GET", url)
    text = str(error.value)
    assert text.startswith(f"cannot reach {url}: ") and "[hidden]" in text
    assert PASSWORD not in text and BASIC not in text


def test_a_push_error_with_an_echo_is_scrubbed(built):
    answer = (400, {}, f"rejected Authorization: Basic {BASIC}; {PASSWORD}".encode())
    for url, _ in serve(basic_then(answer)):
        with pytest.raises(EndpointError) as error:
            push(built, url, credentials=CREDENTIALS, retries=0, sleep=lambda s: None)
    assert PASSWORD not in str(error.value) and BASIC not in str(error.value)


def test_the_cli_prints_no_echoed_password(cli, project, built, monkeypatch):
    monkeypatch.setenv("KG_SPARQL_USER", "dba")
    monkeypatch.setenv("KG_SPARQL_PASSWORD", PASSWORD)
    answer = (500, {}, f"<html>Authorization: Basic {BASIC} ({PASSWORD})</html>".encode())
    for url, _ in serve(basic_then(answer)):
        result = cli("query", "incidents-by-actor", "--param", "actor=LockBit",
                     "--endpoint", url, project=project)  # fmt: skip
    assert result.exit_code == 2
    assert PASSWORD not in result.stderr and BASIC not in result.stderr
    assert result.stderr == f"error: {url} failed: Authorization: [hidden]\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Authorization: Basic {BASIC}", "Authorization: [hidden]"),
        (f"x proxy-authorization={BASIC}, next", "x proxy-authorization=[hidden]"),
        ("Bearer abcdefghijklmnop rest", "Bearer [hidden] rest"),
        ('Digest username="dba", response="ff00" end', "Digest [hidden] end"),
        (f"pw is {PASSWORD}.", "pw is [hidden]."),
    ],
)
def test_scrub(text, expected):
    assert scrub(text, (PASSWORD,)) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://[::1", "'http://[::1' is not a URL (Invalid IPv6 URL)"),
        ("http://127.0.0.1:99999/sparql", "'http://127.0.0.1:99999/sparql' is not a URL "
                                          "(Port out of range 0-65535)"),
        ("http:///sparql", "'http:///sparql' is not an http(s) URL, "
                           "e.g. http://127.0.0.1:8890/sparql"),
    ],
)  # fmt: skip
def test_a_malformed_endpoint_is_one_line(cli, project, built, url, message):
    # the CLI checks the option before the client sees it
    result = cli("query", "incidents-by-actor", "--endpoint", url, project=project)
    assert (result.exit_code, result.stderr) == (
        2, f"error: Invalid value for '--endpoint': {message} (see 'kg query --help')\n"
    )  # fmt: skip
