"""The home page's search: a phrase (`q`, read by kg.asking) and the explicit filters (year,
type, actor, region, certainty) become the options of `kg attacks`, run as its catalogue query;
the answer is the same table as the command's, with the points of the victims for the map, the
equivalent command and the SPARQL that ran."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field, replace
from typing import Any

from kg.errors import QueryError
from kg.site.view import HCK, View

FILTERS = ("year", "type", "actor", "region", "certainty")
CERTAINTIES = ("unknown", "suspected", "claimed", "confirmed")
MAX_PARAM = 200  # characters of one parameter


@dataclass
class Point:
    lat: float
    lon: float
    incident: str
    victim: str
    certainty: str
    label: str


@dataclass
class Results:
    q: str
    options: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, str]]
    points: list[Point]
    command: str
    sparql: str
    summary: str
    notice: str = ""
    filters: dict[str, str] = field(default_factory=dict)


def filters_of(params: dict[str, list[str]]) -> dict[str, str]:
    """The filters given, each checked: a year of four digits, a certainty of the list."""
    given = {}
    for name in ("q", *FILTERS):
        values = params.get(name, [])
        value = values[0].strip() if values else ""
        if len(value) > MAX_PARAM or any(ord(c) < 32 for c in value):
            raise QueryError(f"the parameter '{name}' is not readable", "give a shorter text")
        if value:
            given[name] = value
    if "year" in given and not re.fullmatch(r"(19|20)\d\d", given["year"]):
        raise QueryError(f"year '{given['year']}' is not a year", "give four digits, e.g. 2022")
    if "certainty" in given and given["certainty"] not in CERTAINTIES:
        raise QueryError(
            f"certainty '{given['certainty']}' is not known", "give " + ", ".join(CERTAINTIES)
        )
    return given


def options_of(given: dict[str, str], phrase: dict[str, Any]) -> dict[str, Any]:
    """The phrase's options, then the explicit filters over them."""
    options = dict(phrase)
    if "year" in given:
        options.pop("date_from", None)
        options.pop("date_to", None)
        options["year"] = int(given["year"])
    for name, option in (("actor", "actor"), ("region", "region"), ("type", "kind"),
                         ("certainty", "min_certainty")):
        if name in given:
            options[option] = given[name]
    return {k: v for k, v in options.items() if v not in (None, "")}


def command_of(options: dict[str, Any]) -> str:
    from kg.attacks import command_line

    return command_line(options)


def search(
    project: Any, engine: Any, view: View, params: dict[str, list[str]],
    latest_by_default: bool = True,
) -> Results:
    """The phrase read as `kg ask` reads it, the filters over it, then the `attacks` query as
    `kg attacks` runs it (kg.attacks.params_of, the same binding, the same listing).
    Without a phrase or filter, a graph of more than HOME_ALL incidents opens on its latest
    year (unless `latest_by_default` is off: the static site lists them all)."""
    from kg.attacks import listing, params_of
    from kg.params import Resolver, bind
    from kg.query import explain
    from kg.site.asking import read

    given = filters_of(params)
    opening = ""
    if not given and latest_by_default:
        count, latest = _extent(engine)
        if count > HOME_ALL and latest:
            given["year"] = latest
            opening = (f"The graph holds {count:,} incidents: those of {latest}, the latest "
                       "year, are shown. Search, or choose a year, for the others.")
    query, prepared = _prepared(project, engine)
    resolver = Resolver(prepared.gazetteer, engine)  # its own notes: requests run in threads
    phrase: dict[str, Any] = {}
    notes: list[str] = []
    if "q" in given:
        reading = read(given["q"], project, resolver.gazetteer)
        phrase, notes = reading.options, reading.notes
    options = options_of(given, phrase)
    bindings = bind(query, params_of(options), resolver)
    notes += [n for n in resolver.notes if n not in notes]
    notes += [opening] if opening else []
    table = engine.select(query.text, bindings)
    result = listing(table)
    near = "near" in options
    columns = ["incident", "date", "type", "victims", "communes", "departments", "actors"]
    columns += ["distance_km"] if near else []
    rows = [_row(view, r, near) for r in result.table.rows]
    certainty = {row["iri"]: _strongest(row["actors"]) for row in rows}
    points = [_point(view, r, certainty) for r in table.rows]
    return Results(
        given.get("q", ""), options, columns, rows, [p for p in points if p], command_of(options),
        explain(query.text, bindings), result.summary, " ".join(notes), given,
    )


SHOWN = 1_000  # incidents of the home page's table, map and timeline; the downloads hold all


def shown(results: Results) -> Results:
    """The results as the page shows them: the first SHOWN incidents, with a notice saying
    so (the downloads, CSV and JSON, keep every row)."""
    if len(results.rows) <= SHOWN:
        return results
    rows = results.rows[:SHOWN]
    kept = {row["href"] for row in rows}
    notice = (f"The first {SHOWN:,} of {len(results.rows):,} incidents are shown: narrow the "
              "search, or download the CSV or JSON below for all of them.")
    return replace(results, rows=rows, points=[p for p in results.points if p.incident in kept],
                   notice=" ".join(n for n in (results.notice, notice) if n))


YEAR_WIDTH = 120  # pixels of the timeline per year


def timeline(rows: list[dict[str, str]]) -> dict[str, Any] | None:
    """One dot per dated incident on a line of years (month within the year), stacked."""
    dated = [r for r in rows if re.match(r"\d{4}", r["date"])]
    if not dated:
        return None
    years = [int(r["date"][:4]) for r in dated]
    first, last = min(years), max(years)
    ticks = [{"year": y, "x": 20 + (y - first) * YEAR_WIDTH} for y in range(first, last + 1)]
    stacks: dict[tuple[int, int], int] = {}
    dots = []
    for row in sorted(dated, key=lambda r: r["date"]):
        year = int(row["date"][:4])
        month = int(row["date"][5:7]) if re.match(r"\d{4}-\d\d", row["date"]) else 6
        height = stacks[(year, month)] = stacks.get((year, month), -1) + 1
        dots.append({"x": 20 + (year - first) * YEAR_WIDTH + (month - 0.5) * 10,
                     "y": 115 - (height % 10) * 11, "href": row["href"],
                     "title": f"{row['date']}: {row['incident']}",
                     "cls": "c-" + _strongest(row["actors"])})
    return {"first": first, "last": last, "width": (last - first + 1) * YEAR_WIDTH + 40,
            "ticks": ticks, "dots": dots, "end": 20 + (last - first + 1) * YEAR_WIDTH}


# Read once per engine, forgotten with it (an id() key could be reused by a later engine).
_PREPARED: weakref.WeakKeyDictionary[Any, tuple[Any, Any]] = weakref.WeakKeyDictionary()
_EXTENT: weakref.WeakKeyDictionary[Any, tuple[int, str]] = weakref.WeakKeyDictionary()
HOME_ALL = 2_000  # incidents the home page lists when it is opened without a search


def _extent(engine: Any) -> tuple[int, str]:
    """The number of incidents and the latest year of a start, read once per store."""
    key = engine
    if key not in _EXTENT:
        table = engine.select(
            "PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>\n"
            "SELECT (COUNT(DISTINCT ?incident) AS ?n) (MAX(SUBSTR(STR(?start), 1, 4)) AS ?last)"
            " WHERE { ?incident hck:startDate ?start }", {}
        )
        row = table.rows[0] if table.rows else {}
        _EXTENT[key] = (int(row.get("n") or 0), str(row.get("last") or ""))
    return _EXTENT[key]


def _prepared(project: Any, engine: Any) -> tuple[Any, Any]:
    """The `attacks` query and a resolver whose gazetteer is read once (a server's build does
    not change under it); `kg.query.prepare` reads both again on every call."""
    key = engine
    if key not in _PREPARED:
        from functools import cache

        from kg.catalogue import find_query
        from kg.params import Resolver
        from kg.query import resolver

        fresh = resolver(project, engine)
        _PREPARED[key] = (find_query(project.queries, "attacks"),
                          Resolver(gazetteer=cache(fresh.gazetteer), engine=engine))
    return _PREPARED[key]


def _row(view: View, r: dict[str, Any], near: bool) -> dict[str, str]:
    iri = str(r["incident"])
    types = [view.label(c.value)[0] for _, c in view.objects(iri, HCK + "incidentType")]
    row = {
        "iri": iri,
        "href": view.href(iri),
        "incident": view.label(iri)[0],
        "key": iri.rsplit("/", 1)[-1],
        "date": _text(r.get("date")),
        "type": ", ".join(sorted(types)),
        "victims": _text(r.get("victims")),
        "communes": _text(r.get("communes")),
        "departments": _text(r.get("departments")),
        "actors": _text(r.get("actors")),
    }
    if near:
        row["distance_km"] = _text(r.get("distance_km"))
    return row


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _strongest(actors: str) -> str:
    for level in reversed(CERTAINTIES):
        if f"({level}" in actors:
            return level
    return "unknown"


def _point(view: View, r: dict[str, Any], certainty: dict[str, str]) -> Point | None:
    try:
        lat, lon = float(r["lat"]), float(r["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    incident = str(r["incident"])
    return Point(lat, lon, view.href(incident), str(r.get("victimName") or ""),
                 certainty.get(incident, "unknown"), view.label(incident)[0])
