"""`kg push --method bulk`: Virtuoso's bulk loader and a graph group, for a store on this machine
(or on a disk it shares) and an account with SQL rights (dba).

Readers query `<graph>` in a FROM clause or as `default-graph-uri`; on Virtuoso that IRI is then a
graph group (a named list of graphs, expanded where it is used as a default graph) whose one
member is the build now published, in one of two graphs, `<graph>-blue` and `<graph>-green`:

    live = the member named by the registry key `hospital-cyber-kg push <graph>` (none: a first
           bulk push, which creates the group and refuses a <graph> holding plain triples)
    next = the other one; cleared (a leftover of an interrupted push)
    write the build's triples as N-Triples into --load-dir (a folder in Virtuoso's DirsAllowed)
    ld_dir + rdf_loader_run() into <next>; the file is removed
    COUNT <next> == distinct triples of the build, else <next> is cleared and the push stops
    one request: add <next> to the group, remove <live>, set the registry key
    wait GRACE seconds (queries begun before the swap still read <live>), clear <live>
    COUNT <graph> == distinct triples of the build

Every SQL call goes through the SPARQL endpoint (`sql:` procedures and `bif:` functions in a
SELECT sent to /sparql-auth), with the push's credentials: nothing runs isql, no password is put
on a command line. Readers see the previous build until the swap and the new one after it; the
measurements (and what the group does not give: GRAPH <graph> { } patterns, Virtuoso's compiled
queries of a graph that was not yet a group) are in docs/publishing.md.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from kg.errors import EndpointError
from kg.publishing.payload import Payload
from kg.publishing.push import PieceHook, Pusher, PushReport

SLOTS = ("blue", "green")
# Seconds between the swap and clearing the previous build: a query that began before the swap
# reads the previous build (Virtuoso expands the group when it compiles a query), and one still
# running when the clearing starts would see it shrink.
GRACE = 5.0
REGISTRY_PREFIX = "hospital-cyber-kg push "
# Quotes and backslashes would have to be escaped twice (SPARQL string, then SQL string): refused.
UNQUOTABLE = re.compile(r"['\"\\\x00-\x1f]")


def slot_graph(graph: str, slot: str) -> str:
    return f"{graph}-{slot}"


def check_bulk(graph: str, load_dir: Path | None, store: str) -> Path:
    if store != "virtuoso":
        raise EndpointError(
            f"--method bulk needs Virtuoso (its bulk loader and graph groups); this is {store}",
            "push with --method gsp or update",
        )
    if load_dir is None:
        raise EndpointError(
            "--method bulk needs --load-dir: a folder that Virtuoso may read (DirsAllowed)",
            "e.g. --load-dir /var/lib/virtuoso-opensource-7/db/load, or push with --method gsp",
        )
    if UNQUOTABLE.search(graph):
        raise EndpointError(
            f"--graph '{graph[:200]}' holds a quote or a backslash, which --method bulk refuses",
            "choose an IRI without them, or push with --method gsp",
        )
    folder = load_dir.resolve()
    if not folder.is_dir():
        raise EndpointError(f"--load-dir {load_dir}: no such folder", "create it first")
    if UNQUOTABLE.search(str(folder)):
        raise EndpointError(
            f"--load-dir {folder} holds a quote, a backslash or a control character",
            "use a plain folder name",
        )
    if not os.access(folder, os.W_OK):
        raise EndpointError(f"--load-dir {folder} is not writable", "choose a folder you can write")
    return folder


class BulkPusher(Pusher):
    """The steps of one bulk push (see the module's docstring)."""

    def run_bulk(self, payload: Payload, load_dir: Path, hook: PieceHook | None) -> PushReport:
        started = time.perf_counter()
        live = self.live_slot()
        if live is None:
            self.adopt()
        upcoming = SLOTS[1] if live == SLOTS[0] else SLOTS[0]
        self.staging = slot_graph(self.graph, upcoming)
        report = PushReport(self.graph, self.staging, "bulk", self.target.store)
        self.clear(self.staging)
        try:
            path = self.write(payload, load_dir, hook)
            try:
                self.load(path)
            finally:
                path.unlink(missing_ok=True)
            self.check_loaded(path, payload)
            report.load_seconds = time.perf_counter() - started
            report.pieces = 1
            report.previous = self.group_count()
        except BaseException:
            self.discard_slot()
            raise
        # Not discarded if the swap fails: its one request may have been applied all the same,
        # and the slot would then be the published build; the next push clears the other one.
        self.swap(live, upcoming)
        left = None
        if live is not None:
            self.say(f"waiting {GRACE:.0f} s for the queries still reading the previous build")
            self.sleep(GRACE)
            left = self.clear_quietly(slot_graph(self.graph, live))
        report.swap_seconds = time.perf_counter() - started - report.load_seconds
        found = self.group_count()
        if found != payload.distinct:
            raise EndpointError(
                f"<{self.graph}> holds {found} triples after the swap, not the "
                f"{payload.distinct} of the build",
                "push again",
            )
        report.seconds = time.perf_counter() - started
        report.triples, report.sent = payload.distinct, payload.lines
        report.retried = self.http.retried + self.updater.http.retried + self.reader.http.retried
        report.warnings = self.warnings(payload) + ([left] if left else [])
        return report

    # --- SQL through SPARQL ------------------------------------------------------------------

    def call(self, *expressions: str) -> list[str]:
        """Evaluate SQL calls left to right in one SELECT on the update endpoint (as the
        account that pushes); their results as strings."""
        columns = " ".join(f"({e} AS ?c{i})" for i, e in enumerate(expressions))
        table = self.updater.select(f"SELECT {columns} WHERE {{ }}", {})
        row = table.rows[0] if table.rows else {}
        return [str(row.get(f"c{i}") or "") for i in range(len(expressions))]

    def live_slot(self) -> str | None:
        (value,) = self.call(f"bif:registry_get('{REGISTRY_PREFIX}{self.graph}')")
        return value if value in SLOTS else None

    def adopt(self) -> None:
        """A first bulk push: <graph> becomes a graph group. Plain triples already in <graph>
        would hide behind the group for some readers and not for others: refused."""
        ask = f"ASK WHERE {{ GRAPH <{self.graph}> {{ ?s ?p ?o }} }}"  # plain graphs only
        answer = self.updater.select(ask, {})
        if answer.rows and str(answer.rows[0].get("ask")).lower() == "true":
            raise EndpointError(
                f"<{self.graph}> holds triples as a plain graph (an earlier push by gsp or "
                "update); --method bulk publishes it as a graph group and will not hide them",
                f"push to another --graph, or drop it first (DROP GRAPH <{self.graph}>)",
            )
        self.call(f"sql:RDF_GRAPH_GROUP_CREATE('{self.graph}', 1)")

    def clear(self, graph: str) -> None:
        """Delete a slot's triples in autocommit (no reader's default graph holds it), leaving
        the HTTP thread in Virtuoso's default log mode."""
        self.say(f"clearing <{graph}>")
        self.call(
            "bif:log_enable(3, 1)",
            f"bif:exec(\"delete from DB.DBA.RDF_QUAD where G = iri_to_id ('{graph}', 0)\")",
            "bif:log_enable(1, 1)",
        )

    def clear_quietly(self, graph: str) -> str | None:
        try:
            self.clear(graph)
        except EndpointError as exc:
            return f"the previous build <{graph}> is left ({exc}); the next push clears it"
        return None

    def discard_slot(self) -> None:
        try:
            self.updater.http.retries = 0
            self.clear(self.staging)
        except Exception:  # noqa: BLE001 - the first error is the one to report
            pass

    # --- loading -----------------------------------------------------------------------------

    def write(self, payload: Payload, load_dir: Path, hook: PieceHook | None) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = load_dir / f"kg-push-{stamp}-{os.getpid()}.nt"
        self.say(f"writing {path}")
        done = 0
        try:
            with path.open("wb") as out:
                for number, piece in enumerate(payload.pieces(100_000), 1):
                    out.write(b"".join(piece))
                    done += len(piece)
                    if hook is not None:
                        hook(number, done)
            path.chmod(0o644)  # read by the server's own user
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def load(self, path: Path) -> None:
        self.say(f"bulk loading {path.name} into <{self.staging}>")
        try:
            self.call(f"sql:ld_dir('{path.parent}', '{path.name}', '{self.staging}')")
        except EndpointError as exc:
            if "access control" not in str(exc):
                raise
            raise EndpointError(
                f"Virtuoso may not read {path.parent} (not in its DirsAllowed)",
                "add the folder to DirsAllowed in [Parameters] of virtuoso.ini and restart it, "
                "or give a --load-dir that is in it",
            ) from None
        self.call("sql:rdf_loader_run()", "bif:log_enable(1, 1)", "bif:exec('checkpoint')")

    def check_loaded(self, path: Path, payload: Payload) -> None:
        found = self.reader.count(self.staging)
        if found != payload.distinct:
            raise EndpointError(
                f"Virtuoso's bulk loader put {found} triples in <{self.staging}>, not the "
                f"{payload.distinct} of the build; nothing was swapped",
                f"its error is the row of {path} in DB.DBA.load_list (ll_error)",
            )
        self.forget(path)

    def forget(self, path: Path) -> None:
        """Remove the file's row of DB.DBA.load_list (a later file of the same name loads)."""
        try:
            self.call(f"bif:exec(\"delete from DB.DBA.load_list where ll_file = '{path}'\")")
        except EndpointError:
            pass

    # --- the swap ----------------------------------------------------------------------------

    def swap(self, live: str | None, upcoming: str) -> None:
        self.say(f"publishing <{self.staging}> as <{self.graph}>")
        calls = [f"sql:RDF_GRAPH_GROUP_INS('{self.graph}', '{self.staging}')"]
        if live is not None:
            previous = slot_graph(self.graph, live)
            calls.append(f"sql:RDF_GRAPH_GROUP_DEL('{self.graph}', '{previous}')")
        calls.append(f"bif:registry_set('{REGISTRY_PREFIX}{self.graph}', '{upcoming}')")
        self.call(*calls)

    def group_count(self) -> int:
        # Its own query text: Virtuoso keeps compiled queries, and one compiled while <graph>
        # was not a group reads it as a plain graph.
        table = self.reader.select(
            f"SELECT (COUNT(*) AS ?published) FROM <{self.graph}> WHERE {{ ?s ?p ?o }}", {}
        )
        value = table.rows[0].get("published") if table.rows else None
        return int(str(value)) if value is not None else 0
