"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the embedded store, on Starlette and
uvicorn.

- `/sparql`: queries by GET (`?query=`) and POST (`application/x-www-form-urlencoded` with
  `query=`, or `application/sparql-query`), with `default-graph-uri` and `named-graph-uri`;
  without them the default graph is the union of the named graphs, as in `kg query`. The
  great-circle distance of the catalogue (GeoSPARQL's geof:distance) is Oxigraph's own.
- Content negotiation by Accept: SPARQL JSON (default), XML, CSV and TSV for SELECT and ASK;
  Turtle (default) and N-Triples for CONSTRUCT and DESCRIBE; 406 otherwise.
- Read-only: an update (`update=`, `application/sparql-update`, or an update sent as a query) is
  refused with 403; the store itself is opened read-only.
- Checked before parsing (kg.publishing.serve_limits): the body size (413), the query size
  (--max-query, 413), the nesting depth and the UNION count (400), SERVICE (400 unless its IRI
  was given with --allow-service).
- Each query runs in a worker process (kg.publishing.serve_worker) with a memory cap (--memory)
  and a deadline (--timeout): past it the worker is killed and replaced, the answer is 503.
  At most --workers queries run; --queue more wait (503 with Retry-After past that); one client
  address has at most --per-client queries running or waiting (429 with Retry-After past that).
- Slow clients: the request line and headers must arrive within --header-timeout seconds of the
  connection (or of the previous answer), the body within --body-timeout seconds (408).
- At most --max-rows rows (or triples) per answer: a longer answer is cut to that many and
  carries `X-SPARQL-MaxRows: N`, which is sent only on a cut answer (Virtuoso also sends it on a
  complete answer of exactly N rows; kg's RemoteEngine asks for row N+1 to tell, and so gets
  the right verdict from both).
- `/void`: the VoID/DCAT description of the build (Turtle), naming this endpoint; `/dataset`
  the same for browsers. `GET /sparql` without a query: the SPARQL 1.1 Service Description.
  CORS: every answer allows any origin to read it; `OPTIONS /sparql` answers a preflight.
- The pages of kg.site (`/`, `/query`, `/id/...`, `/vocab/...`, `/ontology`) are made in the
  workers like queries (same deadline, memory cap, queue and per-client limits), and kept once
  made (kg.publishing.serve_cache: the build does not change under the server; `X-Cache: hit`
  or `miss`); `/static/...` serves kg/site/static/ only. See kg.site.render.
- SIGINT or SIGTERM: the workers are killed at once, running queries answer 503, and the server
  stops within a second.
"""

from __future__ import annotations

import asyncio
import math
import signal
import socket
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from kg.errors import KgError
from kg.publishing.serve_cache import PageCache
from kg.publishing.serve_http import bind, guarded_protocol
from kg.publishing.serve_limits import DEFAULT_MAX_QUERY, check
from kg.publishing.serve_meta import (
    CORS,
    PREFLIGHT,
    described,
    jsonld_context,
    service_description,
    static_file,
    wants_html,
)
from kg.publishing.serve_worker import (
    DEFAULT_MEMORY_MB,
    GRAPH_TYPES,
    TABLE_TYPES,
    Job,
    Reply,
    WorkerPool,
    negotiate,
    text_reply,
)

__all__ = ["GRAPH_TYPES", "TABLE_TYPES", "Limits", "Server", "make_server", "negotiate"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
MAX_CONNECTIONS = 512  # open at once; past it uvicorn answers 503
MAX_HEADERS = 65_536  # bytes of request line and headers (a GET query travels in the URL)
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"
NOT_HERE = "nothing at {}: the endpoint is /sparql"


@dataclass(frozen=True)
class Limits:
    """What one server allows; the CLI options of kg serve, checked by `validate`."""

    timeout: float = 30.0
    max_rows: int = 10_000
    workers: int = 4
    queue: int = 16
    per_client: int = 2
    memory_mb: int = DEFAULT_MEMORY_MB
    max_query: int = DEFAULT_MAX_QUERY
    max_body: int = 1_000_000
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    allow_service: frozenset[str] = field(default_factory=frozenset)

    def validate(self, port: int) -> None:
        """One KgError naming the first option out of range."""
        if not 0 <= port <= 65535:
            raise KgError(f"--port {port} is not a port number", "give 0 to 65535")
        for name in ("timeout", "header_timeout", "body_timeout"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 < value <= 86_400):
                raise KgError(
                    f"--{name.replace('_', '-')} {value} is not a number of seconds",
                    "give a number above 0 and at most 86400",
                )
        for name, low in (("max_rows", 1), ("workers", 1), ("queue", 0), ("per_client", 1),
                          ("memory_mb", 1024), ("max_query", 1), ("max_body", 1)):
            if getattr(self, name) < low:
                option = "--memory" if name == "memory_mb" else f"--{name.replace('_', '-')}"
                raise KgError(f"{option} {getattr(self, name)} is too small", f"give {low} or more")
        for url in self.allow_service:
            if not url.startswith(("http://", "https://")) or any(c in url for c in "<> \"{}"):
                raise KgError(f"--allow-service '{url[:200]}' is not an http(s) IRI")


class Dispatcher:
    """The queue in front of the workers: admission (queue size, per-client cap), a free
    worker for each query, and the deadline."""

    def __init__(self, pool: WorkerPool, limits: Limits) -> None:
        self.pool, self.limits = pool, limits
        self.executor = ThreadPoolExecutor(len(pool.workers), thread_name_prefix="kg-serve")
        self.free: asyncio.Queue[Any] | None = None
        self.pending = 0
        self.by_client: Counter[str] = Counter()

    async def run(self, client: str, job: Job) -> Reply:
        limits = self.limits
        if self.free is None:
            self.free = asyncio.Queue()
            for worker in self.pool.workers:
                self.free.put_nowait(worker)
        retry = {"Retry-After": str(max(1, math.ceil(limits.timeout)))}
        if self.by_client[client] >= limits.per_client:
            return text_reply(
                429, f"{limits.per_client} queries of this client are already running", retry
            )
        if self.pending >= len(self.pool.workers) + limits.queue:
            return text_reply(503, "every worker is busy and the queue is full", retry)
        self.pending += 1
        self.by_client[client] += 1
        try:
            try:
                worker = await asyncio.wait_for(self.free.get(), limits.timeout)
            except TimeoutError:
                return text_reply(503, "no worker became free in time", retry)
            loop, free = asyncio.get_running_loop(), self.free
            future = self.executor.submit(worker.run, job, limits.timeout)
            future.add_done_callback(lambda _: _call_soon(loop, free.put_nowait, worker))
            return await asyncio.wrap_future(future)
        finally:
            self.pending -= 1
            self.by_client[client] -= 1
            if not self.by_client[client]:
                del self.by_client[client]

    def close(self) -> None:
        self.pool.close()
        self.executor.shutdown(wait=False, cancel_futures=True)


def _call_soon(loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(fn, *args)
    except RuntimeError:  # the loop has closed: the server is stopping
        pass


def make_app(
    dispatcher: Dispatcher,
    void: Callable[[], bytes],
    log: Any = None,
    service: Callable[[], Any] | None = None,
) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    limits = dispatcher.limits
    pages = PageCache()  # the build does not change under the server: a page made is kept

    def respond(request: Request, reply: Reply) -> Response:
        if log:
            client = request.client.host if request.client else "-"
            log(f"{client} {request.method} {request.url.path} {reply.status}")
        body = b"" if request.method == "HEAD" else reply.body
        headers = {**CORS, **reply.headers}
        response = Response(body, reply.status, headers, media_type=reply.content_type)
        if request.method == "HEAD":
            response.headers["content-length"] = str(len(reply.body))
        return response

    async def sparql(request: Request) -> Response:
        if request.method == "OPTIONS":
            return respond(request, Reply(204, b"", headers=PREFLIGHT))
        if request.method not in ("GET", "POST", "HEAD"):
            return read_only(request)
        params = parse_qs(request.url.query, keep_blank_values=True)
        if request.method == "POST":
            body = await read_body(request, limits)
            if isinstance(body, Reply):
                return respond(request, body)
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            text = body.decode("utf-8", "replace")
            if kind == "application/sparql-update":
                return respond(request, text_reply(403, READ_ONLY))
            if kind == "application/sparql-query":
                params = {**params, "query": [text]}
            elif kind == "application/x-www-form-urlencoded":
                params = {**params, **parse_qs(text, keep_blank_values=True)}
            else:
                return respond(request, text_reply(415, (
                    "POST a query as application/x-www-form-urlencoded (query=...) "
                    "or application/sparql-query")))
        elif not params and service is not None:
            return respond(request, described(request, service()))
        elif request.method == "HEAD" and "query" not in params:
            return respond(request, Reply(200, b""))
        return respond(request, await query(request, params))

    async def query(request: Request, params: dict[str, list[str]]) -> Reply:
        if "update" in params:
            return text_reply(403, READ_ONLY)
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return text_reply(400, "give exactly one query: /sparql?query=...")
        # In a thread: a 100,000-character query takes up to ~0.1 s to scan
        refusal = await asyncio.to_thread(
            check, queries[0], limits.max_query, limits.allow_service
        )
        if refusal:
            return text_reply(refusal.status, refusal.message)
        job = Job(
            queries[0],
            request.headers.get("accept", ""),
            tuple(params.get("default-graph-uri", [])),
            tuple(params.get("named-graph-uri", [])),
        )
        client = request.client.host if request.client else "-"
        return await dispatcher.run(client, job)

    async def description_page(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return read_only(request)
        from kg.site.render import description

        params = parse_qs(request.url.query, keep_blank_values=True)
        made = await asyncio.to_thread(
            description, void(), request.url.path, params, request.headers.get("accept", "")
        )
        return respond(request, Reply(made.status, made.body, made.content_type, made.headers))

    async def page(request: Request) -> Response:
        """A page of kg.site, made by a worker (its deadline and memory cap apply)."""
        if request.method not in ("GET", "HEAD"):
            return read_only(request)
        pairs = parse_qsl(request.url.query, keep_blank_values=True)
        if len(pairs) > 50:
            return respond(request, text_reply(400, "too many parameters"))
        job = Job("", request.headers.get("accept", ""), page=request.url.path,
                  params=tuple(pairs))
        client = request.client.host if request.client else "-"
        key = (job.page, job.params, job.accept)
        return respond(request, await pages.get(key, lambda: dispatcher.run(client, job)))

    async def static(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return read_only(request)
        found = static_file(request.url.path.removeprefix("/static/"))
        if found is None:
            return await elsewhere(request)
        body, content_type = found
        headers = {"Cache-Control": "public, max-age=3600"}
        return respond(request, Reply(200, body, content_type, headers))

    async def context(request: Request) -> Response:
        """The JSON-LD context of the exports, at a stable path."""
        if request.method not in ("GET", "HEAD"):
            return read_only(request)
        return respond(request, Reply(200, jsonld_context(), "application/ld+json",
                                      {"Cache-Control": "public, max-age=3600"}))

    def read_only(request: Request) -> Response:
        reply = Reply(405, b"this endpoint is read-only\n", headers={"Allow": "GET, POST, HEAD"})
        return respond(request, reply)

    async def elsewhere(request: Request) -> Response:
        message = NOT_HERE.format(request.url.path[:200])
        if wants_html(request.headers.get("accept", "")):
            from kg.site.render import error_page

            made = error_page(404, f"nothing at {request.url.path[:200]}")
            return respond(request, Reply(404, made.body, made.content_type))
        return respond(request, text_reply(404, message))

    every = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
    app = Starlette(
        routes=[
            Route("/sparql", sparql, methods=every),
            Route("/void", description_page, methods=every),
            Route("/dataset", description_page, methods=every),
            Route("/", page, methods=every),
            Route("/query", page, methods=every),
            Route("/ontology", page, methods=every),
            Route("/id/{path:path}", page, methods=every),
            Route("/vocab/{path:path}", page, methods=every),
            Route("/static/{path:path}", static, methods=every),
            Route("/context.jsonld", context, methods=every),
            Route("/{path:path}", elsewhere, methods=every),
        ]
    )
    app.state.pages = pages
    return app


async def read_body(request: Any, limits: Limits) -> bytes | Reply:
    """The body, at most max_body bytes and within body_timeout seconds."""
    declared = request.headers.get("content-length", "")
    too_big = text_reply(413, f"a request body of more than {limits.max_body} bytes is refused")
    if declared.isdigit() and int(declared) > limits.max_body:
        return too_big
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(limits.body_timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limits.max_body:
                    return too_big
                chunks.append(chunk)
    except TimeoutError:
        return text_reply(408, f"the request body did not arrive within {limits.body_timeout:g} s")
    return b"".join(chunks)


class Server:
    """A bound server: serve_forever() runs it (in any thread), shutdown() stops it from another
    thread, server_close() kills the workers and frees the port. SIGINT/SIGTERM stop it when it
    runs in the main thread."""

    def __init__(self, sock: socket.socket, dispatcher: Dispatcher, app: Any) -> None:
        self.socket, self.dispatcher, self.app = sock, dispatcher, app
        self.server_address = sock.getsockname()
        self.void = b""
        self.service: Any = None
        self._uvicorn: Any = None
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/sparql"

    def serve_forever(self) -> None:
        import uvicorn

        limits = self.dispatcher.limits
        config = uvicorn.Config(
            self.app,
            http=guarded_protocol(limits.header_timeout),
            lifespan="off",
            log_config=None,
            log_level="critical",
            access_log=False,
            timeout_keep_alive=5,
            limit_concurrency=MAX_CONNECTIONS,
            timeout_graceful_shutdown=0.5,  # type: ignore[arg-type]  # a float works
            h11_max_incomplete_event_size=MAX_HEADERS,
            server_header=False,
        )
        dispatcher = self.dispatcher

        class Uvicorn(uvicorn.Server):
            def handle_exit(self, sig: int, frame: Any) -> None:
                dispatcher.pool.close()  # running queries answer at once
                super().handle_exit(sig, frame)

        self._uvicorn = Uvicorn(config)
        main = threading.current_thread() is threading.main_thread()
        # uvicorn handles SIGTERM as SIGINT, then raises it again once stopped: as Ctrl-C
        previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
        try:
            self._uvicorn.run(sockets=[self.socket])
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)
            self.dispatcher.close()
            self._stopped.set()

    def shutdown(self) -> None:
        if self._uvicorn is not None:
            self.dispatcher.pool.close()
            self._uvicorn.should_exit = True
            self._stopped.wait(5)

    def server_close(self) -> None:
        self.dispatcher.close()
        self.socket.close()


def _interrupt(sig: int, frame: Any) -> None:
    raise KeyboardInterrupt


def make_server(
    project: Any,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    limits: Limits | None = None,
    log: Callable[[str], None] | None = None,
    **options: Any,
) -> Server:
    """A server on the project's current build, bound but not yet serving (port 0: a free one).
    `options` are Limits fields (timeout=, max_rows=, ...)."""
    from kg.exporting.rdf import describe
    from kg.store import require_build

    limits = limits or Limits(**options)
    limits.validate(port)
    build = require_build(project)
    sock = bind(host, port)
    try:
        pool = WorkerPool(
            str(build.oxigraph), limits.workers, limits.memory_mb, limits.max_rows, project
        )
    except BaseException:
        sock.close()
        raise
    dispatcher = Dispatcher(pool, limits)
    server = Server(sock, dispatcher, None)
    server.app = make_app(dispatcher, lambda: server.void, log, lambda: server.service)
    server.void = describe(project, build, server.url).serialize(format="turtle").encode("utf-8")
    server.service = service_description(server.url)
    return server
