"""data/organisations.csv: health organisations that are victims without being one FINESS site or
legal entity (a group of clinics, a regional e-health group, a foundation)."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import RDF

from kg.loading.context import Context, add_sources, read_table
from kg.loading.register import commune_of, same_as
from kg.namespaces import HCK, SCHEMA, concept, is_slug, resource

ORGANISATION_COLUMNS = ["slug", "name", "kind", "commune", "wikidata", "source"]


def load_organisations(ctx: Context) -> None:
    path = ctx.root / "data" / "organisations.csv"
    if not path.exists():  # optional table: a project may have no such victim
        return
    g = ctx.graph("register")
    required = {"slug", "name", "kind", "source"}
    for row in read_table(ctx, path, ORGANISATION_COLUMNS, required):
        slug = row["slug"]
        if not is_slug(slug) or slug in ctx.organisations:
            ctx.problem(
                path,
                row.line,
                f"organisation '{slug}' is not a unique slug",
                "lowercase letters, digits and hyphens, one row per organisation",
            )
            continue
        kind = ctx.code("organisation-kind", row["kind"], path, row.line, "kind")
        if kind is None:
            continue
        ctx.organisations.add(slug)
        iri = resource("organisation", slug)
        ctx.origin(iri, path, row.line)
        g.add((iri, RDF.type, HCK.HealthOrganisation))
        g.add((iri, SCHEMA.name, Literal(row["name"])))
        g.add((iri, HCK.organisationKind, concept("organisation-kind", kind)))
        same_as(ctx, g, iri, path, row)
        if row["commune"] and (commune := commune_of(ctx, row)) is not None:
            g.add((iri, HCK.commune, commune))
        add_sources(g, iri, ctx.source_refs(row["source"], path, row.line))
