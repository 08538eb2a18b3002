"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the embedded store, with the standard
library's ThreadingHTTPServer.

- `/sparql`: queries by GET (`?query=`) and POST (`application/x-www-form-urlencoded` with
  `query=`, or `application/sparql-query`), with `default-graph-uri` and `named-graph-uri`;
  without them the default graph is the union of the named graphs, as in `kg query`. The
  great-circle distance function of the catalogue (hckfn:distanceKm) is registered.
- Content negotiation by Accept: SPARQL JSON (default), XML, CSV and TSV for SELECT and ASK;
  Turtle (default) and N-Triples for CONSTRUCT and DESCRIBE; 406 otherwise.
- Read-only: an update (`update=`, `application/sparql-update`, or an update sent as a query) is
  refused with 403; the store itself is opened read-only.
- A query runs in a worker thread with a deadline (--timeout): past it the answer is 503 with a
  message. Oxigraph cannot stop a query midway: a SELECT stops at its next row, an aggregate
  finishes in its worker, which stays busy until then (--workers of them at most).
- At most --max-rows rows (or triples) per answer: a longer answer is cut to that many and
  carries `X-SPARQL-MaxRows: N`, which is sent only on a cut answer (Virtuoso also sends it on a
  complete answer of exactly N rows; kg's RemoteEngine asks for row N+1 to tell, and so gets
  the right verdict from both).
- `/void`: the VoID/DCAT description of the build (Turtle), naming this endpoint.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kg.errors import KgError, QueryError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 10_000
MAX_BODY = 1_000_000  # bytes of a POSTed query
TABLE_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {"text/turtle": "ttl", "application/n-triples": "nt", "text/plain": "nt"}
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
}
_UPDATE = re.compile(
    r"^\s*(?:(?:BASE|PREFIX\s+[\w.-]*:)\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def text_reply(status: int, message: str) -> Reply:
    return Reply(status, (message.rstrip("\n") + "\n").encode("utf-8"))


class SparqlService:
    """Answers SPARQL queries on an Oxigraph store: the part of the server that knows nothing
    of HTTP."""

    def __init__(
        self,
        engine: Any,
        void: bytes = b"",
        timeout: float = DEFAULT_TIMEOUT,
        max_rows: int = DEFAULT_MAX_ROWS,
        workers: int = 4,
    ) -> None:
        self.engine = engine  # kg.engines.OxigraphEngine
        self.void = void
        self.timeout = timeout
        self.max_rows = max_rows
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparql")

    def answer(
        self,
        query: str,
        accept: str = "",
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Reply:
        if _UPDATE.match(_code(query)):
            return refuse_update()
        stop = threading.Event()
        future = self.pool.submit(self._run, query, accept, default_graphs, named_graphs, stop)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            stop.set()
            return text_reply(
                503, f"the query ran past the time limit of {self.timeout:g} s and was abandoned"
            )

    def _run(
        self,
        query: str,
        accept: str,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
        stop: threading.Event,
    ) -> Reply:
        import pyoxigraph as ox

        options: dict[str, Any] = {"custom_functions": self.engine.functions}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            result = self.engine.store.query(query, **options)
        except SyntaxError as exc:
            return text_reply(400, f"SPARQL syntax: {exc}")
        except (ValueError, OSError) as exc:
            return text_reply(400, f"the query failed: {exc}")
        try:
            if isinstance(result, ox.QueryTriples):
                return self._graph(result, accept, stop)
            return self._table(result, accept, stop)
        except (ValueError, OSError) as exc:
            return text_reply(500, f"the query failed while running: {exc}")

    def _table(self, result: Any, accept: str, stop: threading.Event) -> Reply:
        fmt = negotiate(accept, TABLE_TYPES, "json")
        if fmt is None:
            return not_acceptable(TABLE_TYPES)
        import pyoxigraph as ox

        from kg.engines import Table, _from_ox

        if isinstance(result, ox.QueryBoolean):
            from rdflib import Literal

            table = Table(["ask"], [{"ask": Literal(bool(result))}])
            return Reply(200, render_table(table, fmt, ask=True), CONTENT_TYPES[fmt])
        names = [v.value for v in result.variables]
        rows, cut = _limited(({n: _from_ox(s[n]) for n in names} for s in result), self)
        if stop.is_set():
            return text_reply(503, "abandoned")
        headers = {"X-SPARQL-MaxRows": str(self.max_rows)} if cut else {}
        body = render_table(Table(names, rows), fmt)
        return Reply(200, body, CONTENT_TYPES[fmt], headers)

    def _graph(self, result: Any, accept: str, stop: threading.Event) -> Reply:
        fmt = negotiate(accept, GRAPH_TYPES, "ttl")
        if fmt is None:
            return not_acceptable(GRAPH_TYPES)
        import pyoxigraph as ox

        triples, cut = _limited(iter(result), self)
        if stop.is_set():
            return text_reply(503, "abandoned")
        rdf_format = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.N_TRIPLES
        body = ox.serialize(triples, format=rdf_format) or b""
        headers = {"X-SPARQL-MaxRows": str(self.max_rows)} if cut else {}
        return Reply(200, body, CONTENT_TYPES[fmt], headers)


def _limited(items: Iterator[Any], service: SparqlService) -> tuple[list[Any], bool]:
    """At most max_rows items, and whether there were more."""
    out: list[Any] = []
    for item in items:
        if len(out) == service.max_rows:
            return out, True
        out.append(item)
    return out, False


def _code(query: str) -> str:
    from kg.sparqltext import _tokens

    return "".join(c for _, c in _tokens(query))


def refuse_update() -> Reply:
    return text_reply(403, "this endpoint is read-only: SPARQL Update is refused")


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
        if negative_q == 0:
            break
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
    if term is None:
        return ""
    return str(term.n3())


class Handler(BaseHTTPRequestHandler):
    """HTTP around a SparqlService (set on the server as `service`)."""

    server_version = "kg-serve"
    protocol_version = "HTTP/1.1"

    @property
    def service(self) -> SparqlService:
        return self.server.service  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        if getattr(self.server, "log", None):
            self.server.log(f"{self.address_string()} {format % args}")  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        url = urlsplit(self.path)
        if url.path == "/void":
            self.send(Reply(200, self.service.void, "text/turtle; charset=utf-8"))
        elif url.path == "/sparql":
            self.sparql(parse_qs(url.query, keep_blank_values=True))
        else:
            self.send(text_reply(404, f"nothing at {url.path}: the endpoint is /sparql"))

    def do_HEAD(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        self.send(Reply(200 if path in ("/sparql", "/void") else 404, b""), head=True)

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self.send(text_reply(404, f"nothing at {url.path}: the endpoint is /sparql"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send(text_reply(413, f"a query of more than {MAX_BODY} bytes is refused"))
            return
        body = self.rfile.read(length).decode("utf-8", "replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if kind == "application/sparql-update":
            self.send(refuse_update())
        elif kind == "application/sparql-query":
            self.sparql({**params, "query": [body]})
        elif kind == "application/x-www-form-urlencoded":
            form = parse_qs(body, keep_blank_values=True)
            self.sparql({**params, **form})
        else:
            self.send(
                text_reply(
                    415,
                    "POST a query as application/x-www-form-urlencoded (query=...) "
                    "or application/sparql-query",
                )
            )

    def do_PUT(self) -> None:  # noqa: N802
        self.send(Reply(405, b"this endpoint is read-only\n", headers={"Allow": "GET, POST, HEAD"}))

    do_DELETE = do_PATCH = do_PUT  # noqa: N815

    def sparql(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self.send(refuse_update())
            return
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self.send(text_reply(400, "give exactly one query: /sparql?query=..."))
            return
        reply = self.service.answer(
            queries[0],
            self.headers.get("Accept", ""),
            params.get("default-graph-uri"),
            params.get("named-graph-uri"),
        )
        self.send(reply)

    def send(self, reply: Reply, head: bool = False) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(reply.body)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        service: SparqlService,
        log: Callable[[str], None] | None = None,
    ) -> None:
        # Set first: a bind that fails calls server_close, which shuts the service's pool.
        self.service = service
        self.log = log
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}/sparql"

    def server_close(self) -> None:
        super().server_close()
        self.service.pool.shutdown(wait=False, cancel_futures=True)


def make_server(
    project: Any,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    workers: int = 4,
    log: Callable[[str], None] | None = None,
) -> Server:
    """A server on the project's current build, bound but not yet serving (port 0: a free one)."""
    from kg.engines import OxigraphEngine
    from kg.exporting.rdf import describe
    from kg.store import require_build

    if timeout <= 0 or max_rows <= 0 or workers <= 0:
        raise QueryError("--timeout, --max-rows and --workers must be above 0")
    build = require_build(project)
    engine = OxigraphEngine.open(str(build.oxigraph))
    service = SparqlService(engine, b"", timeout, max_rows, workers)
    try:
        server = Server((host, port), service, log)
    except OSError as exc:
        raise KgError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    service.void = describe(project, build, server.url).serialize(format="turtle").encode("utf-8")
    return server
