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


POSTAL = "#"  # index keys of postal codes (normalised names never start with it)
KIND_PREFIX = r"(r[ée]gion|d[ée]partement|department|dept|d[ée]p)\.?\s+(.+)"


def _same_point(a: Place, b: Place) -> bool:
    return abs(a.latitude - b.latitude) < 1e-4 and abs(a.longitude - b.longitude) < 1e-4


def _homonym_note(text: str, chosen: Place, homonyms: list[Place]) -> str:
    listed = "; ".join(p.label() for p in sorted(homonyms, key=lambda p: (p.kind, p.code))[:6])
    more = f" and {len(homonyms) - 6} more" if len(homonyms) > 6 else ""
    first = homonyms[0]
    example = f"{first.name} ({first.department})" if first.kind == "commune" else (
        f"{first.kind} {first.code}")
    return (
        f"'{text}' is read as {chosen.label()}; also named so: {listed}{more} "
        f"(give e.g. '{example}' for another)"
    )


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
        return [k for k in self._index if not k.startswith(POSTAL)]

    def postal(self, code: str) -> list[Place]:
        """The communes a postal code serves (data/gazetteer/postal-codes.csv), by INSEE code."""
        return self.named(POSTAL + code)

    @cached_property
    def by_code(self) -> dict[tuple[str, str], Place]:
        return {(row[0], row[1]): Place(*row) for rows in self._index.values() for row in rows}

    def resolve(
        self, text: str, kinds: tuple[str, ...] = (), notes: list[str] | None = None
    ) -> Place:
        """A place from 'lat,lon', an INSEE commune code, a postal code serving one commune
        (35000: Rennes; one serving several is an error listing them), a department or region
        code (53, 2A, 971), or a commune, department or region name, optionally followed by its
        department: 'Valence (26)', or preceded by its kind: 'department 53', 'région Bretagne'.

        A name or code shared by places of several kinds resolves to one, and the choice is
        said in `notes`: with `kinds`, the first of those kinds that has it ('Bretagne' the
        region for --region); else a region or department before its commune homonyms
        ('Bretagne' the region, 'Vienne' the department), a department code before a region
        code (53 is Mayenne), and a commune before the department or region it is the
        chef-lieu of (Paris). Errors list candidates."""
        text = text.strip()
        if m := re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)", text):
            lat, lon = float(m.group(1)), float(m.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise QueryError(
                    f"'{text}' is out of range", "latitude -90..90, longitude -180..180"
                )
            return Place("point", "", text, "", lat, lon)
        if m := re.fullmatch(KIND_PREFIX, text, re.IGNORECASE):
            kind = "region" if normalise(m.group(1)).startswith("r") else "department"
            text, kinds = m.group(2).strip(), (kind,)
        if re.fullmatch(r"[0-9][0-9AB][0-9]{3}", text.upper()):
            return self._located(self._by_five(text.upper(), notes))
        if re.fullmatch(r"[0-9]{2,3}|2[AB]", text.upper()):
            return self._located(self._by_code(text.upper(), kinds, notes))
        department = ""
        if m := re.fullmatch(r"(.+?)\s*[(,]\s*([0-9]{2,3}|2[AB])\s*\)?", text, re.IGNORECASE):
            text, department = m.group(1), m.group(2).upper()
        return self._located(self._by_name(text, department, kinds, notes))

    def _by_five(self, code: str, notes: list[str] | None) -> Place:
        """Five characters: an INSEE commune code, else a postal code serving one commune."""
        found = self.by_code.get(("commune", code))
        served = [p for p in self.postal(code) if found is None or p.code != found.code]
        if found is not None:
            if served and notes is not None:
                notes.append(f"{code} is read as the INSEE code of {found.label()}; as a postal "
                             f"code it serves {'; '.join(p.label() for p in served[:5])}")
            return found
        if len(served) == 1:
            if notes is not None:
                notes.append(f"{code} is read as the postal code of {served[0].label()}")
            return served[0]
        if served:
            ordered = sorted(served, key=lambda p: p.code)
            listed = "; ".join(p.label() for p in ordered[:12])
            more = f" and {len(served) - 12} more" if len(served) > 12 else ""
            raise QueryError(
                f"the postal code {code} serves {len(served)} communes: {listed}{more}",
                f"give the commune's name or INSEE code, e.g. {ordered[0].code}",
            )
        raise QueryError(
            f"no commune has the INSEE code or postal code {code}",
            "check the code, or give the commune's name",
        )

    def _by_code(self, code: str, kinds: tuple[str, ...], notes: list[str] | None) -> Place:
        """A department or region code; with both, the first of `kinds` (else the department)."""
        order = [k for k in kinds if k in ("region", "department")] or ["department", "region"]
        found = [p for k in order if (p := self.by_code.get((k, code))) is not None]
        if not found:
            wanted = " or ".join(order)
            raise QueryError(
                f"no {wanted} has the code {code}",
                "departments are 01 to 95, 2A, 2B and 971 to 976; regions e.g. 11 "
                "(Île-de-France), 53 (Bretagne), 94 (Corse)",
            )
        chosen, others = found[0], found[1:]
        if others and notes is not None and others[0].name != chosen.name:
            other = others[0]
            notes.append(
                f"{code} is read as the {chosen.kind} {chosen.name}; for the {other.kind} "
                f"{other.name} give '{other.kind} {code}' or its name"
            )
        return chosen

    def _by_name(
        self,
        text: str,
        department: str,
        kinds: tuple[str, ...] = (),
        notes: list[str] | None = None,
    ) -> Place:
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
        order = [k for k in kinds if k != "commune"] or ["region", "department"]
        others = sorted(
            (p for p in found if p.kind != "commune"),
            key=lambda p: order.index(p.kind) if p.kind in order else len(order),
        )
        # A commune at the very point of a department or region of its name (their chef-lieu:
        # Paris) is the same place, and the finer one.
        same = [c for c in communes if any(_same_point(c, o) for o in others)]
        if len(same) == 1 and not (kinds and "commune" not in kinds):
            return same[0]
        if others:
            chosen = others[0]
            homonyms = [p for p in found if p is not chosen and not _same_point(p, chosen)]
            if homonyms and notes is not None:
                notes.append(_homonym_note(text, chosen, homonyms))
            return chosen
        candidates = communes
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            close = difflib.get_close_matches(key, self.names(), n=5, cutoff=0.75)
            names = [p.label() for k in close for p in self.named(k)][:8]
            hint = f"did you mean: {'; '.join(names)}" if names else "check the spelling"
            raise QueryError(f"unknown place '{text}'", hint)
        ordered = sorted(candidates, key=lambda p: p.code)
        listed = "; ".join(p.label() for p in ordered[:12])
        more = f" and {len(candidates) - 12} more" if len(candidates) > 12 else ""
        first = ordered[0]
        raise QueryError(
            f"'{text}' is ambiguous: {listed}{more}",
            f"add the department, e.g. '{text} ({first.department})', or give the INSEE code, "
            f"e.g. {first.code}",
        )

    def spelling(self, place: Place, kinds: tuple[str, ...] = ()) -> str:
        """The shortest text that resolves to `place` again: its name, 'Name (dept)' for a
        commune with homonyms, else 'kind code'."""
        if place.kind == "point":
            return place.name
        tries = [place.name]
        if place.kind == "commune":
            tries += [f"{place.name} ({place.department})", place.code]
        else:
            tries += [place.code, f"{place.kind} {place.code}"]
        for text in tries:
            try:
                again = self.resolve(text, kinds)
            except QueryError:
                continue
            if (again.kind, again.code) == (place.kind, place.code):
                return text
        return tries[-1]

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
    return Gazetteer(_index(folder))


def _index(folder: Path) -> dict[str, list[list[Any]]]:
    """Places by normalised name, and communes by postal code under POSTAL + code."""
    gazetteer = Gazetteer.of(_read_tables(folder))
    index = gazetteer._index
    postal = folder / "postal-codes.csv"
    if postal.is_file():
        communes = {code: p for (kind, code), p in gazetteer.by_code.items() if kind == "commune"}
        with postal.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                place = communes.get(row["insee"])
                if place is not None:
                    index.setdefault(POSTAL + row["postal_code"], []).append(
                        [place.kind, place.code, place.name, place.department,
                         place.latitude, place.longitude])
    return index


def write_index(folder: Path, path: Path) -> None:
    """Index the tables of `folder` into `path` (normalising 35,000 names is most of the cost
    of a query, so a build does it once)."""
    import json

    path.write_text(json.dumps(_index(folder), ensure_ascii=False), encoding="utf-8")


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
