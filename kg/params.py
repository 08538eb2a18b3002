"""Reading query parameters given as text (`--param key=value`, `kg attacks` options) into RDF
terms of the declared type. A value never becomes query text: it is a term the engine binds.

Types: xsd:integer, xsd:decimal, xsd:string, year, date (bound: lower|upper), km, iri (kind),
certainty, concept (kind: its scheme), actor, region, place (binds the centre and a
latitude/longitude box, see geo.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.catalogue import CatalogueQuery, Param
from kg.dates import DateProblem, parse_date
from kg.errors import QueryError
from kg.geo import Gazetteer, bounding_box, wkt_point
from kg.namespaces import concept, resource, scheme

if TYPE_CHECKING:
    from kg.engines import Engine

MAX_TEXT = 2000
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_IRI = re.compile(r"^https?://[^\x00-\x20<>\"{}|^`\\]+$")
CERTAINTIES = ("unknown", "suspected", "claimed", "confirmed")


@dataclass
class Resolver:
    """What reading a parameter may need: the gazetteer, and the graph (for actor names)."""

    gazetteer: Callable[[], Gazetteer]
    engine: Engine | None = None
    notes: list[str] = field(default_factory=list)  # choices made reading a value, to be said


def bind(query: CatalogueQuery, given: Mapping[str, str], resolver: Resolver) -> dict[str, Node]:
    """{variable: term} for the query's parameters from {name: text}; defaults filled in."""
    unknown = sorted(set(given) - set(query.params))
    if unknown:
        takes = ", ".join(query.params) or "no parameters"
        raise QueryError(
            f"query '{query.name}' has no parameter '{unknown[0]}'", f"it takes: {takes}"
        )
    out: dict[str, Node] = {}
    for name, param in query.params.items():
        text = given.get(name)
        if text is None and param.default is not None:
            text = str(param.default)
        if text is None:
            if not param.optional:
                raise QueryError(
                    f"query '{query.name}' needs the parameter '{name}'",
                    f"add --param {name}=... ({param.description or param.type})",
                )
            continue
        if len(text) > MAX_TEXT:
            raise QueryError(
                f"the value of '{name}' is {len(text)} characters long", f"at most {MAX_TEXT}"
            )
        out.update(read_value(param, text, resolver, query.params, given))
    return out


def read_value(
    param: Param,
    text: str,
    resolver: Resolver,
    params: Mapping[str, Param],
    given: Mapping[str, str],
) -> dict[str, Node]:
    var = param.variable
    kind = param.type
    if kind == "place":
        return _place(param, text, resolver, params, given)
    reader = _READERS.get(kind)
    if reader is None:
        raise QueryError(
            f"parameter '{param.name}' has an unknown type '{kind}'",
            "fix the #+ params header of the query",
        )
    return {var: reader(param, text.strip(), resolver)}


def _integer(param: Param, text: str, _r: Resolver) -> Node:
    if not re.fullmatch(r"-?\d{1,12}", text):
        raise QueryError(f"'{param.name}' is '{text}', not a whole number")
    return Literal(int(text), datatype=XSD.integer)


def _decimal(param: Param, text: str, _r: Resolver) -> Node:
    if not re.fullmatch(r"-?\d{1,9}(\.\d{1,12})?", text):
        raise QueryError(f"'{param.name}' is '{text}', not a number", "e.g. 50 or 12.5")
    return Literal(text, datatype=XSD.decimal)


def _km(param: Param, text: str, r: Resolver) -> Node:
    value = _decimal(param, text, r)
    if not 0 < float(text) <= 20000:
        raise QueryError(f"'{param.name}' is {text} km", "give a distance above 0 and up to 20000")
    return value


def _year(param: Param, text: str, _r: Resolver) -> Node:
    if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2100:
        raise QueryError(f"'{param.name}' is '{text}', not a year", "four digits, e.g. 2022")
    return Literal(text, datatype=XSD.gYear)


def _date(param: Param, text: str, _r: Resolver) -> Node:
    """A day, month or year, widened to its first (lower bound) or last (upper bound) day."""
    try:
        value = parse_date(text)
    except DateProblem as exc:
        raise QueryError(f"'{param.name}' is '{text}', {exc.reason}") from None
    if value.datatype == XSD.dateTime:
        raise QueryError(f"'{param.name}' is '{text}'", "give a day, month or year, no time")
    day = _widen(str(value)[:10], upper=param.kind == "upper")
    return Literal(day, datatype=XSD.date)


def _widen(day: str, upper: bool) -> str:
    """'2022' -> 2022-01-01 or 2022-12-31; '2022-02' -> 2022-02-01 or 2022-02-28."""
    import calendar

    if len(day) == 4:
        return f"{day}-12-31" if upper else f"{day}-01-01"
    if len(day) == 7:
        last = calendar.monthrange(int(day[:4]), int(day[5:7]))[1]
        return f"{day}-{last:02d}" if upper else f"{day}-01"
    return day


def _string(param: Param, text: str, _r: Resolver) -> Node:
    if not text:
        raise QueryError(f"'{param.name}' is empty")
    return Literal(text)


def _iri(param: Param, text: str, _r: Resolver) -> Node:
    if _IRI.match(text):
        return URIRef(text)
    if param.kind and _KEY.match(text):
        return resource(param.kind, text)
    key = f"an {param.kind} key (the end of its IRI id/{param.kind}/KEY) or " if param.kind else ""
    raise QueryError(
        f"'{param.name}' is '{text[:80]}', not an IRI",
        f'give {key}a full http(s) IRI without spaces or <>"{{}}|^`\\',
    )


def _certainty(param: Param, text: str, _r: Resolver) -> Node:
    if text not in CERTAINTIES:
        raise QueryError(f"'{param.name}' is '{text[:80]}'", f"one of: {', '.join(CERTAINTIES)}")
    return concept("certainty", text)


_CONCEPTS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?concept ?notation ?label WHERE {
  ?concept skos:inScheme ?_scheme ; skos:notation ?notation .
  OPTIONAL { ?concept skos:prefLabel|skos:altLabel ?label }
}"""


def _concept(param: Param, text: str, r: Resolver) -> Node:
    """A concept of the scheme `kind` (incident-type, impact-type) by its notation or by one of
    its labels, English or French, case and accents aside: 'ddos', 'Data breach', 'Fuite de
    données'."""
    from kg.geo import normalise

    if r.engine is None:
        raise QueryError(f"'{param.name}' needs the graph")
    rows = r.engine.select(_CONCEPTS, {"_scheme": scheme(param.kind)}).rows
    wanted = normalise(text)
    codes: dict[str, str] = {}
    for row in rows:
        code = str(row["notation"])
        codes[code] = str(row["concept"])
        if wanted in (normalise(code), normalise(str(row.get("label") or ""))):
            return URIRef(str(row["concept"]))
    listed = ", ".join(sorted(codes)) or f"none: is the {param.kind} vocabulary in the graph?"
    raise QueryError(f"'{param.name}' is '{text[:80]}'", f"one of: {listed}")


def _region(param: Param, text: str, r: Resolver) -> Node:
    place = r.gazetteer().resolve(text, kinds=("region", "department"), notes=r.notes)
    if place.kind not in ("region", "department"):
        raise QueryError(
            f"'{text}' is {place.label()}, not a region or a department",
            "give a region or department name, e.g. Île-de-France or Essonne",
        )
    return URIRef(place.iri)


def _actor(param: Param, text: str, r: Resolver) -> Node:
    if r.engine is None:
        raise QueryError("actor names need the graph")
    if _KEY.match(text) and text == text.lower() and "/" not in text:
        for kind in ("actor", "malware"):
            if str(resource(kind, text)) in r.engine.threat_names():
                return resource(kind, text)
    from kg.geo import normalise

    names = r.engine.threat_names()
    wanted = normalise(text)
    found = sorted(
        {
            iri
            for iri, labels in names.items()
            if any(normalise(label) == wanted for label in labels)
        }
    )
    if len(found) > 1:
        found = _disambiguate(r.engine, found, wanted)
    if len(found) == 1:
        return URIRef(found[0])
    if len(found) > 1:
        raise QueryError(
            f"'{text}' names several actors or malware: {', '.join(found)}",
            "give the slug, e.g. lockbit or lockbit-3",
        )
    import difflib

    labels = sorted({label for ls in names.values() for label in ls})
    close = difflib.get_close_matches(text, labels, n=5, cutoff=0.5)
    hint = f"did you mean: {', '.join(close)}" if close else f"known: {', '.join(labels[:20])}"
    raise QueryError(f"no actor or malware named '{text[:80]}'", hint)


_THREATS = """
PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?x ?label ?user WHERE {
  ?x skos:prefLabel ?label .
  OPTIONAL { ?x hck:usedBy ?user }
  FILTER(?x IN (%s))
}"""


def _disambiguate(engine: Any, found: list[str], wanted: str) -> list[str]:
    """A name shared by several threats: the one whose own name (not an alias) it is; else, when
    it names an actor and malware of that actor (LockBit and LockBit 3.0), the actor."""
    from kg.geo import normalise

    rows = engine.select(_THREATS % ", ".join(f"<{iri}>" for iri in found), {}).rows
    own = sorted({str(r["x"]) for r in rows if normalise(str(r["label"])) == wanted})
    if len(own) == 1:
        return own
    users = {str(r["x"]): str(r["user"]) for r in rows if r.get("user") is not None}
    actors = [iri for iri in found if iri not in users]
    if len(actors) == 1 and all(users.get(iri) == actors[0] for iri in found if iri != actors[0]):
        return actors
    return found


def _place(
    param: Param, text: str, r: Resolver, params: Mapping[str, Param], given: Mapping[str, str]
) -> dict[str, Node]:
    """A place binds ?_lat ?_lon, its point ?_point (a WKT literal for geof:distance) and,
    with its radius parameter, the box ?_min_lat ... ."""
    place = r.gazetteer().resolve(text, notes=r.notes)
    radius_param = params.get(param.kind or "radius_km")
    radius_text = given.get(radius_param.name) if radius_param else None
    if radius_text is None and radius_param is not None and radius_param.default is not None:
        radius_text = str(radius_param.default)
    if radius_param is None or radius_text is None:
        raise QueryError(f"'{param.name}' needs a radius", "add --param radius_km=...")
    radius = float(str(_km(radius_param, radius_text.strip(), r)))
    box = bounding_box(place.latitude, place.longitude, radius)

    def dec(x: float) -> Literal:
        return Literal(f"{x:.6f}", datatype=XSD.decimal)

    return {
        "_lat": dec(place.latitude),
        "_point": wkt_point(place.latitude, place.longitude),
        "_lon": dec(place.longitude),
        "_min_lat": dec(box.min_lat),
        "_max_lat": dec(box.max_lat),
        "_min_lon": dec(box.min_lon),
        "_max_lon": dec(box.max_lon),
    }


_READERS: dict[str, Callable[[Param, str, Resolver], Node]] = {
    "xsd:integer": _integer,
    "xsd:decimal": _decimal,
    "xsd:string": _string,
    "km": _km,
    "year": _year,
    "date": _date,
    "iri": _iri,
    "certainty": _certainty,
    "concept": _concept,
    "region": _region,
    "actor": _actor,
}
