"""The values the home page's filters offer: the years with incidents, the incident types, the
actors and the regions, read once per store."""

from __future__ import annotations

import weakref
from typing import Any

from kg.site.view import HCK, RDF_TYPE, View

# Read once per engine, forgotten with it (an id() key could be reused by a later engine).
_CACHE: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def choices(engine: Any) -> dict[str, Any]:
    if engine not in _CACHE:
        _CACHE[engine] = _read(View(engine.store))
    return _CACHE[engine]


def _read(view: View) -> dict[str, Any]:
    # SPARQL, not a lookup per incident: the store groups 100,000 incidents in a tenth of a second
    found = view.store.query(
        "PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#> "
        "SELECT DISTINCT ?year ?kind WHERE { ?incident a hck:Incident . "
        "{ ?incident hck:startDate ?start BIND(SUBSTR(STR(?start), 1, 4) AS ?year) } UNION "
        "{ ?incident hck:incidentType ?kind } }",
        use_default_graph_as_union=True,
    )
    years: set[str] = set()
    types: dict[str, str] = {}
    for solution in found:
        year, kind = solution["year"], solution["kind"]
        if year is not None:
            years.add(year.value)
        if kind is not None:
            types[kind.value.rsplit("/", 1)[-1]] = view.label(kind.value)[0]
    actors = sorted(view.label(s.value)[0]
                    for s, _ in view.subjects(RDF_TYPE, HCK + "ThreatActor", 10_000))
    regions = sorted(view.label(s.value)[0]
                     for s, _ in view.subjects(RDF_TYPE, HCK + "Region", 10_000))
    return {
        "years": sorted(years),
        "types": sorted(types.items(), key=lambda kv: kv[1]),
        "actors": actors,
        "regions": regions,
        "certainties": ["unknown", "suspected", "claimed", "confirmed"],
    }
