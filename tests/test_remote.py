"""The remote side without a store: kg.publishing.remote.RemoteEngine (errors, the truncation
check's query, the endpoint URL's parameters) and kg.publishing.client (digest answers, retries,
401s) against small HTTP servers run in a thread. The same against Virtuoso is in
tests/test_push.py."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from rdflib import Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from kg.catalogue import find_query
from kg.errors import EndpointError
from kg.publishing.client import Authenticator, Credentials, Http, parse_challenges
from kg.publishing.remote import RemoteEngine, beyond_query
from kg.sparqltext import with_values
from tests.conftest import REPO
from tests.test_attacks import CHSF
from tests.virtuoso import free_port

# The parameters tests/test_attacks.py gives each catalogue query on both embedded engines.
SAMPLES = {
    "incidents-by-actor": {"actor": "LockBit"},
    "incidents-in-region": {"region": "Île-de-France"},
    "incident-timeline": {"incident": CHSF},
    "find-incidents": {"text": "hôpital"},
    "attacks": {"near": "Paris", "radius_km": "250"},
}
PASSWORD = "pw-7f3a-never-shown"  # noqa: S105 - a test value


def closed_port() -> int:
    return free_port()  # nothing listens there once the probe socket is closed


# --- a scripted HTTP server ------------------------------------------------------------------

Script = Callable[[BaseHTTPRequestHandler, int], tuple[int, dict[str, str], bytes] | None]


def serve(script: Script) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A server that answers request n with script(handler, n) (None: close the connection)."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def handle_one(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "body": body.decode(),
                    **{k.lower(): v for k, v in self.headers.items()},
                }
            )
            answer = script(self, len(seen))
            if answer is None:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status, headers, data = answer
            self.send_response(status)
            for key, value in {"Content-Length": str(len(data)), **headers}.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_HEAD = handle_one  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", seen
    finally:
        server.shutdown()
        server.server_close()


ASK_TRUE = (200, {"Content-Type": "application/sparql-results+json"}, b'{"head":{},"boolean":true}')


# --- RemoteEngine ----------------------------------------------------------------------------


def test_an_unreachable_endpoint_is_one_clear_error():
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    with pytest.raises(EndpointError) as error:
        RemoteEngine(url).select("ASK {}", {})
    assert str(error.value) == (
        f"cannot reach {url}: [Errno 111] Connection refused "
        "(check the URL and that the server is running)"
    )


def test_credentials_in_the_url_are_refused_and_not_repeated():
    with pytest.raises(EndpointError) as error:
        RemoteEngine(f"http://dba:{PASSWORD}@127.0.0.1:8890/sparql")
    assert PASSWORD not in str(error.value)
    assert str(error.value) == (
        "--endpoint holds credentials (user:password@host) (give the URL without them and "
        "set KG_SPARQL_USER and KG_SPARQL_PASSWORD)"
    )


def test_only_the_accept_header_chooses_the_format_and_url_parameters_are_kept():
    """Virtuoso answers 406 to SPARQLWrapper's format=xml parameters (docs/virtuoso.md)."""
    for url, seen in serve(lambda handler, n: ASK_TRUE):
        engine = RemoteEngine(
            url + "?default-graph-uri=https%3A%2F%2Fexample.org%2Fg", credentials=None
        )
        assert engine.select("ASK {}", {}).rows == [{"ask": Literal(True)}]
        body = seen[-1]["body"]
        assert "format=" not in body and "output=" not in body and "timeout" not in body
        assert parse_qs(body)["default-graph-uri"] == ["https://example.org/g"]
        assert seen[-1]["accept"] == "application/sparql-results+json"
        assert seen[-1]["path"] == "/sparql"


def select_answer(n_rows: int) -> bytes:
    bindings = [{"x": {"type": "literal", "value": str(i)}} for i in range(n_rows)]
    return json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": bindings}}).encode()


@pytest.mark.parametrize(("beyond", "cut"), [(0, False), (1, True)])
def test_an_answer_of_exactly_max_rows_is_checked_with_one_more_row(beyond, cut):
    """Virtuoso sends X-SPARQL-MaxRows: N with every answer of N rows, cut or complete."""

    def script(handler: BaseHTTPRequestHandler, n: int):
        if n == 1:
            return 200, {"X-SPARQL-MaxRows": "3"}, select_answer(3)
        return 200, {}, select_answer(beyond)

    for url, seen in serve(script):
        engine = RemoteEngine(url, credentials=None)
        if cut:
            with pytest.raises(EndpointError, match="cut the answer at 3 rows"):
                engine.select("SELECT ?x WHERE { ?x ?p ?o }", {})
        else:
            assert len(engine.select("SELECT ?x WHERE { ?x ?p ?o }", {}).rows) == 3
        assert "OFFSET+3+LIMIT+1" in seen[1]["body"]


def test_a_partial_answer_is_an_error():
    partial = (
        200,
        {"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results"},
        select_answer(1),
    )
    for url, _ in serve(lambda handler, n: partial):
        with pytest.raises(EndpointError, match="sent a partial answer: S1TAT RC...: Returning"):
            RemoteEngine(url, credentials=None).select("SELECT ?x WHERE { ?x ?p ?o }", {})


def test_the_question_for_row_n_plus_one_is_a_valid_query(project):
    query = find_query(REPO / "queries", "attacks")
    bindings = {"_region": URIRef("https://w3id.org/hospital-cyber-kg/id/region/11")}
    text = beyond_query(with_values(query.text, bindings), 100)
    prepareQuery(text)
    assert text.rstrip().endswith("OFFSET 100 LIMIT 1")


def test_the_servers_words_are_in_the_error():
    answer = (
        400,
        {"Content-Type": "text/plain"},
        b"Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error",
    )
    for url, _ in serve(lambda handler, n: answer):
        with pytest.raises(EndpointError) as error:
            RemoteEngine(url, credentials=None).select("SELECT", {})
    assert str(error.value) == (
        f"{url} refused the query: Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax "
        "error (check the query against this endpoint's SPARQL dialect)"
    )


# --- authentication --------------------------------------------------------------------------


def test_digest_answers_as_rfc_2617_computes():
    auth = Authenticator(Credentials("Mufasa", "Circle Of Life"))
    auth.cnonce = lambda: "0a4f113b"  # type: ignore[method-assign]
    auth.learn(
        "http://www.nowhere.org/dir/index.html",
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    )
    header = auth.header("GET", "http://www.nowhere.org/dir/index.html")
    assert header is not None and 'response="6629fae49393a05397450978507c4ef1"' in header
    assert "nc=00000001" in header and 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in header


def test_challenges_are_parsed_whatever_their_order():
    found = parse_challenges(
        'Basic realm="x", Digest realm="SPARQL", nonce="a,b", qop="auth", stale="false"'
    )
    assert found == {
        "basic": {"realm": "x"},
        "digest": {"realm": "SPARQL", "nonce": "a,b", "qop": "auth", "stale": "false"},
    }


def digest_server(password_ok: Callable[[str], bool]) -> Script:
    challenge = (
        'Digest realm="SPARQL", nonce="n1", opaque="o", stale="false", qop="auth", algorithm="MD5"'
    )

    def script(handler: BaseHTTPRequestHandler, n: int):
        authorization = handler.headers.get("Authorization", "")
        if handler.command == "HEAD" or not password_ok(authorization):
            return 401, {"WWW-Authenticate": challenge}, b""
        return ASK_TRUE

    return script


def test_a_large_body_is_sent_once_and_authenticated():
    big = b"x" * 3_000_000
    for url, seen in serve(digest_server(lambda header: header.startswith("Digest "))):
        http = Http(Credentials("dba", PASSWORD))
        assert http.request("PUT", url, big).status == 200
        assert [r["method"] for r in seen] == ["HEAD", "PUT"]
        assert seen[1]["authorization"].startswith('Digest username="dba", realm="SPARQL"')
        assert PASSWORD not in seen[1]["authorization"]


def test_wrong_credentials_are_one_clear_error():
    for url, _ in serve(digest_server(lambda header: False)):
        with pytest.raises(EndpointError) as error:
            Http(Credentials("dba", PASSWORD)).request("POST", url, b"update=x")
        assert str(error.value) == (
            f"{url} refused the credentials of user 'dba' (HTTP 401) "
            "(check KG_SPARQL_USER and KG_SPARQL_PASSWORD)"
        )
        with pytest.raises(EndpointError) as error:
            Http(None).request("POST", url, b"update=x")
        assert str(error.value) == (
            f"{url} asks for credentials (HTTP 401) (set KG_SPARQL_USER and KG_SPARQL_PASSWORD)"
        )


# --- retries ---------------------------------------------------------------------------------


def test_transient_failures_are_retried_with_backoff():
    def script(handler: BaseHTTPRequestHandler, n: int):
        if n == 1:
            return None  # connection reset
        if n == 2:
            return 503, {}, b"busy"
        if n == 3:
            return 500, {}, b"Virtuoso S1T00 Error SR171: Transaction timed out"
        return 200, {}, b"ok"

    waits: list[float] = []
    for url, seen in serve(script):
        http = Http(None, retries=3, backoff=0.5, sleep=waits.append)
        answer = http.request("POST", url, b"data")
        assert (answer.status, answer.body, len(seen)) == (200, b"ok", 4)
    assert waits == [0.5, 1.0, 2.0] and http.retried == 3


def test_retries_are_bounded_and_permanent_errors_are_not_retried():
    waits: list[float] = []
    for url, seen in serve(lambda handler, n: (503, {}, b"busy")):
        assert Http(None, retries=2, sleep=waits.append).request("GET", url).status == 503
        assert len(seen) == 3
    syntax = (500, {}, b"Virtuoso 37000 Error SP029: TURTLE RDF loader, line 6: syntax error")
    for url, seen in serve(lambda handler, n: syntax):
        assert Http(None, retries=2, sleep=waits.append).request("PUT", url, b"x").status == 500
        assert len(seen) == 1
    assert waits == [0.5, 1.0]
