"""`kg attacks`: the rows of the `attacks` catalogue query (one per incident and victim) as a
table for people: one row per incident with its victims grouped (or one per site), each actor
with its own certainty, strongest first."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import Literal
from rdflib.term import Node

from kg.engines import Row, Table

if TYPE_CHECKING:
    from kg.engines import Engine
    from kg.geo import Gazetteer
    from kg.project import Project

PER = ("incident", "site")
SEPARATOR = "; "
CERTAINTY_ORDER = ("confirmed", "claimed", "suspected", "unknown")
INCIDENT_COLUMNS = [
    "incident",
    "date",
    "victims",
    "finess",
    "communes",
    "departments",
    "actors",
]
SITE_COLUMNS = ["incident", "date", "victim", "finess", "commune", "department", "actors"]


@dataclass
class Listing:
    """The table to print, and what its closing line counts."""

    table: Table
    incidents: int
    sites: int

    @property
    def summary(self) -> str:
        def plural(n: int, word: str) -> str:
            return f"{n} {word}{'s' if n != 1 else ''}"

        return f"{plural(self.incidents, 'incident')}, {plural(self.sites, 'site')}"


def columns(per: str, near: bool) -> list[str]:
    base = INCIDENT_COLUMNS if per == "incident" else SITE_COLUMNS
    return base + (["distance_km"] if near else [])


def listing(rows: Table, per: str = "incident") -> Listing:
    """Group the query's rows; the order of the query (distance, date, incident) is kept."""
    incidents = {str(r["incident"]) for r in rows.rows}
    sites = {str(r["victim"]) for r in rows.rows}
    if per == "site":
        out = [_site_row(r) for r in rows.rows]
        return Listing(Table(SITE_COLUMNS + _extra(rows), out), len(incidents), len(sites))
    grouped: dict[str, list[Row]] = {}
    for r in rows.rows:
        grouped.setdefault(str(r["incident"]), []).append(r)
    out = [_incident_row(members) for members in grouped.values()]
    return Listing(Table(INCIDENT_COLUMNS + _extra(rows), out), len(incidents), len(sites))


def _extra(rows: Table) -> list[str]:
    return [v for v in ("distance_km", "lat", "lon") if v in rows.variables]


def _site_row(r: Row) -> Row:
    out = dict(r)
    out["victim"] = r.get("victimName")
    out["actors"] = Literal(sort_actors(_split(r.get("actors"))))
    return out


def _incident_row(members: list[Row]) -> Row:
    first = members[0]
    out: Row = {"incident": first["incident"], "date": first.get("date")}
    for column, key in (
        ("victims", "victimName"),
        ("finess", "finess"),
        ("communes", "commune"),
        ("departments", "department"),
    ):
        out[column] = Literal(SEPARATOR.join(_distinct(str(m.get(key) or "") for m in members)))
    actors = [a for m in members for a in _split(m.get("actors"))]
    out["actors"] = Literal(sort_actors(actors))
    # the rows come nearest first: the incident's distance and point are its nearest victim's
    placed = [m for m in members if m.get("distance_km") is not None] or members
    for column in ("distance_km", "lat", "lon"):
        out[column] = placed[0].get(column)
    return {k: v for k, v in out.items() if v is not None}


def _split(value: Node | None) -> list[str]:
    return [part for part in str(value or "").split(SEPARATOR) if part.strip()]


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def sort_actors(actors: Iterable[str]) -> str:
    """'Name (certainty)' items, strongest certainty first, then by name; each once."""

    def key(item: str) -> tuple[int, str]:
        inside = item.rsplit("(", 1)[-1].rstrip(")") if item.endswith(")") else ""
        certainty = inside.split(",")[0]
        rank = CERTAINTY_ORDER.index(certainty) if certainty in CERTAINTY_ORDER else 9
        return rank, item.lower()

    return SEPARATOR.join(sorted(set(actors), key=key))


# The options of `kg attacks`, in the order its command line gives them, with their flags.
FLAGS = {
    "near": "--near",
    "radius": "--radius",
    "year": "--year",
    "date_from": "--from",
    "date_to": "--to",
    "actor": "--actor",
    "region": "--region",
    "kind": "--kind",
    "impact": "--impact",
    "min_certainty": "--min-certainty",
}


def command_line(options: Mapping[str, Any]) -> str:
    """The `kg attacks ...` command for these options, shell-quoted: paste it into a shell."""
    import shlex

    words = ["kg", "attacks"]
    for option, flag in FLAGS.items():
        value = options.get(option)
        if value is not None and value != "":
            words += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return shlex.join(words)


def params_of(options: Mapping[str, Any]) -> dict[str, str]:
    """The parameters of the `attacks` catalogue query for {option: value} (FLAGS' names)."""
    from kg.errors import QueryError
    from kg.query import attacks_params

    unknown = sorted(set(options) - set(FLAGS))
    if unknown:
        takes = ", ".join(FLAGS)
        raise QueryError(f"kg attacks has no option '{unknown[0]}'", f"it takes: {takes}")
    radius, year = options.get("radius"), options.get("year")
    return attacks_params(
        options.get("near"),
        None if radius is None else float(radius),
        None if year is None else int(year),
        options.get("date_from"),
        options.get("date_to"),
        options.get("actor"),
        options.get("region"),
        options.get("min_certainty"),
        kind=options.get("kind"),
        impact=options.get("impact"),
    )


@dataclass
class Search:
    """What `kg attacks` (and `kg ask`) found: the query as run, its bindings, the listing, and
    the choices made reading the options (a name shared by a region and communes...)."""

    text: str
    bindings: dict[str, Node]
    per: str
    near: bool
    listing: Listing | None = None
    notes: list[str] = field(default_factory=list)


def search(
    project: Project,
    options: Mapping[str, Any],
    engine: Engine,
    per: str = "incident",
    run: bool = True,
    gazetteer: Callable[[], Gazetteer] | None = None,
) -> Search:
    """Run the `attacks` catalogue query for `kg attacks` options; `run=False` only binds.
    `gazetteer`: the places already read (by `kg ask`), else the build's."""
    from kg.catalogue import find_query
    from kg.errors import QueryError
    from kg.params import Resolver, bind
    from kg.query import execute, resolver

    if per not in PER:
        raise QueryError(f"--per is '{per[:40]}'", "give incident or site")
    given = params_of(options)
    query = find_query(project.queries, "attacks")
    reading = resolver(project, engine) if gazetteer is None else Resolver(gazetteer, engine)
    bindings = bind(query, given, reading)
    found = Search(query.text, bindings, per, "near" in given, notes=list(reading.notes))
    if run:
        answer = execute(engine, query.text, bindings)
        assert answer.table is not None
        found.listing = listing(answer.table, per)
    return found


def show(found: Search, fmt: str = "table") -> tuple[str, str]:
    """(stdout, stderr) of `kg attacks`: the table closed by its counts (on stderr for the
    machine formats, so stdout stays plain CSV or JSON)."""
    from kg.output import render

    assert found.listing is not None
    text = render(found.listing.table, fmt, columns(found.per, found.near))
    if fmt == "table":
        return text.rsplit("\n", 1)[0] + "\n" + found.listing.summary, ""
    return text, found.listing.summary
