"""Helpers for the tests of kg serve: a server in a thread, one request from a chosen loopback
address (127.0.0.2, 127.0.0.3... are other clients to the per-client cap), the probe that a
normal query still answers."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

from kg.publishing.serve import Server

PROBE = "ASK { ?s ?p ?o }"
PROBE_DEADLINE = 1.0  # seconds: issue 17 asks a normal query to answer within 1 s, always
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # minutes


class At:
    """A server known by its URL only (one run by another process)."""

    def __init__(self, url: str) -> None:
        self.url = url


def running(server: Server) -> Iterator[Server]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def address(server: Server | At) -> tuple[str, int]:
    parts = urlsplit(server.url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def ask(
    server: Server | At,
    query: str,
    source: str = "127.0.0.1",
    timeout: float = 30.0,
    accept: str = "application/sparql-results+json",
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """POST one query (form-encoded) from `source`; status, headers, body."""
    host, port = address(server)
    connection = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0))
    try:
        body = urlencode({"query": query})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        connection.request("POST", "/sparql", body, headers)
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        connection.close()


def probe(server: Server, source: str = "127.0.0.9") -> None:
    """A normal query answers true within PROBE_DEADLINE."""
    status, _, body = ask(server, PROBE, source, timeout=PROBE_DEADLINE)
    assert status == 200, (status, body[:200])
    assert json.loads(body)["boolean"] is True


def send_raw(server: Server, data: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes on a fresh connection; what comes back until the server closes."""
    with socket.create_connection(address(server), timeout=timeout) as sock:
        if data:
            sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)
