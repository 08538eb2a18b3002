"""kg serve under the hostile cases of issue 17: SERVICE (server-side request forgery), deep
nesting and huge queries, cartesian products, a full queue, one greedy client, slow or lying
clients, memory, signals and bad option values. After each case a normal query answers within
a second (tests/serve_client.py: probe)."""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.publishing.serve import Server, make_server
from tests.serve_client import CARTESIAN, At, address, ask, probe, running, send_raw

SPO = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


@pytest.fixture(scope="module")
def guarded(project, built) -> Iterator[Server]:
    server = make_server(
        project, port=0, timeout=1.0, workers=4, per_client=2, queue=4,
        header_timeout=0.5, body_timeout=0.5,
    )  # fmt: skip
    yield from running(server)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A port on loopback that records whether anyone connects."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def nobody_connected(sock: socket.socket) -> bool:
    try:
        sock.accept()[0].close()
    except BlockingIOError:
        return True
    return False


def service_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?x {{ <{url}> }} SERVICE ?x {{ ?s ?p ?o }} }}",
        f"PREFIX e: <{url.removesuffix('sparql')}> SELECT * {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_service_is_refused_and_nothing_is_contacted(guarded, listener):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    expected = [
        f"SERVICE <{url}> is refused: this endpoint does not query it",
        f"SERVICE <{url}> is refused: this endpoint does not query it",
        "SERVICE ?x is refused: only a SERVICE <IRI> allowed by this endpoint runs",
        "SERVICE e:sparql is refused: only a SERVICE <IRI> allowed by this endpoint runs",
        f"SERVICE <{url}> is refused: this endpoint does not query it",
    ]
    hint = " (the operator allows endpoints with kg serve --allow-service URL)\n"
    for query, message in zip(service_queries(url), expected, strict=True):
        status, _, body = ask(guarded, query)
        assert (status, body.decode()) == (400, message + hint), query
    time.sleep(0.2)  # a connection, had one been made, would be waiting by now
    assert nobody_connected(listener)
    probe(guarded)


def test_an_allowed_service_is_queried(project, built, listener):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    server = make_server(project, port=0, timeout=1.0, workers=1, allow_service={url})
    for started in running(server):
        status, _, _ = ask(started, f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
        assert status in (400, 500, 503)  # the listener never answers
        listener.setblocking(True)
        listener.settimeout(5)
        listener.accept()[0].close()  # but it was asked
        probe(started)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, "nests groups 5000 deep"),
        ("ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", "nests groups 5002 deep"),
        ("SELECT * WHERE { " + "{} UNION " * 10_000 + "{} }", "has 10000 UNIONs"),
        ("SELECT * WHERE { " + "[ <a:b> " * 3000 + "]" * 3000 + " }", "nests groups 3001 deep"),
    ],
)
def test_deep_or_wide_queries_are_400_before_parsing(guarded, query, message):
    status, _, body = ask(guarded, query)
    assert status == 400 and message in body.decode()
    probe(guarded)


def test_size_limits(guarded):
    status, _, body = ask(guarded, SPO + " " * 100_000)
    assert (status, body) == (
        413,
        b"the query has 100035 characters; this endpoint takes at most 100000\n",
    )
    answer = send_raw(
        guarded,
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 5000000\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b"a request body of more than 1000000 bytes is refused\n")
    answer = send_raw(guarded, b"GET /sparql?query=" + b"A" * 70_000 + b" HTTP/1.1\r\n\r\n")
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4")
    probe(guarded)


def worker_pids(server: Server) -> list[int]:
    return [w.process.pid for w in server.dispatcher.pool.workers]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_timed_out_query_is_killed_with_its_worker(guarded):
    before = set(worker_pids(guarded))
    status, _, body = ask(guarded, CARTESIAN, "127.0.0.2")
    assert (status, body) == (503, b"the query ran past the time limit of 1 s and was stopped\n")
    killed = before - set(worker_pids(guarded))
    assert len(killed) == 1 and all(gone(pid) for pid in killed)
    assert len(worker_pids(guarded)) == 4
    probe(guarded)


def in_threads(server: Server, sources: list[str]) -> tuple[list[threading.Thread], list[int]]:
    statuses: list[int] = []

    def one(source: str) -> None:
        statuses.append(ask(server, CARTESIAN, source)[0])

    threads = [threading.Thread(target=one, args=(s,)) for s in sources]
    for thread in threads:
        thread.start()
    return threads, statuses


def wait_for(condition, limit: float = 10.0) -> None:
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, "the server never reached the expected state"
        time.sleep(0.01)


def test_one_client_cannot_hold_every_worker(guarded):
    threads, statuses = in_threads(guarded, ["127.0.0.2"] * 4)
    wait_for(lambda: guarded.dispatcher.by_client.get("127.0.0.2") == 2 and len(statuses) == 2)
    probe(guarded, "127.0.0.3")  # while the greedy client's two queries run
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [429, 429, 503, 503]
    probe(guarded)


def test_a_full_queue_is_503_with_retry_after(guarded):
    dispatcher = guarded.dispatcher
    dispatcher.limits = dataclasses.replace(dispatcher.limits, queue=0)
    try:
        threads, statuses = in_threads(guarded, ["127.0.0.2", "127.0.0.2", "127.0.0.3"] * 2)
        wait_for(lambda: dispatcher.pending == 4)
        status, headers, body = ask(guarded, SPO, "127.0.0.4")
        assert (status, body) == (503, b"every worker is busy and the queue is full\n")
        assert headers["Retry-After"] == "1"
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [429, 429, 503, 503, 503, 503]
    finally:
        dispatcher.limits = dataclasses.replace(dispatcher.limits, queue=4)
    probe(guarded)


def test_a_query_past_the_memory_cap_fails_alone(project, built):
    server = make_server(project, port=0, timeout=60, workers=1, memory_mb=1536)
    for started in running(server):
        query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
        status, _, body = ask(started, query)
        assert (status, body) == (
            503,
            b"the query needed more than the 1536 MiB this endpoint gives a query\n",
        )
        probe(started)


@pytest.mark.parametrize(
    "data",
    [
        b"",  # connects and says nothing
        b"POST /sparql HTTP/1.1\r\nHost: x\r\n",  # headers that never end
        b"GET /spa",  # a request line that never ends
    ],
)
def test_a_silent_or_slow_client_is_disconnected(guarded, data):
    with socket.create_connection(address(guarded), timeout=10) as sock:
        sock.sendall(data)
        probe(guarded)  # while it holds its connection
        assert sock.recv(100) == b""  # closed by the server, not by our 10 s timeout
    probe(guarded)


def test_a_slow_second_request_on_a_kept_connection_is_cut_too(guarded):
    answer = send_raw(guarded, b"GET /void HTTP/1.1\r\nHost: x\r\n\r\nGET /spa")
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.count(b"HTTP/1.1 ") == 1
    probe(guarded)


def test_a_lying_content_length_is_400(guarded):
    answer = send_raw(
        guarded, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\nquery=ASK{}"
    )
    assert answer.startswith(b"HTTP/1.1 400 ")
    probe(guarded)


def test_a_body_that_never_comes_is_408(guarded):
    with socket.create_connection(address(guarded), timeout=10) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nContent-Length: 100\r\n\r\nquery="
        )
        probe(guarded)  # while it holds its connection
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert answer.endswith(b"the request body did not arrive within 0.5 s\n")
    probe(guarded)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_server_and_its_workers(project, built, sig):
    command = [sys.executable, "-m", "kg", "--root", str(project.root), "--home",
               str(project.home), "serve", "--port", "0", "--timeout", "60"]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert line.startswith("serving http://127.0.0.1:"), line
        port = int(line.split(":")[2].split("/")[0])
        at = At(f"http://127.0.0.1:{port}/sparql")
        answers: list[tuple[int, bytes]] = []
        query = threading.Thread(target=lambda: answers.append(ask(at, CARTESIAN)[::2]))
        query.start()
        time.sleep(1)  # let the query reach its worker
        process.send_signal(sig)
        assert process.wait(timeout=5) == 0
        query.join(5)
        assert answers == [(503, b"the server is stopping\n")]
        assert process.stderr.read().splitlines()[-1] == "stopped"
    finally:
        process.kill()


def descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_bytes().rsplit(b")", 1)[-1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_server_killed_outright_leaves_no_worker_running(project, built):
    command = [sys.executable, "-m", "kg", "--root", str(project.root), "--home",
               str(project.home), "serve", "--port", "0", "--timeout", "120"]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        at = At(line.split()[1])
        def cartesian() -> None:
            with contextlib.suppress(OSError, http.client.HTTPException):
                ask(at, CARTESIAN, timeout=10)  # the server dies under it

        threading.Thread(target=cartesian, daemon=True).start()
        time.sleep(1)  # let the query reach its worker
        workers = descendants(process.pid)
        assert len(workers) >= 5  # the fork server and four workers
        process.kill()
        process.wait()
        wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers))
    finally:
        process.kill()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--timeout", "nan"], "--timeout nan is not a number of seconds (give a number above 0 "
                               "and at most 86400)"),
        (["--timeout", "-1"], "--timeout -1.0 is not a number of seconds (give a number above 0 "
                              "and at most 86400)"),
        (["--port", "99999"], "--port 99999 is not a port number (give 0 to 65535)"),
        (["--port", "-1"], "--port -1 is not a port number (give 0 to 65535)"),
        (["--workers", "0"], "--workers 0 is too small (give 1 or more)"),
        (["--per-client", "-2"], "--per-client -2 is too small (give 1 or more)"),
        (["--memory", "512"], "--memory 512 is too small (give 1024 or more)"),
        (["--allow-service", "file:///etc/passwd"],
         "--allow-service 'file:///etc/passwd' is not an http(s) IRI"),
    ],
)  # fmt: skip
def test_option_values_are_checked(cli, project, built, option, message):
    result = cli("serve", *option, project=project)
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")
