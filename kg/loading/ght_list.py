"""data/register/ghts.csv and ght_members.csv: the ministry's list of every GHT, with the legal
entities of the GHTs whose bundle was read (scripts/ght_list.py, data/register/README.md).

Loaded with the register snapshot (`--register hospitals` or `all`; not with `none`). The curated
tables win: a GHT of data/ghts.csv keeps its name, region and members (with their dates); the
list's name, where it differs, becomes a schema:alternateName; a region that differs, a legal
entity that the list puts in one GHT and data/ght_members.csv currently in another, or one that
the list puts in a GHT where its curated membership ended, is printed as a notice of the build.
The list names no support establishment, so its GHTs keep the shapes' warning for it.
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kg.identifiers import finess_problem, region_problem
from kg.loading.context import Context, Row, add_sources, read_table
from kg.loading.ght import add_membership
from kg.namespaces import HCK, SCHEMA, is_slug, resource

GHT_COLUMNS = [
    "code",
    "name",
    "region",
    "region_listed",
    "legal_entities",
    "members_listed",
    "source",
]
MEMBER_COLUMNS = ["ght", "finess_ej", "name", "source"]
LIST_DATE = "2019-01-29"  # dgos_ght_liste_290119_2.xlsx, the list flrt/ght-opendata reads


FILES = ("ghts.csv", "ght_members.csv")


def ght_list_files(root: Path) -> list[Path]:
    folder = root / "data" / "register"
    return [folder / name for name in FILES if (folder / name).is_file()]


def load_ght_list(ctx: Context, mode: str) -> None:
    if mode == "none":
        return
    folder = ctx.root / "data" / "register"
    listed = _ghts(ctx, folder / "ghts.csv")
    _members(ctx, folder / "ght_members.csv", listed)


def _ghts(ctx: Context, path: Path) -> set[str]:
    """The list's GHTs: added where data/ghts.csv lacks them, compared where it has them."""
    g = ctx.graph("ght")
    codes: set[str] = set()
    required = set(GHT_COLUMNS) - {"members_listed"}
    for row in read_table(ctx, path, GHT_COLUMNS, required):
        code, region = row["code"], row["region"]
        if not is_slug(code.lower()) or code in codes:
            ctx.problem(path, row.line, f"GHT code '{code}' is not a unique slug", _FIX)
            continue
        if (problem := region_problem(region)) or region not in ctx.regions:
            ctx.problem(
                path,
                row.line,
                problem or f"region '{region}' is not in data/gazetteer/regions.csv",
                _FIX,
            )
            continue
        codes.add(code)
        iri = resource("ght", code)
        sources = ctx.source_refs(row["source"], path, row.line)
        if code in ctx.ghts:
            _compare(ctx, row, iri)
            add_sources(g, iri, sources)
            continue
        ctx.ghts.add(code)
        ctx.origin(iri, path, row.line)
        g.add((iri, RDF.type, HCK.GHT))
        g.add((iri, HCK.ghtCode, Literal(code)))
        g.add((iri, SCHEMA.name, Literal(row["name"])))
        g.add((iri, HCK.region, resource("region", region)))
        add_sources(g, iri, sources)
    return codes


def _compare(ctx: Context, row: Row, iri: URIRef) -> None:
    g = ctx.graph("ght")
    kept_region = g.value(iri, HCK.region)
    listed_region = resource("region", row["region"])
    where = ctx.origins.get(str(iri), "data/ghts.csv")
    if kept_region is not None and kept_region != listed_region:
        ctx.notices.append(
            f"{where}: GHT {row['code']}: the GHT list of {LIST_DATE} gives region "
            f"{row['region']} ({row['region_listed']}), the curated row "
            f"{str(kept_region).rsplit('/', 1)[-1]}; the curated value is kept"
        )
    names = {_plain(str(n)) for n in g.objects(iri, SCHEMA.name)}
    if _plain(row["name"]) not in names:
        g.add((iri, SCHEMA.alternateName, Literal(row["name"])))


def _members(ctx: Context, path: Path, listed: set[str]) -> None:
    g, register = ctx.graph("ght"), ctx.graph("register")
    curated = _curated_members(ctx.root / "data" / "ght_members.csv")
    seen: set[tuple[str, str]] = set()
    for row in read_table(ctx, path, MEMBER_COLUMNS, set(MEMBER_COLUMNS)):
        ght, number = row["ght"], row["finess_ej"]
        if ght not in listed:
            ctx.problem(path, row.line, f"GHT '{ght}' is not in data/register/ghts.csv", _FIX)
            continue
        if problem := finess_problem(number):
            ctx.problem(path, row.line, f"'finess_ej' {problem}", _FIX)
            continue
        if (ght, number) in seen:
            ctx.problem(path, row.line, f"{number} is listed twice in GHT '{ght}'", _FIX)
            continue
        seen.add((ght, number))
        rows = curated.get(number, {})
        if ght in rows:  # the curated membership, with its role and dates, is kept
            line, until = rows[ght]
            if until:
                ctx.notices.append(
                    f"data/ght_members.csv:{line}: legal entity {number}: the GHT list of "
                    f"{LIST_DATE} puts it in GHT {ght}, where the curated membership ended "
                    f"({until}); the curated membership is kept"
                )
            continue
        elsewhere = {other: line for other, (line, until) in rows.items() if not until}
        if elsewhere:
            other, line = sorted(elsewhere.items())[0]
            ctx.notices.append(
                f"data/ght_members.csv:{line}: legal entity {number}: the GHT list of "
                f"{LIST_DATE} puts it in GHT {ght}, the curated row in GHT {other}; "
                "the curated membership is kept"
            )
            continue
        sources = ctx.source_refs(row["source"], path, row.line)
        member = resource("legal-entity", number)
        if number not in ctx.legal_entities:
            if number not in ctx.snapshot_entities:
                ctx.snapshot_entities.add(number)
                ctx.origin(member, path, row.line)
                register.add((member, RDF.type, HCK.LegalEntity))
                register.add((member, HCK.finessNumber, Literal(number)))
            # the snapshot's legal entities have no name (its extract gives none); the list does
            register.add((member, SCHEMA.name, Literal(row["name"])))
            add_sources(register, member, sources)
        add_sources(g, add_membership(ctx, ght, member, "member", path, row.line), sources)


def _curated_members(path: Path) -> dict[str, dict[str, tuple[int, str]]]:
    """FINESS number -> {GHT: (line, until)} of data/ght_members.csv: a membership that ended
    (`until`) still wins over the list in its GHT; only a current one does elsewhere."""
    if not path.is_file():
        return {}
    out: dict[str, dict[str, tuple[int, str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            number = (row.get("finess") or "").strip()
            until = (row.get("until") or "").strip()
            out.setdefault(number, {})[(row.get("ght") or "").strip()] = (line, until)
    return out


def _plain(text: str) -> str:
    """A name without case, accents or punctuation, to tell a spelling from another name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


_FIX = "restore it: git checkout -- data/register (or regenerate it with scripts/ght_list.py)"
