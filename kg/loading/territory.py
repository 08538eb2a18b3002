"""The whole territory: every region, department and commune of data/gazetteer/, in the named
graph `graph/territory`, so that "near X" and "in region Y" can be asked in plain SPARQL.

The gazetteer holds about 35,000 communes (some 300,000 triples): they are written as N-Quads
lines directly, not through rdflib graphs, which would take most of a build's time. The terms
are the ones `load_places` writes for the places the data uses (kg/loading/places.py), whose
graph/places the territory replaces. A commune without coordinates is listed without a
point. Overseas collectivities (975, 977, 978, 984, 986..989) stay out, as in `load_places`.

`KG_TERRITORY=0` in the environment builds without it (the tests' throw-away projects do).
"""

from __future__ import annotations

import os

from rdflib import URIRef

from kg.identifiers import department_problem, region_problem
from kg.loading.context import decimal
from kg.loading.places import Place
from kg.namespaces import GEO, GRAPHS, HCK, SCHEMA, resource

TERRITORY_GRAPH = GRAPHS["territory"]
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_SOURCE = "<http://purl.org/dc/terms/source>"
_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"
_DECIMAL = "<http://www.w3.org/2001/XMLSchema#decimal>"
_PARENT = {"commune": "department", "department": "region"}
_KINDS = ("commune", "department", "region")


def territory_wanted() -> bool:
    """Whether builds include the territory graph: yes unless KG_TERRITORY=0."""
    return os.environ.get("KG_TERRITORY", "1").strip() not in ("0", "no", "false", "off")


def chosen_places(places: dict[str, dict[str, Place]]) -> list[Place]:
    """The regions and departments proper, and the communes of those departments."""
    regions = [p for p in places["region"].values() if region_problem(p.code) is None]
    departments = [p for p in places["department"].values() if department_problem(p.code) is None]
    known = {p.code for p in departments}
    communes = [p for p in places["commune"].values() if p.parent in known]
    return regions + departments + communes


def territory_lines(
    places: dict[str, dict[str, Place]], cog: list[URIRef], geonames: list[URIRef]
) -> list[str]:
    """The N-Quads lines of the territory graph (unsorted, each once). The terms are spelt out
    once here: this runs over 35,000 places at every build."""
    end = f" <{TERRITORY_GRAPH}> .\n"
    ids = str(resource("x", "x"))[: -len("x/x")]
    kinds = {k: f"{_RDF_TYPE} <{HCK[k.capitalize()]}>{end}" for k in _KINDS}
    insee, name = f" <{HCK.inseeCode}> ", f" <{SCHEMA.name}> "
    sources = "".join(f"{_SOURCE} <{src}>{end}" for src in cog)
    within = f" <{GEO.sfWithin}> <{ids}"
    population, same = f" <{HCK.population}> \"", f" <{SCHEMA.sameAs}> <https://sws.geonames.org/"
    lat_p, lon_p = f" <{SCHEMA.latitude}> \"", f" <{SCHEMA.longitude}> \""
    has, geometry_type = f" <{GEO.hasGeometry}> ", f" {_RDF_TYPE} <{GEO.Geometry}>{end}"
    wkt_p, wkt_t = f" <{GEO.asWKT}> \"POINT(", f')\"^^<{GEO.wktLiteral}>{end}'
    geometry_sources = "".join(f" {_SOURCE} <{src}>{end}" for src in geonames)
    out: list[str] = []
    add = out.append
    for place in chosen_places(places):
        iri = f"<{ids}{place.kind}/{place.code}>"
        add(f"{iri} {kinds[place.kind]}")
        add(f"{iri}{insee}{_text(place.code)}{end}")
        add(f"{iri}{name}{_text(place.name)}{end}")
        if sources:
            out.extend(f"{iri} {line}" for line in sources.splitlines(keepends=True))
        if place.kind in _PARENT:
            add(f"{iri}{within}{_PARENT[place.kind]}/{place.parent}>{end}")
        if place.population is not None:
            add(f'{iri}{population}{place.population}"^^{_INTEGER}{end}')
        if place.coord_source.startswith("geonames:"):
            add(f"{iri}{same}{place.coord_source[9:]}/>{end}")
        if place.latitude is None or place.longitude is None:
            continue
        lat, lon = place.latitude, place.longitude
        add(f'{iri}{lat_p}{decimal(lat)}"^^{_DECIMAL}{end}')
        add(f'{iri}{lon_p}{decimal(lon)}"^^{_DECIMAL}{end}')
        geometry = f"<{ids}{place.kind}/{place.code}/geometry>"
        add(f"{iri}{has}{geometry}{end}")
        add(f"{geometry}{geometry_type}")
        add(f"{geometry}{wkt_p}{lon:.6f} {lat:.6f}{wkt_t}")
        if geometry_sources:
            out.extend(geometry + line for line in geometry_sources.splitlines(keepends=True))
    return out


def _text(value: str) -> str:
    """A plain literal in N-Triples form, escaped as rdflib and Oxigraph write it."""
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'
