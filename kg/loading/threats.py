"""data/actors.csv and data/malware.csv: threat actors and malware families with their aliases."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.identifiers import wikidata_problem
from kg.loading.context import MULTI, Context, Row, add_sources, read_table
from kg.namespaces import HCK, SCHEMA, WD, is_slug, resource

ACTOR_COLUMNS = ["slug", "name", "aliases", "wikidata", "attack", "source"]
MALWARE_COLUMNS = ["slug", "name", "aliases", "actor", "wikidata", "attack", "source"]
_ATTACK = re.compile(r"^[GS][0-9]{4}$")


def load_actors(ctx: Context) -> None:
    path = ctx.root / "data" / "actors.csv"
    for row in read_table(ctx, path, ACTOR_COLUMNS, {"slug", "name", "source"}):
        iri = _threat(ctx, path, row, "actor", HCK.ThreatActor, ctx.actors)
        if iri is not None:
            ctx.actors.add(row["slug"])


def load_malware(ctx: Context) -> None:
    path = ctx.root / "data" / "malware.csv"
    g = ctx.graph("threats")
    for row in read_table(ctx, path, MALWARE_COLUMNS, {"slug", "name", "source"}):
        actors = [a.strip() for a in row["actor"].split(MULTI) if a.strip()]
        unknown = [a for a in actors if a not in ctx.actors]
        if unknown:
            ctx.problem(
                path,
                row.line,
                f"actor '{unknown[0]}' is not in data/actors.csv",
                "add the actor there first, or leave 'actor' empty",
            )
            continue
        iri = _threat(ctx, path, row, "malware", HCK.Malware, ctx.malware)
        if iri is None:
            continue
        ctx.malware.add(row["slug"])
        for actor in actors:
            g.add((iri, HCK.usedBy, resource("actor", actor)))


def _threat(
    ctx: Context, path: Path, row: Row, kind: str, cls: URIRef, seen: set[str]
) -> URIRef | None:
    slug = row["slug"]
    if not is_slug(slug) or slug in seen:
        ctx.problem(
            path,
            row.line,
            f"slug '{slug}' is not a new slug",
            "lowercase letters, digits and hyphens, one row each",
        )
        return None
    wikidata, attack = row["wikidata"], row["attack"]
    if wikidata and wikidata_problem(wikidata):
        ctx.problem(path, row.line, f"'wikidata' is '{wikidata}', not a Q-id", "e.g. Q112089429")
        return None
    if attack and not _ATTACK.match(attack):
        ctx.problem(
            path, row.line, f"'attack' is '{attack}', not an ATT&CK id", "e.g. G0000, S0000"
        )
        return None
    g = ctx.graph("threats")
    iri = resource(kind, slug)
    ctx.origin(iri, path, row.line)
    g.add((iri, RDF.type, cls))
    g.add((iri, SKOS.prefLabel, Literal(row["name"])))
    for alias in (a.strip() for a in row["aliases"].split(MULTI)):
        if alias:
            g.add((iri, SKOS.altLabel, Literal(alias)))
    if wikidata:
        g.add((iri, SCHEMA.sameAs, WD[wikidata]))
    if attack:
        g.add((iri, HCK.attackId, Literal(attack)))
        section = "groups" if attack.startswith("G") else "software"
        g.add((iri, SCHEMA.sameAs, URIRef(f"https://attack.mitre.org/{section}/{attack}/")))
    add_sources(g, iri, ctx.source_refs(row["source"], path, row.line))
    return iri
