"""Answering questions: a catalogue query by name with its parameters, ad-hoc SPARQL, and the
`attacks` question, on the embedded store or a remote endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.term import Node

from kg.catalogue import CatalogueQuery, find_query
from kg.dates import DateProblem, parse_date
from kg.engines import Engine, MemoryEngine, OxigraphEngine, Table
from kg.errors import QueryError
from kg.geo import Gazetteer
from kg.loading.places import gazetteer_dir
from kg.params import Resolver, bind
from kg.project import Project
from kg.sparqltext import query_form, with_values
from kg.store import open_dataset, require_build


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
        return OxigraphEngine.open(str(build.oxigraph))
    if backend == "memory":
        return MemoryEngine(open_dataset(build, "memory"))
    raise QueryError(f"unknown backend '{backend}'", "use oxigraph or memory")


def resolver(project: Project, engine: Engine | None) -> Resolver:
    return Resolver(
        gazetteer=lambda: Gazetteer.load(gazetteer_dir(project.root), cache=project.home),
        engine=engine,
    )


def prepare(
    project: Project, name: str, given: Mapping[str, str], engine: Engine | None
) -> tuple[CatalogueQuery, dict[str, Node]]:
    query = find_query(project.queries, name)
    return query, bind(query, given, resolver(project, engine))


def execute(engine: Engine, text: str, bindings: Mapping[str, Node], name: str = "") -> Answer:
    if query_form(text) in ("CONSTRUCT", "DESCRIBE"):
        return Answer(text, dict(bindings), graph=engine.graph(text, bindings), name=name)
    return Answer(text, dict(bindings), table=engine.select(text, bindings), name=name)


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
        ("min_certainty", min_certainty),
    ):
        if value is not None:
            given[key] = value
    return given
