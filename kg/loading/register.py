"""data/finess_categories.csv, legal_entities.csv, establishments.csv: the FINESS register part."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from kg.identifiers import commune_problem, finess_problem, wikidata_problem
from kg.loading.context import Context, Row, add_sources, read_table
from kg.loading.places import add_point
from kg.namespaces import HCK, SCHEMA, WD, concept, resource, scheme

CATEGORY_COLUMNS = ["code", "label_fr", "label_en", "hospital", "source"]
LEGAL_ENTITY_COLUMNS = ["finess_ej", "name", "commune", "wikidata", "source"]
ESTABLISHMENT_COLUMNS = [
    "finess_et",
    "finess_ej",
    "name",
    "category",
    "commune",
    "source",
    "latitude",
    "longitude",
    "geo_source",
    "beds",
    "beds_source",
]


def load_categories(ctx: Context) -> None:
    path = ctx.root / "data" / "finess_categories.csv"
    g = ctx.graph("register")
    for row in read_table(ctx, path, CATEGORY_COLUMNS, {"code", "label_fr", "source"}):
        if row["hospital"] not in ("yes", "no"):
            ctx.problem(path, row.line, f"'hospital' is '{row['hospital']}'", "write yes or no")
            continue
        ctx.categories[row["code"]] = row["hospital"] == "yes"
        iri = concept("finess-category", row["code"])
        ctx.origin(iri, path, row.line)
        g.add((iri, RDF.type, SKOS.Concept))
        g.add((iri, SKOS.inScheme, scheme("finess-category")))
        g.add((iri, SKOS.notation, Literal(row["code"])))
        g.add((iri, SKOS.prefLabel, Literal(row["label_fr"], lang="fr")))
        if row["label_en"]:
            g.add((iri, SKOS.prefLabel, Literal(row["label_en"], lang="en")))
        add_sources(g, iri, ctx.source_refs(row["source"], path, row.line))


def _finess(ctx: Context, row: Row, column: str) -> str | None:
    number = row[column]
    problem = finess_problem(number)
    if problem:
        ctx.problem(row.path, row.line, f"'{column}' {problem}")
        return None
    return number


def commune_of(ctx: Context, row: Row) -> URIRef | None:
    code = row["commune"]
    problem = commune_problem(code)
    if problem is None and code not in ctx.communes:
        problem = f"commune '{code}' is not in data/gazetteer/communes.csv"
    if problem:
        ctx.problem(row.path, row.line, problem, "use the INSEE code of the commune")
        return None
    ctx.communes_used.add(code)
    return resource("commune", code)


def same_as(ctx: Context, g: Graph, iri: URIRef, path: Path, row: Row) -> None:
    """schema:sameAs the Wikidata item that a source of the row names (docs/model.md); a cell
    that is not a Q-id is a problem (the row itself still loads: no error follows from it)."""
    qid = row["wikidata"]
    if not qid:
        return
    problem = wikidata_problem(qid)
    if problem:
        ctx.problem(path, row.line, f"'wikidata' {problem}",
                    "give the Q-id that a source of the row names, or leave the cell empty")
        return
    g.add((iri, SCHEMA.sameAs, WD[qid]))


def load_legal_entities(ctx: Context) -> None:
    path = ctx.root / "data" / "legal_entities.csv"
    g = ctx.graph("register")
    for row in read_table(ctx, path, LEGAL_ENTITY_COLUMNS, {"finess_ej", "name", "source"}):
        number = _finess(ctx, row, "finess_ej")
        if number is None:
            continue
        if number in ctx.legal_entities:
            ctx.problem(path, row.line, f"legal entity {number} is listed twice", "keep one row")
            continue
        ctx.legal_entities.add(number)
        iri = resource("legal-entity", number)
        ctx.origin(iri, path, row.line)
        g.add((iri, RDF.type, HCK.LegalEntity))
        g.add((iri, HCK.finessNumber, Literal(number)))
        g.add((iri, SCHEMA.name, Literal(row["name"])))
        same_as(ctx, g, iri, path, row)
        if row["commune"] and (commune := commune_of(ctx, row)) is not None:
            g.add((iri, HCK.commune, commune))
        add_sources(g, iri, ctx.source_refs(row["source"], path, row.line))


def load_establishments(ctx: Context) -> None:
    path = ctx.root / "data" / "establishments.csv"
    required = {"finess_et", "finess_ej", "name", "category", "commune", "source"}
    for row in read_table(ctx, path, ESTABLISHMENT_COLUMNS, required):
        _establishment(ctx, path, row)


def _establishment(ctx: Context, path: Path, row: Row) -> None:
    g = ctx.graph("register")
    number, parent = _finess(ctx, row, "finess_et"), _finess(ctx, row, "finess_ej")
    if number is None or parent is None:
        return
    if number in ctx.establishments:
        ctx.problem(path, row.line, f"establishment {number} is listed twice", "keep one row")
        return
    if parent not in ctx.legal_entities:
        ctx.problem(
            path,
            row.line,
            f"legal entity {parent} is not in data/legal_entities.csv",
            "add its row there first",
        )
        return
    if row["category"] not in ctx.categories:
        ctx.problem(
            path,
            row.line,
            f"category '{row['category']}' is not in data/finess_categories.csv",
            "add the category there first",
        )
        return
    commune = commune_of(ctx, row)
    if commune is None:
        return
    ctx.establishments.add(number)
    iri = resource("establishment", number)
    ctx.origin(iri, path, row.line)
    g.add((iri, RDF.type, HCK.Establishment))
    if ctx.categories[row["category"]]:
        g.add((iri, RDF.type, SCHEMA.Hospital))
    g.add((iri, HCK.finessNumber, Literal(number)))
    g.add((iri, SCHEMA.name, Literal(row["name"])))
    g.add((iri, HCK.legalEntity, resource("legal-entity", parent)))
    g.add((iri, HCK.category, concept("finess-category", row["category"])))
    g.add((iri, HCK.commune, commune))
    add_sources(g, iri, ctx.source_refs(row["source"], path, row.line))
    _coordinates(ctx, row, iri)
    _beds(ctx, row, iri)


def _coordinates(ctx: Context, row: Row, iri: URIRef) -> None:
    lat, lon, source = row["latitude"], row["longitude"], row["geo_source"]
    if not (lat or lon or source):
        return
    try:
        latitude, longitude = float(lat), float(lon)
    except ValueError:
        ctx.problem(
            row.path,
            row.line,
            f"coordinates '{lat}', '{lon}' are not numbers",
            "write decimal degrees, e.g. 48.8252, 2.1280",
        )
        return
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        ctx.problem(
            row.path,
            row.line,
            f"coordinates {latitude}, {longitude} are out of range",
            "latitude in -90..90, longitude in -180..180 (WGS84 degrees)",
        )
        return
    if not source:
        ctx.problem(
            row.path,
            row.line,
            "coordinates without a 'geo_source'",
            "give the URL the coordinates come from",
        )
        return
    add_point(
        ctx.graph("register"), iri, latitude, longitude, ctx.source_refs(source, row.path, row.line)
    )


def _beds(ctx: Context, row: Row, iri: URIRef) -> None:
    if not row["beds"]:
        return
    if not row["beds"].isdigit() or not row["beds_source"]:
        ctx.problem(
            row.path,
            row.line,
            f"'beds' is '{row['beds']}' with source '{row['beds_source']}'",
            "write a whole number and its beds_source",
        )
        return
    g = ctx.graph("register")
    capacity = URIRef(f"{iri}/beds")
    g.add((iri, HCK.bedCapacity, capacity))
    g.add((capacity, RDF.type, SCHEMA.QuantitativeValue))
    g.add((capacity, SCHEMA.value, Literal(int(row["beds"]), datatype=XSD.integer)))
    g.add((capacity, SCHEMA.unitText, Literal("beds")))
    add_sources(g, capacity, ctx.source_refs(row["beds_source"], row.path, row.line))
