"""Answering questions: a catalogue query by name with its parameters, ad-hoc SPARQL, and the
`attacks` question, on the embedded store or a remote endpoint."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rdflib import Graph
from rdflib.term import Node

from kg.catalogue import CatalogueQuery, find_query
from kg.dates import DateProblem, parse_date
from kg.engines import Engine, MemoryEngine, OxigraphEngine, Table
from kg.errors import QueryError, StoreError
from kg.geo import Gazetteer
from kg.loading.places import gazetteer_dir
from kg.params import Resolver, bind
from kg.project import Project
from kg.sparqltext import check_size_and_nesting, query_form, with_values
from kg.store import current_build, open_dataset, require_build

T = TypeVar("T")


@dataclass
class Answer:
    text: str
    bindings: dict[str, Node] = field(default_factory=dict)
    table: Table | None = None
    graph: Graph | None = None
    name: str = ""


def open_engine(project: Project, backend: str = "oxigraph", endpoint: str | None = None) -> Engine:
    """The engine for `backend` (oxigraph, memory) on the current build, or a remote endpoint."""
    if endpoint:
        from kg.publishing.remote import RemoteEngine

        return RemoteEngine(endpoint)
    build = require_build(project)
    if backend == "oxigraph":
        try:
            return OxigraphEngine.open(str(build.oxigraph))
        except OSError as exc:
            raise StoreError(
                f"the Oxigraph store of the build in use ({build.oxigraph}) cannot be opened: "
                f"{' '.join(str(exc).split())[:200]}",
                "run `kg build --force` to repair it",
            ) from None
    if backend == "memory":
        return MemoryEngine(open_dataset(build, "memory"))
    raise QueryError(f"unknown backend '{backend}'", "use oxigraph or memory")


def resolver(project: Project, engine: Engine | None) -> Resolver:
    """Places are looked up in the build's own gazetteer index (for a remote endpoint without a
    local build, in data/gazetteer/ itself); nothing is written."""

    def gazetteer() -> Gazetteer:
        found = current_build(project)
        if found is not None:
            return Gazetteer.read_index(found.gazetteer)
        return Gazetteer.load(gazetteer_dir(project.root))

    return Resolver(gazetteer=gazetteer, engine=engine)


def prepare(
    project: Project, name: str, given: Mapping[str, str], engine: Engine | None
) -> tuple[CatalogueQuery, dict[str, Node]]:
    query = find_query(project.queries, name)
    return query, bind(query, given, resolver(project, engine))


DEFAULT_TIMEOUT = 300.0


def execute(
    engine: Engine,
    text: str,
    bindings: Mapping[str, Node],
    name: str = "",
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Answer:
    """Run the query; past `timeout` seconds (None: no limit) a QueryError is raised. It runs in
    a worker thread (Oxigraph releases the interpreter while it works), so the calling thread
    stays free to take Ctrl-C at once; an abandoned query is left to the process's exit."""
    check_size_and_nesting(text)
    if query_form(text) in ("CONSTRUCT", "DESCRIBE"):
        graph = bounded(lambda: engine.graph(text, bindings), timeout)
        return Answer(text, dict(bindings), graph=graph, name=name)
    table = bounded(lambda: engine.select(text, bindings), timeout)
    return Answer(text, dict(bindings), table=table, name=name)


def bounded(work: Callable[[], T], timeout: float | None) -> T:
    """work() in a daemon thread, waited for in short steps (so a signal is taken at once)."""
    import threading
    import time

    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="kg-query", daemon=True)
    worker.start()
    deadline = None if timeout is None else time.monotonic() + timeout
    while worker.is_alive():
        worker.join(0.05)
        if deadline is not None and time.monotonic() > deadline and worker.is_alive():
            raise QueryError(
                f"the query ran past its time limit ({timeout:g} s) and was abandoned",
                "narrow it, or give a longer --timeout",
            )
    if "error" in box:
        raise box["error"]
    return box["value"]


def check_timeout(timeout: float) -> float:
    """A --timeout value: a number of seconds above 0 (and not NaN)."""
    import math

    if math.isnan(timeout) or timeout <= 0:
        raise QueryError(f"--timeout is {timeout:g}", "give a number of seconds above 0")
    return timeout


def read_query(source: str, stdin: Any = None) -> str:
    """The text of a query file (or '-', stdin), read up to a bound and checked as UTF-8."""
    import sys

    from kg.sparqltext import MAX_QUERY_CHARS

    limit = MAX_QUERY_CHARS * 4
    if source == "-":
        data = (stdin or sys.stdin.buffer).read(limit + 1)
        shown = "the query on stdin"
    else:
        path = Path(source)
        if not path.is_file():
            raise QueryError(f"{source} is not a file", "give a .rq file or - for stdin")
        with path.open("rb") as f:
            data = f.read(limit + 1)
        shown = source
    if len(data) > limit:
        raise QueryError(f"{shown} is larger than {limit:,} bytes", "is it a SPARQL query?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(
            f"{shown} is not UTF-8 (byte {exc.start + 1})", "save it as UTF-8"
        ) from None


def run_query(
    project: Project,
    name: str,
    given: Mapping[str, str] | None = None,
    engine: Engine | None = None,
) -> Answer:
    """Run the catalogue query `name` with parameters {name: text}."""
    engine = engine or open_engine(project)
    query, bindings = prepare(project, name, given or {}, engine)
    return execute(engine, query.text, bindings, name)


def explain(text: str, bindings: Mapping[str, Node]) -> str:
    """The query exactly as the embedded store runs it, parameters in a VALUES block: paste it
    into any SPARQL console. (A remote endpoint gets it without the kg:local block.)"""
    from kg.sparqltext import sparql_term

    head = [f"# {name} = {sparql_term(term)}" for name, term in sorted(bindings.items())]
    return "\n".join([*head, with_values(text, bindings)]) if head else text


def attacks_params(
    near: str | None = None,
    radius_km: float | None = None,
    year: int | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    actor: str | None = None,
    region: str | None = None,
    min_certainty: str | None = None,
    kind: str | None = None,
    impact: str | None = None,
) -> dict[str, str]:
    """The parameters of the `attacks` catalogue query from `kg attacks` options."""
    if year is not None and (date_from or date_to):
        raise QueryError("--year cannot be combined with --from or --to", "use one or the other")
    if radius_km is not None and not near:
        raise QueryError("--radius needs --near", "e.g. --near Paris --radius 50")
    if year is not None and not 1900 <= year <= 2100:
        raise QueryError(f"--year is {year}, not a year", "four digits, e.g. 2022")
    if radius_km is not None and not 0 < radius_km <= 20000:
        raise QueryError(f"--radius is {radius_km:g} km", "give a distance above 0 and up to 20000")
    for option, value in (("--from", date_from), ("--to", date_to)):
        if value is not None:
            try:
                parse_date(value)
            except DateProblem as exc:
                raise QueryError(f"{option} is '{value}', {exc.reason}") from None
    given: dict[str, str] = {}
    if near:
        given["near"] = near
        given["radius_km"] = str(radius_km if radius_km is not None else 50)
    if year is not None:
        given["from"] = given["to"] = str(year)
    for key, value in (
        ("from", date_from),
        ("to", date_to),
        ("actor", actor),
        ("region", region),
        ("kind", kind),
        ("impact", impact),
        ("min_certainty", min_certainty),
    ):
        if value is not None:
            given[key] = value
    return given
