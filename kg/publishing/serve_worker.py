"""The processes that run `kg serve`'s queries. Each worker is a child process with the store
open read-only and an address-space cap (RLIMIT_AS, --memory MiB): a query past its deadline is
stopped by killing its worker, which frees its CPU and memory at once, and a new worker takes
its place; a query that needs more memory than the cap fails in its worker (Oxigraph aborts the
process, Python raises MemoryError), and the server answers and restarts it. A crash of the
parser or the engine kills one worker, never the server.

Workers come from a fork server (multiprocessing's "forkserver") that has this module and
pyoxigraph loaded, so a restart costs a fork and a read-only store open (milliseconds), and no
worker inherits the server's threads or sockets.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

DEFAULT_MEMORY_MB = 2048
TABLE_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdf",
}
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
RDF_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD", "rdf": "RDF_XML"}


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def text_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, (message.rstrip("\n") + "\n").encode("utf-8"), headers=headers or {})


@dataclass(frozen=True)
class Job:
    query: str
    accept: str = ""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    page: str = ""  # a page of kg.site (its path) instead of a query
    params: tuple[tuple[str, str], ...] = ()  # the page's query-string parameters


# --- in the worker process ---------------------------------------------------------------------


def worker_main(
    conn: Connection, store: str, memory_mb: int, max_rows: int, server: int, project: Any = None
) -> None:
    """Open the store, then answer jobs from `conn` until it closes."""
    import resource

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    threading.Thread(target=_watch, args=(server,), daemon=True).start()
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from kg.engines import OxigraphEngine

    engine = OxigraphEngine.open(store)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = page(project, engine, job) if job.page else answer(engine, job, max_rows)
        except MemoryError:
            reply = text_reply(503, memory_message(memory_mb))
        conn.send((reply.status, reply.body, reply.content_type, reply.headers))


def _watch(server: int) -> None:
    """Exit when the server process is gone (killed outright, it could not kill its workers):
    no orphan goes on with a long query. Checked twice a second, in a thread: Oxigraph releases
    the GIL while it evaluates."""
    import os
    import time

    while True:
        time.sleep(0.5)
        try:
            with open(f"/proc/{server}/stat", "rb") as stat:
                gone = stat.read().rsplit(b")", 1)[-1].split()[0] in (b"Z", b"X")
        except FileNotFoundError:
            gone = True
        except OSError:  # no /proc: ask the kernel
            try:
                os.kill(server, 0)
                gone = False
            except ProcessLookupError:
                gone = True
        if gone:
            os._exit(0)


_SITE: list[Any] = []


def page(project: Any, engine: Any, job: Job) -> Reply:
    """A page of kg.site (HTML, or an RDF form of a resource), made in the worker."""
    if project is None:
        return text_reply(404, f"nothing at {job.page[:200]}: the endpoint is /sparql")
    if not _SITE:
        from kg.site.render import Site

        _SITE.append(Site(project, engine))
    params: dict[str, list[str]] = {}
    for key, value in job.params:
        params.setdefault(key, []).append(value)
    try:
        made = _SITE[0].respond(job.page, params, job.accept)
    except MemoryError:
        raise
    except Exception as exc:  # a bug in a page must not take the worker down: 500, one line
        return text_reply(500, f"the page could not be made ({type(exc).__name__})")
    return Reply(made.status, made.body, made.content_type, made.headers)


def memory_message(memory_mb: int) -> str:
    return f"the query needed more than the {memory_mb} MiB this endpoint gives a query"


def answer(engine: Any, job: Job, max_rows: int) -> Reply:
    import pyoxigraph as ox

    options: dict[str, Any] = {"custom_functions": engine.functions}
    if job.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if job.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        result = engine.store.query(job.query, **options)
    except SyntaxError as exc:
        return text_reply(400, f"SPARQL syntax: {exc}")
    except (ValueError, OSError, RuntimeError) as exc:
        return text_reply(400, f"the query failed: {exc}")
    try:
        if isinstance(result, ox.QueryTriples):
            return _graph(result, job.accept, max_rows)
        return _table(result, job.accept, max_rows)
    except (ValueError, OSError, RuntimeError) as exc:
        return text_reply(500, f"the query failed while running: {exc}")


def _table(result: Any, accept: str, max_rows: int) -> Reply:
    fmt = negotiate(accept, TABLE_TYPES, "json")
    if fmt is None:
        return not_acceptable(TABLE_TYPES)
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        from rdflib import Literal

        from kg.engines import Table

        table = Table(["ask"], [{"ask": Literal(bool(result))}])
        return Reply(200, render_table(table, fmt, ask=True), CONTENT_TYPES[fmt])
    from kg.publishing.serve_results import write_rows

    body, cut = write_rows(result, fmt, max_rows)
    headers = {"X-SPARQL-MaxRows": str(max_rows)} if cut else {}
    return Reply(200, body, CONTENT_TYPES[fmt], headers)


def _graph(result: Any, accept: str, max_rows: int) -> Reply:
    fmt = negotiate(accept, GRAPH_TYPES, "ttl")
    if fmt is None:
        return not_acceptable(GRAPH_TYPES)
    import pyoxigraph as ox

    triples, cut = _limited(iter(result), max_rows)
    body = ox.serialize(triples, format=getattr(ox.RdfFormat, RDF_FORMATS[fmt])) or b""
    headers = {"X-SPARQL-MaxRows": str(max_rows)} if cut else {}
    return Reply(200, body, CONTENT_TYPES[fmt], headers)


def _limited(items: Iterator[Any], max_rows: int) -> tuple[list[Any], bool]:
    """At most max_rows items, and whether there were more."""
    out: list[Any] = []
    for item in items:
        if len(out) == max_rows:
            return out, True
        out.append(item)
    return out, False


def not_acceptable(types: dict[str, str]) -> Reply:
    return text_reply(406, "no acceptable format; this query can give: " + ", ".join(types))


def negotiate(accept: str, offered: dict[str, str], default: str) -> str | None:
    """The format of the highest-q media range of `accept` that we offer (`*/*` and `type/*`
    give the default); None when nothing fits."""
    if not accept.strip():
        return default
    ranges = []
    for position, item in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in item.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranges.append((-q, position, media.lower()))
    for negative_q, _, media in sorted(ranges):
        if not negative_q < 0:  # q=0, and NaN, refuse
            continue
        if media == "*/*":
            return default
        for offered_type, fmt in offered.items():
            if media == offered_type or (
                media.endswith("/*") and offered_type.startswith(media[:-1])
            ):
                return fmt
    return None


def render_table(table: Any, fmt: str, ask: bool = False) -> bytes:
    from kg.output import render_sparql_json, render_sparql_xml

    if fmt == "json":
        return render_sparql_json(table, None).encode("utf-8")
    if fmt == "xml":
        return render_sparql_xml(table, None).encode("utf-8")
    return _delimited(table, fmt == "tsv", ask).encode("utf-8")


def _delimited(table: Any, tsv: bool, ask: bool) -> str:
    """SPARQL 1.1 CSV (plain values, CRLF) or TSV (?names, values in N-Triples syntax)."""
    from rdflib import BNode

    if ask:
        value = "true" if bool(table.rows[0]["ask"]) else "false"
        return f"?ask\n{value}\n" if tsv else f"ask\r\n{value}\r\n"
    if tsv:
        lines = ["\t".join("?" + v for v in table.variables)]
        for row in table.rows:
            lines.append("\t".join(_nt(row.get(v)) for v in table.variables))
        return "\n".join(lines) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.variables)
    for row in table.rows:
        cells = []
        for v in table.variables:
            term = row.get(v)
            if term is None:
                cells.append("")
            else:
                cells.append(f"_:{term}" if isinstance(term, BNode) else str(term))
        writer.writerow(cells)
    return buffer.getvalue()


def _nt(term: Any) -> str:
    return "" if term is None else str(term.n3())


# --- in the server -----------------------------------------------------------------------------


class Worker:
    """One worker process and the pipe to it; `run` is called by one thread at a time."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self.process: Any = None
        self.conn: Connection | None = None
        self.start()

    def start(self) -> None:
        pool = self.pool
        ctx = pool.context
        parent, child = ctx.Pipe()
        process = ctx.Process(
            target=worker_main,
            args=(child, pool.store, pool.memory_mb, pool.max_rows, pool.server, pool.project),
            daemon=True,
            name="kg-serve-worker",
        )
        process.start()
        child.close()
        self.process, self.conn = process, parent

    def kill(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
        if self.conn is not None:
            self.conn.close()

    def restart(self) -> None:
        self.kill()
        if self.process is not None:
            self.process.join(1)
        if not self.pool.closed:
            self.start()

    def run(self, job: Job, timeout: float) -> Reply:
        """The worker's reply, or 503 when the deadline passes (the worker is killed and
        replaced) and 500/503 when the worker dies (crash, memory)."""
        try:
            assert self.conn is not None
            self.conn.send(job)
            if self.conn.poll(timeout):
                status, body, content_type, headers = self.conn.recv()
                return Reply(status, body, content_type, headers)
        except (EOFError, OSError, ValueError, AssertionError):
            return self._died()
        if self.pool.closed:
            return text_reply(503, "the server is stopping")
        self.restart()
        return text_reply(
            503, f"the query ran past the time limit of {timeout:g} s and was stopped"
        )

    def _died(self) -> Reply:
        if self.pool.closed:
            return text_reply(503, "the server is stopping")
        code = None
        if self.process is not None:
            self.process.join(1)
            code = self.process.exitcode
        self.restart()
        if code == -signal.SIGABRT:
            return text_reply(503, memory_message(self.pool.memory_mb))
        return text_reply(500, "the query stopped its worker process (restarted); try another")


class WorkerPool:
    def __init__(
        self, store: str, size: int, memory_mb: int, max_rows: int, project: Any = None
    ) -> None:
        import multiprocessing

        self.store, self.memory_mb, self.max_rows = store, memory_mb, max_rows
        self.project = project
        self.server = os.getpid()
        self.closed = False
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["kg.publishing.serve_worker", "pyoxigraph", "rdflib"])
        self.workers = [Worker(self) for _ in range(size)]

    def close(self) -> None:
        """Kill every worker now (safe to call twice, and from a signal handler)."""
        self.closed = True
        for worker in self.workers:
            try:
                worker.kill()
            except (OSError, ValueError):
                pass
