"""data/register/: the FINESS register snapshot of 2021-01-08 (scripts/register.py), added to the
build as N-Quads lines written directly (an rdflib Graph of its triples would cost seconds).

`--register hospitals` (the default) takes the sites of the hospital categories and their legal
entities, `all` every site, `none` nothing. The curated tables win: a site or legal entity they
list is not taken from the snapshot, and where the snapshot disagrees with a curated site (legal
entity, category, commune, coordinates more than 1 km apart) the build prints a notice; an
imported register (`kg import finess`, newer) supersedes the snapshot for the numbers it holds.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib.namespace import SKOS

from kg.errors import KgError
from kg.importing.finess_rdf import (
    CATEGORY,
    COMMUNE,
    ESTABLISHMENT,
    FINESS,
    HOSPITAL,
    LEGAL_ENTITY,
    NAME,
    RUN_BY,
    SOURCE,
    A,
    _point,
    iri,
    literal,
)
from kg.loading.context import Context
from kg.namespaces import GRAPHS, concept, resource, scheme, source_iri

MODES = ("hospitals", "all", "none")
DEFAULT_MODE = "hospitals"
ENVIRONMENT = "KG_REGISTER"
SNAPSHOT_DATE = "2021-01-08"
CATEGORY_SOURCE = "https://interop.esante.gouv.fr/ig/nos/1.2.0/ValueSet-JDV-J129-CategorieEtablissement-RASS.xml.html"
FAR_KM = 1.0
RESTORE = "restore it: git checkout -- data/register"
FILES = ("categories.csv", "establishments.csv.gz", "legal_entities.csv.gz")


def register_mode(mode: str | None = None) -> str:
    """`mode`, else $KG_REGISTER, else hospitals; anything else is a usage error."""
    chosen = mode or os.environ.get(ENVIRONMENT) or DEFAULT_MODE
    if chosen not in MODES:
        where = "--register" if mode else f"${ENVIRONMENT}"
        raise KgError(f"{where} is '{chosen}'", f"use one of: {', '.join(MODES)}")
    return chosen


def register_dir(root: Path) -> Path:
    return root / "data" / "register"


def snapshot_files(root: Path) -> list[Path]:
    folder = register_dir(root)
    return [folder / name for name in FILES if (folder / name).is_file()]


@dataclass
class Curated:
    legal_entity: str
    category: str
    commune: str
    latitude: str
    longitude: str
    line: int


def load_snapshot(ctx: Context, mode: str, superseded: Collection[str] = ()) -> None:
    """The snapshot's sites (and their legal entities) that the curated tables and an imported
    register do not already give, as N-Quads lines in ctx.lines (graph `register`)."""
    if mode == "none":
        return
    folder = register_dir(ctx.root)
    if not all((folder / name).is_file() for name in FILES):
        ctx.problem(folder, None, "the register snapshot is incomplete", RESTORE)
        return
    categories = _categories(folder / "categories.csv")
    curated = _curated_sites(ctx.root / "data" / "establishments.csv")
    end = f" <{GRAPHS['register']}> .\n"
    lines: list[str] = []
    entities: dict[str, str] = {}
    used_categories: set[str] = set()
    urls: set[str] = set()
    counts = {"sites": 0, "curated": 0, "superseded": 0, "no-commune": 0}
    for row in _read(folder / "establishments.csv.gz"):
        number, category = row["finess_et"], row["category"]
        hospital = ctx.categories.get(category, categories.get(category, ("", False))[1])
        if mode == "hospitals" and not hospital:
            continue
        if number in curated:
            counts["curated"] += 1
            _compare(ctx, number, row, curated[number])
            continue
        if number in superseded:
            counts["superseded"] += 1
            continue
        if row["commune"] not in ctx.communes:
            counts["no-commune"] += 1
            continue
        counts["sites"] += 1
        ctx.communes_used.add(row["commune"])
        used_categories.add(category)
        entities.setdefault(row["finess_ej"], "")
        urls.add(row["source"])
        lines += _site(row, hospital, end)
    _entities(ctx, folder, entities, superseded, lines, end)
    for url in sorted(urls) + [CATEGORY_SOURCE]:  # each must have its row in data/sources.csv
        ctx.source_refs(url, ctx.root / "data" / "sources.csv", 0)
    _category_lines(ctx, categories, used_categories, lines, end)
    ctx.lines += lines
    ctx.snapshot = {**counts, "legal-entities": len(ctx.snapshot_entities), "mode": mode}
    if counts["superseded"]:
        ctx.notices.append(
            "the imported register (kg import finess) supersedes "
            f"{_sites(counts['superseded'])} of the register snapshot of {SNAPSHOT_DATE}: "
            "its rows are used"
        )


def _sites(n: int) -> str:
    return f"{n} site" if n == 1 else f"{n} sites"


def _read(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _categories(path: Path) -> dict[str, tuple[str, bool]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["code"]: (r["label_fr"], r["hospital"] == "yes") for r in csv.DictReader(handle)}


def _curated_sites(path: Path) -> dict[str, Curated]:
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    out = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
        number = (row.get("finess_et") or "").strip()
        if number:
            cells = {c: (row.get(c) or "").strip() for c in row if c}
            out[number] = Curated(
                cells.get("finess_ej", ""),
                cells.get("category", ""),
                cells.get("commune", ""),
                cells.get("latitude", ""),
                cells.get("longitude", ""),
                line,
            )
    return out


def _compare(ctx: Context, number: str, row: dict[str, str], kept: Curated) -> None:
    """A notice for each value the snapshot gives otherwise than the curated row (kept)."""
    differences = [
        (what, row[column], value)
        for what, column, value in (
            ("legal entity", "finess_ej", kept.legal_entity),
            ("category", "category", kept.category),
            ("commune", "commune", kept.commune),
        )
        if row[column] and value and row[column] != value
    ]
    km = _distance(row, kept)
    if km is not None and km > FAR_KM:
        differences.append(
            (
                "coordinates",
                f"{row['latitude']}, {row['longitude']}",
                f"{kept.latitude}, {kept.longitude} ({km:.1f} km apart)",
            )
        )
    for what, snapshot, curated in differences:
        ctx.notices.append(
            f"data/establishments.csv:{kept.line}: {number}: the register snapshot of "
            f"{SNAPSHOT_DATE} gives {what} {snapshot}, the curated row {curated}; "
            "the curated value is kept"
        )


def _distance(row: dict[str, str], kept: Curated) -> float | None:
    try:
        lat1, lon1 = float(row["latitude"]), float(row["longitude"])
        lat2, lon2 = float(kept.latitude), float(kept.longitude)
    except ValueError:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _site(row: dict[str, str], hospital: bool, end: str) -> list[str]:
    node = iri(str(resource("establishment", row["finess_et"])))
    source = iri(str(source_iri(row["source"])))
    triples = [(node, A, ESTABLISHMENT)]
    if hospital:
        triples.append((node, A, HOSPITAL))
    triples += [
        (node, FINESS, literal(row["finess_et"])),
        (node, NAME, literal(row["name"])),
        (node, RUN_BY, iri(str(resource("legal-entity", row["finess_ej"])))),
        (node, CATEGORY, iri(str(concept("finess-category", row["category"])))),
        (node, COMMUNE, iri(str(resource("commune", row["commune"])))),
        (node, SOURCE, source),
    ]
    if row["latitude"] and row["longitude"]:
        triples += _point(node, float(row["latitude"]), float(row["longitude"]), source)
    return [f"{s} {p} {o}{end}" for s, p, o in triples]


def _entities(
    ctx: Context,
    folder: Path,
    wanted: dict[str, str],
    superseded: Collection[str],
    lines: list[str],
    end: str,
) -> None:
    """The legal entities of the sites taken, but those the curated table or an import give."""
    for row in _read(folder / "legal_entities.csv.gz"):
        number = row["finess_ej"]
        if number not in wanted or number in ctx.legal_entities or number in superseded:
            continue
        node = iri(str(resource("legal-entity", number)))
        lines += [
            f"{node} {A} {LEGAL_ENTITY}{end}",
            f"{node} {FINESS} {literal(number)}{end}",
            f"{node} {SOURCE} {iri(str(source_iri(row['source'])))}{end}",
        ]
        ctx.snapshot_entities.add(number)


def _category_lines(
    ctx: Context,
    categories: dict[str, tuple[str, bool]],
    used: set[str],
    lines: list[str],
    end: str,
) -> None:
    """A SKOS concept for each category of the sites taken that the curated table lacks."""
    source = iri(str(source_iri(CATEGORY_SOURCE)))
    for code in sorted(used - set(ctx.categories)):
        node = iri(str(concept("finess-category", code)))
        label = categories.get(code, ("", False))[0] or code
        lines += [
            f"{node} {A} {iri(str(SKOS.Concept))}{end}",
            f"{node} {iri(str(SKOS.inScheme))} {iri(str(scheme('finess-category')))}{end}",
            f"{node} {iri(str(SKOS.notation))} {literal(code)}{end}",
            f"{node} {iri(str(SKOS.prefLabel))} {literal(label, lang='fr')}{end}",
            f"{node} {SOURCE} {source}{end}",
        ]
