"""data/sources.csv: every public source a fact points to."""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.loading.context import Context, read_table
from kg.namespaces import HCK, SCHEMA, publisher_iri, source_iri

COLUMNS = ["url", "title", "publisher", "language", "published"]
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")


def load_sources(ctx: Context) -> None:
    path = ctx.root / "data" / "sources.csv"
    g = ctx.graph("sources")
    publishers: dict[URIRef, str] = {}
    for row in read_table(ctx, path, COLUMNS, {"url", "title", "publisher", "language"}):
        url = row["url"]
        if not _URL.match(url):
            ctx.problem(path, row.line, f"'{url}' is not an http(s) URL", "percent-encode spaces")
            continue
        if url in ctx.sources:
            ctx.problem(path, row.line, f"source '{url}' is listed twice", "keep one row")
            continue
        if not _LANGUAGE.match(row["language"]):
            ctx.problem(
                path,
                row.line,
                f"'language' is '{row['language']}', not a language tag",
                "use a BCP 47 tag such as fr or en",
            )
            continue
        iri = ctx.sources[url] = source_iri(url)
        ctx.origin(iri, path, row.line)
        g.add((iri, RDF.type, HCK.Source))
        g.add((iri, SCHEMA.url, URIRef(url)))
        g.add((iri, DCTERMS.title, Literal(row["title"])))
        g.add((iri, DCTERMS.language, Literal(row["language"])))
        publisher = publisher_iri(row["publisher"])
        spelt = publishers.setdefault(publisher, row["publisher"])
        if spelt != row["publisher"]:
            ctx.problem(
                path,
                row.line,
                f"publisher '{row['publisher']}' is spelt '{spelt}' on another row",
                "write one publisher the same way everywhere",
            )
        g.add((iri, SCHEMA.publisher, publisher))
        g.add((publisher, RDF.type, SCHEMA.Organization))
        g.add((publisher, SCHEMA.name, Literal(row["publisher"])))
        if row["published"]:
            issued = ctx.date(row["published"], path, row.line, "published")
            if issued is not None:
                g.add((iri, DCTERMS.issued, issued))
