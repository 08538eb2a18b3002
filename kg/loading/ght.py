"""data/ghts.csv and data/ght_members.csv: GHT groupings and their W3C ORG memberships."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.identifiers import finess_problem, region_problem
from kg.loading.context import Context, add_sources, read_table
from kg.namespaces import HCK, ORG, SCHEMA, TIME, concept, is_slug, resource

GHT_COLUMNS = ["code", "name", "region", "source"]
MEMBER_COLUMNS = ["ght", "finess", "role", "since", "until", "source"]
# `until` written `..2021-01-08`: the membership ended at a date no source gives, before that one.
UNTIL_BEFORE = ".."


def load_ghts(ctx: Context) -> set[str]:
    path = ctx.root / "data" / "ghts.csv"
    g = ctx.graph("ght")
    codes: set[str] = set()
    for row in read_table(ctx, path, GHT_COLUMNS, {"code", "name", "region", "source"}):
        code = row["code"]
        if not is_slug(code.lower()) or code in codes:
            ctx.problem(
                path,
                row.line,
                f"GHT code '{code}' is not a unique slug",
                "letters, digits and hyphens, one row per GHT",
            )
            continue
        if (problem := region_problem(row["region"])) or row["region"] not in ctx.regions:
            ctx.problem(
                path,
                row.line,
                problem or f"region '{row['region']}' is not in data/gazetteer/regions.csv",
                "use the INSEE code of the region",
            )
            continue
        codes.add(code)
        iri = resource("ght", code)
        ctx.origin(iri, path, row.line)
        g.add((iri, RDF.type, HCK.GHT))
        g.add((iri, HCK.ghtCode, Literal(code)))
        g.add((iri, SCHEMA.name, Literal(row["name"])))
        g.add((iri, HCK.region, resource("region", row["region"])))
        add_sources(g, iri, ctx.source_refs(row["source"], path, row.line))
    return codes


def load_memberships(ctx: Context, ghts: set[str]) -> None:
    path = ctx.root / "data" / "ght_members.csv"
    g = ctx.graph("ght")
    seen: set[tuple[str, str]] = set()
    for row in read_table(ctx, path, MEMBER_COLUMNS, {"ght", "finess", "role", "source"}):
        ght, number = row["ght"], row["finess"]
        if ght not in ghts:
            ctx.problem(
                path, row.line, f"GHT '{ght}' is not in data/ghts.csv", "add it there first"
            )
            continue
        if problem := finess_problem(number):
            ctx.problem(path, row.line, f"'finess' {problem}")
            continue
        member = _member(ctx, number)
        if member is None:
            ctx.problem(
                path,
                row.line,
                f"FINESS {number} is neither in data/legal_entities.csv "
                "nor in data/establishments.csv",
                "add the member's row there first",
            )
            continue
        role = ctx.code("membership-role", row["role"], path, row.line, "role")
        if role is None or (ght, number) in seen:
            if role is not None:
                ctx.problem(path, row.line, f"{number} is listed twice in GHT '{ght}'")
            continue
        seen.add((ght, number))
        membership = add_membership(ctx, ght, member, role, path, row.line)
        add_sources(g, membership, ctx.source_refs(row["source"], path, row.line))
        _period(ctx, row.line, membership, row["since"], row["until"])


def add_membership(
    ctx: Context, ght: str, member: URIRef, role: str, path: Path, line: int
) -> URIRef:
    """The org:Membership of `member` (a legal entity or an establishment) in GHT `ght`, in
    the ght graph: one IRI per GHT and FINESS number, whichever table names it."""
    g = ctx.graph("ght")
    number = str(member).rsplit("/", 1)[-1]
    membership = URIRef(f"{resource('ght', ght)}/membership/{number}")
    ctx.origin(membership, path, line)
    g.add((resource("ght", ght), ORG.hasMembership, membership))
    g.add((membership, RDF.type, ORG.Membership))
    g.add((membership, ORG.member, member))
    g.add((membership, ORG.organization, resource("ght", ght)))
    g.add((membership, ORG.role, concept("membership-role", role)))
    return membership


def _member(ctx: Context, number: str) -> URIRef | None:
    if number in ctx.legal_entities or number in ctx.snapshot_entities:
        return resource("legal-entity", number)
    if number in ctx.establishments:
        return resource("establishment", number)
    return None


def _period(ctx: Context, line: int, membership: URIRef, since: str, until: str) -> None:
    """org:memberDuring as an OWL-Time interval whose ends keep their precision. An `until`
    written `..DATE` is an end known only to come before DATE: the end instant has no position
    of its own, only time:before an instant at DATE."""
    if not (since or until):
        return
    g = ctx.graph("ght")
    path = ctx.root / "data" / "ght_members.csv"
    period = URIRef(f"{membership}/period")
    g.add((membership, ORG.memberDuring, period))
    g.add((period, RDF.type, TIME.Interval))
    for text, link, name in ((since, TIME.hasBeginning, "since"), (until, TIME.hasEnd, "until")):
        if not text:
            continue
        bounded = name == "until" and text.startswith(UNTIL_BEFORE)
        value = ctx.date(text.removeprefix(UNTIL_BEFORE) if bounded else text, path, line, name)
        if value is None:
            continue
        instant = URIRef(f"{period}/{name}")
        g.add((period, link, instant))
        g.add((instant, RDF.type, TIME.Instant))
        if bounded:
            bound = URIRef(f"{period}/{name}-bound")
            g.add((instant, TIME.before, bound))
            g.add((bound, RDF.type, TIME.Instant))
            instant = bound
        g.add((instant, _instant_property(value.datatype), value))


def _instant_property(datatype: URIRef | None) -> URIRef:
    return {
        XSD.gYear: TIME.inXSDgYear,
        XSD.gYearMonth: TIME.inXSDgYearMonth,
        XSD.date: TIME.inXSDDate,
    }.get(datatype, TIME.inXSDDateTimeStamp)  # type: ignore[arg-type]
