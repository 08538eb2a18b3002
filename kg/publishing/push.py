"""Publishing a build to a SPARQL store (`kg push`): the whole build as one named graph, loaded
into a staging graph, counted, then swapped in, so that the graph readers use is replaced in one
step and an interrupted push leaves it as it was.

    staging = <graph>-staging
    DROP SILENT GRAPH <staging>                      a leftover of an interrupted push
    load <staging>: GSP PUT + POSTs of --batch lines, or INSERT DATA of --batch triples
    COUNT <staging> == distinct triples of the build, else stop (the target is untouched)
    COPY <staging> TO <graph>                        one update, one transaction
    DROP SILENT GRAPH <staging>
    COUNT <graph> == distinct triples of the build

What a reader of <graph> may see during the swap depends on the store; on Virtuoso 7.2 the COPY
is one transaction (`DEFINE sql:log-enable 1`, stated on every update because Virtuoso keeps a
request's log mode on its HTTP thread for later requests), readers see the old graph until the
commit and, during the commit, a mix: docs/publishing.md has the measurements.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import EndpointError
from kg.namespaces import GRAPH
from kg.publishing.client import Credentials, Http, check_url
from kg.publishing.payload import DURATION, Payload
from kg.publishing.remote import RemoteEngine
from kg.publishing.targets import Target, server_of, target_for
from kg.store import Build

DEFAULT_GRAPH = str(GRAPH["all"])
METHODS = ("gsp", "update", "bulk")
DEFAULT_BATCH = {"gsp": 100_000, "update": 1_000, "bulk": 100_000}
# Virtuoso refuses INSERT DATA of more than ~2,000-4,000 triples (SP030/SP031); large GSP
# requests can hang it (docs/virtuoso.md).
MAX_BATCH = {"gsp": 100_000, "update": 2_000, "bulk": 100_000}
PIECE_TIMEOUT = 300.0  # seconds for one piece
SWAP_TIMEOUT = 3600.0  # seconds for the copy, the drops and the counts of a large graph
XSD_DURATION = "http://www.w3.org/2001/XMLSchema#duration"
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')

Progress = Callable[[str], None]
PieceHook = Callable[[int, int], None]  # (pieces loaded, triples sent), after each piece


@dataclass
class PushReport:
    graph: str
    staging: str
    method: str
    store: str
    triples: int = 0  # distinct triples, what the graph holds now
    sent: int = 0  # triple lines sent (a triple of several graphs is sent once per graph)
    previous: int = 0  # triples the graph held before
    pieces: int = 0
    load_seconds: float = 0.0
    swap_seconds: float = 0.0
    seconds: float = 0.0
    retried: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.triples / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        lines = [
            f"pushed {self.triples} triples to <{self.graph}> by {self.method} "
            f"({self.pieces} piece{'s' if self.pieces != 1 else ''}; "
            f"it held {self.previous} before)",
            f"{self.seconds:.1f} s, {self.rate:,.0f} triples/s end to end "
            f"(staging {self.load_seconds:.1f} s, swap {self.swap_seconds:.1f} s)",
        ]
        if self.sent != self.triples:
            lines.append(f"{self.sent} triples sent: {self.sent - self.triples} in several graphs")
        if self.retried:
            lines.append(f"{self.retried} transient failure(s) retried")
        return "\n".join(lines + [f"warning: {w}" for w in self.warnings])


def check_graph(graph: str) -> None:
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", graph) or IRI_FORBIDDEN.search(graph):
        raise EndpointError(
            f"--graph '{graph[:200]}' is not an absolute IRI", f"e.g. {DEFAULT_GRAPH}"
        )


def staging_graph(graph: str) -> str:
    return f"{graph}-staging"


def push(
    build: Build,
    endpoint: str,
    graph: str = DEFAULT_GRAPH,
    method: str = "gsp",
    batch: int | None = None,
    gsp_url: str | None = None,
    credentials: Credentials | None = None,
    progress: Progress | None = None,
    on_piece: PieceHook | None = None,
    retries: int = 3,
    sleep: Callable[[float], None] = time.sleep,
    load_dir: Path | None = None,
) -> PushReport:
    """Replace the named graph `graph` of the store behind `endpoint` with the whole build;
    `method` bulk (Virtuoso's bulk loader reading `load_dir`) is in kg.publishing.bulk."""
    check_graph(graph)
    if method not in METHODS:
        raise EndpointError(f"unknown push method '{method}'", "gsp, update or bulk")
    size = DEFAULT_BATCH[method] if batch is None else batch
    if not 1 <= size <= MAX_BATCH[method]:
        raise EndpointError(
            f"--batch {size} is out of range for --method {method}",
            f"from 1 to {MAX_BATCH[method]}",
        )
    check_url(endpoint)
    http = Http(credentials, timeout=PIECE_TIMEOUT, retries=retries, sleep=sleep)
    target = target_for(endpoint, server_of(http, endpoint), gsp_url)
    if method == "bulk":
        from kg.publishing.bulk import BulkPusher, check_bulk

        folder = check_bulk(graph, load_dir, target.store)
        bulk = BulkPusher(target, graph, http, credentials, progress, retries, sleep)
        return bulk.run_bulk(Payload.of(build), folder, on_piece)
    pusher = Pusher(target, graph, http, credentials, progress, retries, sleep)
    return pusher.run(Payload.of(build), method, size, on_piece)


class Pusher:
    """The steps of one push against one store."""

    def __init__(
        self,
        target: Target,
        graph: str,
        http: Http,
        credentials: Credentials | None,
        progress: Progress | None,
        retries: int,
        sleep: Callable[[float], None],
    ) -> None:
        self.target = target
        self.graph = graph
        self.staging = staging_graph(graph)
        self.http = http
        self.say = progress or (lambda _message: None)
        self.sleep = sleep
        self.updater = RemoteEngine(target.update_url, SWAP_TIMEOUT, credentials, retries, sleep)
        self.updater.http.auth = http.auth  # one challenge and nonce count for the server
        self.reader = RemoteEngine(target.query_url, SWAP_TIMEOUT, credentials, retries, sleep)
        self.reader.http.auth = http.auth

    def run(self, payload: Payload, method: str, size: int, hook: PieceHook | None) -> PushReport:
        report = PushReport(self.graph, self.staging, method, self.target.store)
        started = time.perf_counter()
        self.update(f"DROP SILENT GRAPH <{self.staging}>")
        try:
            load = self.load_gsp if method == "gsp" else self.load_update
            report.pieces = load(payload, size, hook)
            self.check(self.staging, payload, "the staging graph")
            report.load_seconds = time.perf_counter() - started
            report.previous = self.reader.count(self.graph)
            self.copy()
        except BaseException:
            self.discard_staging()
            raise
        left = self.drop_staging()
        report.swap_seconds = time.perf_counter() - started - report.load_seconds
        self.check(self.graph, payload, f"<{self.graph}> after the swap")
        report.seconds = time.perf_counter() - started
        report.triples, report.sent = payload.distinct, payload.lines
        report.retried = self.http.retried + self.updater.http.retried + self.reader.http.retried
        report.warnings = self.warnings(payload) + ([left] if left else [])
        return report

    # --- loading the staging graph -----------------------------------------------------------

    def load_gsp(self, payload: Payload, size: int, hook: PieceHook | None) -> int:
        url = self.target.gsp(self.staging)
        done, number = 0, 0
        for number, piece in enumerate(payload.pieces(size), 1):
            verb = "PUT" if number == 1 else "POST"
            body = b"".join(piece)
            answer = self.http.request(verb, url, body, {"Content-Type": "application/n-triples"})
            if answer.status not in (200, 201, 204):
                raise EndpointError(
                    f"{self.target.gsp_url} answered {verb} of piece {number} with HTTP "
                    f"{answer.status}: {answer.message() or 'no message'}"
                )
            done += len(piece)
            self._piece(number, done, hook)
        return number

    def load_update(self, payload: Payload, size: int, hook: PieceHook | None) -> int:
        done, number = 0, 0
        for number, piece in enumerate(payload.pieces(size), 1):
            self.update(self.insert_data(piece))
            done += len(piece)
            self._piece(number, done, hook)
        return number

    def insert_data(self, piece: list[bytes]) -> str:
        """INSERT DATA of N-Triples lines; on Virtuoso, which refuses xsd:duration in INSERT DATA
        (SR553), those triples go in an INSERT ... WHERE { BIND(STRDT(...)) } instead."""
        plain = piece
        durations: list[bytes] = []
        if self.target.store == "virtuoso":
            plain = [t for t in piece if DURATION not in t]
            durations = [t for t in piece if DURATION in t]
        parts = []
        if plain:
            text = b"".join(plain).decode("utf-8")
            parts.append(f"INSERT DATA {{ GRAPH <{self.staging}> {{\n{text}}} }}")
        if durations:
            patterns, binds = [], []
            for i, triple in enumerate(durations):
                subject, predicate, rest = triple.decode("utf-8").split(None, 2)
                lexical = rest[: rest.rfind('"') + 1]
                patterns.append(f"{subject} {predicate} ?d{i} .")
                binds.append(f"BIND(STRDT({lexical}, <{XSD_DURATION}>) AS ?d{i})")
            parts.append(
                f"INSERT {{ GRAPH <{self.staging}> {{ {' '.join(patterns)} }} }}\n"
                f"WHERE {{ {' '.join(binds)} }}"
            )
        return " ;\n".join(parts)

    def _piece(self, number: int, done: int, hook: PieceHook | None) -> None:
        self.say(f"staging <{self.staging}>: piece {number}, {done} triples")
        if hook is not None:
            hook(number, done)

    # --- checking and swapping ---------------------------------------------------------------

    def check(self, graph: str, payload: Payload, what: str) -> None:
        found = self.reader.count(graph)
        if found != payload.distinct:
            raise EndpointError(
                f"{what} holds {found} triples, not the {payload.distinct} of the build",
                "the store dropped or merged some; nothing was swapped"
                if graph == self.staging
                else "push again",
            )

    def copy(self) -> None:
        """The swap: one COPY, one transaction. Virtuoso aborts a transaction whose log grows
        past TransactionAfterImageLimit (50 MB by default, about a million triples): the graph
        is then left as it was."""
        self.say(f"swapping <{self.staging}> into <{self.graph}>")
        try:
            self.update(f"COPY <{self.staging}> TO <{self.graph}>")
        except EndpointError as exc:
            if "SR325" not in str(exc):
                raise
            raise EndpointError(
                f"Virtuoso refused to copy the staging graph into <{self.graph}> in one "
                "transaction (SR325: its log outgrew TransactionAfterImageLimit); "
                f"<{self.graph}> was left as it was",
                "raise TransactionAfterImageLimit in virtuoso.ini, or as dba in isql: "
                "__dbf_set('txn_after_image_limit', 2000000000); see docs/publishing.md",
            ) from None

    def drop_staging(self) -> str | None:
        """After the swap: a failure here leaves <graph> right, and is a warning."""
        try:
            self.update(f"DROP SILENT GRAPH <{self.staging}>")
        except EndpointError as exc:
            return f"the staging graph <{self.staging}> is left ({exc}); the next push drops it"
        return None

    def discard_staging(self) -> None:
        """Best effort after a failure: readers of the default graph see the staging graph."""
        try:
            self.updater.http.retries = 0
            self.update(f"DROP SILENT GRAPH <{self.staging}>")
        except Exception:  # noqa: BLE001 - the first error is the one to report
            pass

    def update(self, text: str) -> str:
        if self.target.store == "virtuoso":
            text = "DEFINE sql:log-enable 1\n" + text
        return self.updater.update(text)

    def warnings(self, payload: Payload) -> list[str]:
        if self.target.store != "virtuoso":
            return []
        out = []
        if payload.durations:
            out.append(
                f"{payload.durations} xsd:duration literal(s): Virtuoso stores them as numbers "
                '("P4D" reads back as "345600.0"); see docs/publishing.md'
            )
        if payload.wkt:
            out.append(
                f"{payload.wkt} geo:wktLiteral value(s): Virtuoso reads them back as "
                "virtrdf:Geometry in single precision"
            )
        return out
