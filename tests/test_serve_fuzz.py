"""Property tests of kg serve (Hypothesis): random and hostile query strings, headers, methods,
paths and raw bytes get an HTTP answer (a result, a 4xx or a 5xx) or a closed connection, never
a crash; after each, a normal query answers within a second. Derandomized and bounded (a few
hundred requests, some seconds), so the suite stays reproducible; KG_FUZZ_EXAMPLES=N runs N
random examples per test instead."""

from __future__ import annotations

import http.client
import os
import socket
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.publishing.serve import Server, make_server
from tests.serve_client import address, probe, running

DEEPER = int(os.environ.get("KG_FUZZ_EXAMPLES", "0"))  # e.g. 2000, random, for a longer hunt
SETTINGS = settings(
    max_examples=DEEPER or 60,
    deadline=None,
    derandomize=not DEEPER,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PIECES = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "*", "WHERE", "{", "}", "(", ")", "[", "]", ".",
    ";", ",", "?s", "?p", "?o", "$x", "<http://127.0.0.1:1/x>", "<a:b>", "_:b", '"x"', "'''",
    '"""', "#", "\n", "UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "AS", "VALUES", "SERVICE",
    "SILENT", "GRAPH", "FROM", "NAMED", "ORDER BY", "GROUP BY", "COUNT(*)", "LIMIT 3",
    "OFFSET 9999999999999999999", "REGEX(?o, '(a+)+$')", "\\u0053ERVICE", "INSERT DATA",
    "DROP ALL", "LOAD", "PREFIX p: <http://x/>", "p:x", "1e999", "\x00", "\ufffd", "é",
]  # fmt: skip
queries = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=40).map(" ".join),
    st.builds(
        lambda n, c: c * n, st.integers(0, 3000), st.sampled_from(["{", "(", "[", "{}UNION"])
    ),
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=200)
accepts = st.one_of(
    header_text,
    st.sampled_from(["*/*", "text/csv;q=nan", "text/*;q=-1", "application/json;q=1e999", ""]),
)
kinds = st.one_of(
    header_text,
    st.sampled_from(
        ["application/sparql-query", "application/x-www-form-urlencoded",
         "application/sparql-update", "multipart/form-data; boundary=x"]
    ),
)  # fmt: skip


@pytest.fixture(scope="module")
def fuzzed(project, built) -> Iterator[Server]:
    server = make_server(
        project, port=0, timeout=0.5, workers=2, per_client=8, queue=8,
        header_timeout=0.5, body_timeout=0.5,
    )  # fmt: skip
    yield from running(server)


def request(server: Server, method: str, target: str, body: bytes, headers: dict) -> int:
    """The status of the answer; a 500 must be one of ours, not an unhandled exception."""
    host, port = address(server)
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for key, value in headers.items():
            connection.putheader(key, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        text = answer.read()
        assert answer.status != 500 or text != b"Internal Server Error", "an unhandled exception"
        return answer.status
    finally:
        connection.close()


@SETTINGS
@given(query=queries, accept=accepts, kind=kinds, post=st.booleans())
def test_any_query_gets_an_http_answer(fuzzed, query, accept, kind, post):
    from urllib.parse import quote

    if post:
        body = query.encode("utf-8", "surrogatepass")
        if kind == "application/x-www-form-urlencoded":
            body = b"query=" + quote(query, safe="").encode()
        status = request(fuzzed, "POST", "/sparql", body, {"Accept": accept, "Content-Type": kind})
    else:
        target = "/sparql?query=" + quote(query.encode("utf-8", "surrogatepass"), safe="")
        status = request(fuzzed, "GET", target, b"", {"Accept": accept})
    assert 200 <= status < 600
    probe(fuzzed)


@SETTINGS
@given(
    method=st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "BREW"]),
    path=st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=100),
    extra=st.dictionaries(
        st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=20),
        header_text,
        max_size=5,
    ),
)
def test_any_method_path_and_headers_get_an_http_answer(fuzzed, method, path, extra):
    extra.pop("content-length", None)
    status = request(fuzzed, method, "/" + path, b"", extra)
    assert 200 <= status < 600
    probe(fuzzed)


@SETTINGS
@given(data=st.one_of(
    st.binary(max_size=2000),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from([
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n",
            b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n",
            b"GET / HTTP/1.0\r\n" + b"X: y\r\n" * 200,
            b"GET /sparql?query=" + b"%7B" * 3000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        ]),
        st.binary(max_size=200),
    ),
))  # fmt: skip
def test_any_bytes_get_an_answer_or_a_closed_connection(fuzzed, data):
    with socket.create_connection(address(fuzzed), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(65536):
            pass
    probe(fuzzed)
