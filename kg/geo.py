"""Geography: resolving a place the user names, a latitude/longitude box any SPARQL engine can
filter on, and the exact great-circle distance as a SPARQL extension function."""

from __future__ import annotations

import csv
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from kg.errors import QueryError
from kg.namespaces import FN, resource

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
DISTANCE = FN.distanceKm


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance by the haversine formula, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Box:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def bounding_box(lat: float, lon: float, radius_km: float) -> Box:
    """A box that holds every point within `radius_km` of (lat, lon), with a 1% margin."""
    dlat = radius_km / KM_PER_DEGREE * 1.01
    cos_lat = math.cos(math.radians(min(89.0, abs(lat) + dlat)))
    dlon = min(180.0, radius_km / (KM_PER_DEGREE * max(cos_lat, 1e-6)) * 1.01)
    return Box(lat - dlat, lat + dlat, lon - dlon, lon + dlon)


@dataclass(frozen=True)
class Place:
    """A place a user may name: a commune, a department, a region, or a bare point."""

    kind: str  # commune | department | region | point
    code: str
    name: str
    department: str
    latitude: float
    longitude: float

    @property
    def iri(self) -> str:
        return str(resource(self.kind, self.code)) if self.kind != "point" else ""

    def label(self) -> str:
        if self.kind == "commune":
            return f"{self.name} ({self.department}, INSEE {self.code})"
        if self.kind == "point":
            return f"{self.latitude},{self.longitude}"
        return f"{self.name} ({self.kind} {self.code})"


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-blind form: 'Le Chesnay-Rocquencourt' -> 'le chesnay
    rocquencourt', 'St-Denis' -> 'saint denis'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(w, w) for w in words)


class Gazetteer:
    """The places of data/gazetteer/, indexed by normalised name (and by INSEE code on first
    use). Places are kept as rows and made into Place objects only when a lookup returns them."""

    def __init__(self, by_name: dict[str, list[list[Any]]]) -> None:
        self._index = by_name

    @classmethod
    def of(cls, places: Iterable[Place]) -> Gazetteer:
        index: dict[str, list[list[Any]]] = {}
        for p in places:
            row = [p.kind, p.code, p.name, p.department, p.latitude, p.longitude]
            index.setdefault(normalise(p.name), []).append(row)
        return cls(index)

    @classmethod
    def load(cls, folder: Path) -> Gazetteer:
        """The gazetteer of the tables in `folder` (data/gazetteer/), read and indexed now."""
        return _load(folder.resolve())

    @classmethod
    def read_index(cls, path: Path) -> Gazetteer:
        """The index a build keeps (gazetteer.json, see write_index); a damaged one is said so."""
        import json

        from kg.errors import StoreError

        try:
            index = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = None
        if not isinstance(index, dict):
            raise StoreError(
                f"the gazetteer index of the build ({path}) is damaged", "run `kg build --force`"
            )
        return cls(index)

    def named(self, key: str) -> list[Place]:
        return [Place(*row) for row in self._index.get(key, [])]

    def names(self) -> list[str]:
        return list(self._index)

    @cached_property
    def by_code(self) -> dict[tuple[str, str], Place]:
        return {(row[0], row[1]): Place(*row) for rows in self._index.values() for row in rows}

    def resolve(self, text: str, kinds: tuple[str, ...] = ()) -> Place:
        """A place from 'lat,lon', an INSEE commune code, or a commune, department or region
        name, optionally followed by its department: 'Valence (26)'. Errors list candidates.
        With `kinds`, a name is looked up among places of those kinds only ('Bretagne' the
        region, not the communes of that name)."""
        text = text.strip()
        if m := re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)", text):
            lat, lon = float(m.group(1)), float(m.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise QueryError(
                    f"'{text}' is out of range", "latitude -90..90, longitude -180..180"
                )
            return Place("point", "", text, "", lat, lon)
        if re.fullmatch(r"[0-9][0-9AB][0-9]{3}", text.upper()):
            found = self.by_code.get(("commune", text.upper()))
            if found is None:
                raise QueryError(f"no commune has the INSEE code {text}", "check the code")
            return self._located(found)
        department = ""
        if m := re.fullmatch(r"(.+?)\s*[(,]\s*([0-9]{2,3}|2[AB])\s*\)?", text, re.IGNORECASE):
            text, department = m.group(1), m.group(2).upper()
        return self._located(self._by_name(text, department, kinds))

    def _by_name(self, text: str, department: str, kinds: tuple[str, ...] = ()) -> Place:
        key = normalise(text)
        if not key:
            raise QueryError("an empty place name", "give a commune, department or region name")
        found = self.named(key)
        if not found:  # 'Le Chesnay' finds 'Le Chesnay-Rocquencourt'
            found = [p for k in self.names() if k.startswith(key + " ") for p in self.named(k)]
        if department:
            found = [p for p in found if p.department == department or p.code == department]
        if kinds:  # none of those kinds: the caller says what the place is instead
            found = [p for p in found if p.kind in kinds] or found
        communes = [p for p in found if p.kind == "commune"]
        others = [p for p in found if p.kind != "commune"]
        # A department or region named like its chef-lieu commune (Paris) is the same place.
        candidates = communes or others if len(communes) != 1 else communes
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            close = difflib.get_close_matches(key, self.names(), n=5, cutoff=0.75)
            names = [p.label() for k in close for p in self.named(k)][:8]
            hint = f"did you mean: {'; '.join(names)}" if names else "check the spelling"
            raise QueryError(f"unknown place '{text}'", hint)
        listed = "; ".join(p.label() for p in sorted(candidates, key=lambda p: p.code)[:12])
        more = f" and {len(candidates) - 12} more" if len(candidates) > 12 else ""
        raise QueryError(
            f"'{text}' is ambiguous: {listed}{more}",
            "add the department, e.g. 'Valence (26)', or give the INSEE code",
        )

    @staticmethod
    def _located(place: Place) -> Place:
        if math.isnan(place.latitude):
            raise QueryError(
                f"{place.label()} has no coordinates in the gazetteer",
                "give 'lat,lon' or a neighbouring commune",
            )
        return place


@lru_cache(maxsize=4)
def _load(folder: Path) -> Gazetteer:
    return Gazetteer.of(_read_tables(folder))


def write_index(folder: Path, path: Path) -> None:
    """Index the tables of `folder` into `path` (normalising 35,000 names is most of the cost
    of a query, so a build does it once)."""
    import json

    gazetteer = Gazetteer.of(_read_tables(folder))
    path.write_text(json.dumps(gazetteer._index, ensure_ascii=False), encoding="utf-8")


def _read_tables(folder: Path) -> list[Place]:
    places: list[Place] = []
    nan = float("nan")

    def coords(row: dict[str, str]) -> tuple[float, float]:
        lat, lon = row.get("latitude") or "", row.get("longitude") or ""
        return (float(lat), float(lon)) if lat and lon else (nan, nan)

    with (folder / "regions.csv").open(encoding="utf-8", newline="") as f:
        places += [Place("region", r["code"], r["name"], "", *coords(r)) for r in csv.DictReader(f)]
    with (folder / "departments.csv").open(encoding="utf-8", newline="") as f:
        places += [
            Place("department", r["code"], r["name"], r["code"], *coords(r))
            for r in csv.DictReader(f)
        ]
    with (folder / "communes.csv").open(encoding="utf-8", newline="") as f:
        places += [
            Place("commune", r["insee"], r["name"], r["department"], *coords(r))
            for r in csv.DictReader(f)
        ]
    return places


def rdflib_distance(*args: object) -> object:
    """hckfn:distanceKm(lat1, lon1, lat2, lon2) for rdflib's SPARQL engine."""
    from rdflib import Literal
    from rdflib.namespace import XSD
    from rdflib.plugins.sparql.sparql import SPARQLError

    try:
        values = [float(a) for a in args]  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SPARQLError("hckfn:distanceKm takes four numbers") from None
    if len(values) != 4:
        raise SPARQLError("hckfn:distanceKm takes four numbers")
    return Literal(round(distance_km(*values), 3), datatype=XSD.double)


def register_rdflib() -> None:
    from rdflib import URIRef
    from rdflib.plugins.sparql.operators import register_custom_function

    register_custom_function(DISTANCE, rdflib_distance, override=True)  # type: ignore[arg-type]
    register_custom_function(URIRef(GEOF_DISTANCE), rdflib_geof_distance, override=True)  # type: ignore[arg-type]


# GeoSPARQL's standard distance (the catalogue's queries use it; Oxigraph has it built in, with
# the same haversine on the same mean radius as distance_km).
GEOF_DISTANCE = "http://www.opengis.net/def/function/geosparql/distance"
UOM_METRE = "http://www.opengis.net/def/uom/OGC/1.0/metre"
_POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*$", re.IGNORECASE)


def wkt_point(lat: float, lon: float) -> Any:
    """A geo:wktLiteral POINT (longitude first, CRS84), as the graph writes them."""
    from rdflib import Literal

    from kg.namespaces import GEO

    return Literal(f"POINT({lon:.6f} {lat:.6f})", datatype=GEO.wktLiteral)


def point_of(wkt: object) -> tuple[float, float] | None:
    """(lat, lon) of a WKT POINT literal, or None."""
    m = _POINT.match(str(wkt)) if wkt is not None else None
    if not m:
        return None
    try:
        return float(m.group(2)), float(m.group(1))
    except ValueError:
        return None


def rdflib_geof_distance(*args: object) -> object:
    """geof:distance(point, point, uom:metre) for rdflib's SPARQL engine (points only)."""
    from rdflib import Literal
    from rdflib.namespace import XSD
    from rdflib.plugins.sparql.sparql import SPARQLError

    if len(args) != 3 or str(args[2]) != UOM_METRE:
        raise SPARQLError("geof:distance takes two WKT points and uom:metre")
    a, b = point_of(args[0]), point_of(args[1])
    if a is None or b is None:
        raise SPARQLError("geof:distance: kg computes it between WKT points only")
    return Literal(distance_km(*a, *b) * 1000, datatype=XSD.double)


def oxigraph_functions() -> dict[object, object]:
    """The same function for pyoxigraph's `custom_functions`."""
    import pyoxigraph as ox

    double = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")

    def distance(*args: object) -> object:
        try:
            values = [float(a.value) for a in args]  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            return None
        if len(values) != 4:
            return None
        return ox.Literal(str(round(distance_km(*values), 3)), datatype=double)

    return {ox.NamedNode(str(DISTANCE)): distance}
