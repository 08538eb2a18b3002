"""A seeded synthetic FINESS register in the etalab extract's own format, for the benchmark of
`kg import finess`: `establishments` structureet lines and their geolocalisation lines, in real
communes of real departments (data/gazetteer/, weighted by population), with Luhn-valid numbers
under the real department prefixes, real category codes and labels, and projected coordinates
a little off each commune's point (Lambert-93 in metropolitan France, the legal UTM projection
overseas). Names, streets and dates are invented.

Its first line, `finess;synthetic;SEED;2026-01-01`, marks it as synthetic: the importer then
requires the synthetic namespace (kg.importing.finess.SYNTHETIC_BASE).

    python -m kg.synthetic.register --establishments 100000 --seed 1 -o register.csv
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kg.identifiers import department_problem, luhn_key
from kg.importing.finess_geo import OVERSEAS

DATE = "2026-01-01"
REPOSITORY = Path(__file__).resolve().parent.parent.parent

# (categetab, libcategetab, categagretab, libcategagretab, weight): codes and labels as the
# extract of 2026-05-12 writes them (tests/fixtures/finess/etalab-real.csv).
CATEGORIES = [
    ("620", "Pharmacie d'Officine", "3201", "Commerce de Biens à Usage Médicaux", 20.0),
    (
        "500",
        "Etablissement d'hébergement pour personnes âgées dépendantes",
        "4401",
        "Etablissements d'Hébergement pour Personnes Âgées",
        8.0,
    ),
    (
        "223",
        "Protection Maternelle et Infantile (P.M.I.)",
        "2202",
        "Etablissements de PMI et de Planification Familiale",
        5.0,
    ),
    (
        "189",
        "Centre Médico-Psycho-Pédagogique (C.M.P.P.)",
        "4106",
        "Services à Domicile ou Ambulatoires pour Handicapés",
        2.0,
    ),
    ("146", "Structure d'Alternative à la dialyse en centre", "1203", "Dialyse Ambulatoire", 1.0),
    (
        "340",
        "Service mandataire judiciaire à la protection des majeurs",
        "4608",
        "Protection des majeurs",
        1.0,
    ),
    (
        "365",
        "Etablissement de Soins Pluridisciplinaire",
        "1110",
        "Etablissements de Soins de Courte Durée",
        3.0,
    ),
    ("355", "Centre Hospitalier (C.H.)", "1102", "Centres Hospitaliers", 2.0),
    ("101", "Centre Hospitalier Régional (C.H.R.)", "1101", "Centres Hospitaliers Régionaux", 0.3),
]
PREFIXES = {"620": "PHARMACIE", "500": "EHPAD", "223": "PMI", "189": "CMPP", "146": "UAD"}
PREFIXES |= {"340": "SMJPM", "365": "CLINIQUE", "355": "CH", "101": "CHR"}
WORDS = ["DU CENTRE", "DE LA GARE", "LES TILLEULS", "DU PARC", "SAINT JOSEPH", "LES CHENES"]
WORDS += ["DE LA MAIRIE", "DU MARCHE", "LES ROSIERS", "PASTEUR", "DES QUATRE VENTS"]
STREET_TYPES = ["R", "AV", "BD", "RTE", "CHE", "PL", "ALL", "IMP"]
STREETS = ["DE LA REPUBLIQUE", "DU GENERAL DE GAULLE", "JEAN JAURES", "PASTEUR", "VICTOR HUGO"]
STREETS += ["DE PARIS", "DE LA GARE", "DES ECOLES", "DU STADE", "DE L EGLISE"]

# The projection of each territory and the sourcecoordet text the newer extracts give it.
PROJECTIONS = {
    "971": (5490, "2,ATLASANTE,96,BAN,EPSG:5490 RGAF09/UTM Zone 20N (Antilles)"),
    "972": (5490, "2,ATLASANTE,96,BAN,EPSG:5490 RGAF09/UTM Zone 20N (Antilles)"),
    "973": (2972, "2,ATLASANTE,96,BAN,EPSG:2972 RGFG95/UTM zone 22N (Guyane)"),
    "974": (2975, "2,ATLASANTE,96,BAN,EPSG:2975 RGR92/UTM zone 40S (La Réunion)"),
    "976": (4471, "2,ATLASANTE,100,BDADRESSE,EPSG:4471 RGM04/UTM zone 38S (Mayotte)"),
}
LAMBERT_93 = (2154, "1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)")
# FINESS number prefixes overseas, as the register writes them (970100400, 980501506).
NUMBER_PREFIX = {"971": "9701", "972": "9702", "973": "9703", "974": "9704", "976": "9805"}
SHARED_LEGAL_ENTITY = 0.35
JITTER_DEGREES = 0.01  # standard deviation of the offset from the commune's point (about 1 km)


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    department: str
    department_name: str
    latitude: float
    longitude: float
    weight: float


def write_register(
    path: Path, establishments: int, seed: int, *, gazetteer: Path | None = None
) -> Path:
    """Write a synthetic register of `establishments` establishments to `path`; return it."""
    rng = random.Random(seed)
    communes = read_communes(gazetteer or REPOSITORY / "data" / "gazetteer")
    chosen = rng.choices(communes, weights=[c.weight for c in communes], k=establishments)
    categories = rng.choices(CATEGORIES, weights=[c[4] for c in CATEGORIES], k=establishments)
    numbers = _Numbers(rng)
    rows = [
        _structure(rng, numbers, commune, category)
        for commune, category in zip(chosen, categories, strict=True)
    ]
    _share_legal_entities(rng, rows)
    order = sorted(range(establishments), key=lambda i: rows[i][1])
    points = _points(rng, chosen)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"finess;synthetic;{seed};{DATE}\n")
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerows(rows[i] for i in order)
        writer.writerows(_geolocation(rng, rows[i][1], points[i]) for i in order)
    return path


def read_communes(gazetteer: Path) -> list[Commune]:
    """The communes of departments (not collectivities) that have a point, with a weight that
    grows with their population."""
    with (gazetteer / "departments.csv").open(encoding="utf-8", newline="") as handle:
        departments = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    out = []
    with (gazetteer / "communes.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            department = row["department"]
            if not row["latitude"] or department_problem(department) is not None:
                continue
            population = int(row["population"]) if row["population"].isdigit() else 0
            out.append(
                Commune(
                    row["insee"],
                    row["name"],
                    department,
                    departments[department],
                    float(row["latitude"]),
                    float(row["longitude"]),
                    max(population, 50) ** 0.8,
                )
            )
    return out


class _Numbers:
    """Distinct FINESS numbers per department prefix, in increasing order with random gaps."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next: dict[str, int] = {}

    def take(self, department: str) -> str:
        prefix = NUMBER_PREFIX.get(department, department)
        width = 9 - len(prefix) - (1 if prefix.isdigit() else 0)
        serial = self.next.get(prefix, 0) + self.rng.randint(1, 3)
        if serial >= 10**width:
            raise ValueError(f"more establishments than FINESS numbers under {prefix}")
        self.next[prefix] = serial
        body = f"{prefix}{serial:0{width}d}"
        return body + str(luhn_key(body)) if body.isdigit() else body


def _structure(
    rng: random.Random,
    numbers: _Numbers,
    commune: Commune,
    category: tuple[str, str, str, str, float],
) -> list[str]:
    code, label, group, group_label, _weight = category
    town = _upper(commune.name)
    legal_entity = numbers.take(commune.department)
    name = f"{PREFIXES[code]} {rng.choice(WORDS)} {town}"
    if rng.random() < 0.01:
        name = f'{PREFIXES[code]} "{rng.choice(WORDS)}"'  # a field the CSV writer must quote
    opened = _date(rng, 1950, 2024)
    return [
        "structureet",
        numbers.take(commune.department),
        legal_entity,
        name[:38],
        name,
        "",
        "",
        str(rng.randint(1, 250)),
        rng.choice(STREET_TYPES),
        rng.choice(STREETS),
        "",
        "",
        commune.insee[-3:],
        _finess_department(commune.department),
        _upper(commune.department_name),
        f"{_postal_code(commune.department)} {town}",
        "",
        "",
        code,
        label,
        group,
        group_label,
        "",
        "",
        "99",
        "Indéterminé",
        "",
        "",
        opened,
        opened,
        _date(rng, 2015, 2025),
        "",
    ]


def _share_legal_entities(rng: random.Random, rows: list[list[str]]) -> None:
    """About a third of the establishments join a legal entity of another establishment of
    their department (the real register has about two establishments per legal entity)."""
    by_department: dict[str, list[str]] = {}
    for row in rows:
        entities = by_department.setdefault(row[13], [])
        if entities and rng.random() < SHARED_LEGAL_ENTITY:
            row[2] = rng.choice(entities)
        else:
            entities.append(row[2])


def _points(rng: random.Random, communes: list[Commune]) -> list[tuple[int, str, float, float]]:
    """(EPSG code, sourcecoordet, x, y) of a point near each commune's, projected in batches."""
    from pyproj import Transformer

    offsets = [(rng.gauss(0, JITTER_DEGREES), rng.gauss(0, JITTER_DEGREES)) for _ in communes]
    projections = [PROJECTIONS.get(c.department, LAMBERT_93) for c in communes]
    out: list[tuple[int, str, float, float]] = [(0, "", 0.0, 0.0)] * len(communes)
    for epsg in sorted({p[0] for p in projections}):
        indices = [i for i, p in enumerate(projections) if p[0] == epsg]
        transformer = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
        lons = [_lon(communes[i], offsets[i][1]) for i in indices]
        lats = [communes[i].latitude + offsets[i][0] for i in indices]
        xs, ys = transformer.transform(lons, lats)
        for i, x, y in zip(indices, xs, ys, strict=True):
            out[i] = (epsg, projections[i][1], x, y)
    return out


def _lon(commune: Commune, offset: float) -> float:
    return commune.longitude + offset / max(math.cos(math.radians(commune.latitude)), 0.1)


def _geolocation(
    rng: random.Random, number: str, point: tuple[int, str, float, float]
) -> list[str]:
    _epsg, source, x, y = point
    updated = _date(rng, 2024, 2025)
    if rng.random() < 0.001:  # the real extract has a few lines without coordinates
        return ["geolocalisation", number, "", "", "", updated]
    return ["geolocalisation", number, f"{x:.1f}", f"{y:.1f}", source, updated]


def _finess_department(department: str) -> str:
    letters = {insee: letter for letter, insee in OVERSEAS.items()}
    return letters.get(department, department)


def _postal_code(department: str) -> str:
    """An invented postal code of the department (the gazetteer has none)."""
    special = {"2A": "20000", "2B": "20200"}
    return special.get(department, department.ljust(5, "0"))


def _upper(text: str) -> str:
    """As the register writes places: upper case, no accents, spaces for hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ascii_text.upper().replace("-", " ").replace("'", " ")


def _date(rng: random.Random, first: int, last: int) -> str:
    year = rng.randint(first, last)
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--establishments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    write_register(args.output, args.establishments, args.seed)
    print(args.output)


if __name__ == "__main__":
    main()
