"""The pages: `Site.respond(path, params, accept)` gives the home page, the query page, and each
IRI of the graph (`/id/...`, `/vocab/...`, `/ontology`) in the form asked (HTML, Turtle,
N-Triples, RDF/XML, JSON-LD; 406 otherwise) with a `Link` header to the other forms. Pages are
Jinja2 templates with autoescaping on: every value from the graph or the request is escaped."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from kg.asking import EXAMPLES
from kg.errors import KgError
from kg.namespaces import BASE, PREFIXES
from kg.site.links import MEDIA_TYPES, RDF_FORMATS, Links
from kg.site.view import View

OX_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "rdf": "RDF_XML", "jsonld": "JSON_LD"}
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@dataclass
class Page:
    status: int
    body: bytes
    content_type: str = CONTENT_TYPES["html"]
    headers: dict[str, str] = field(default_factory=dict)


def environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kg.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from kg.site.home import _strongest

    env.filters["certainty_class"] = lambda actors: "c-" + _strongest(str(actors))
    return env


def negotiate_format(
    accept: str, params: dict[str, list[str]], default: str = "html"
) -> str | None:
    """`?format=` first, then the Accept header; HTML (or `default`) when nothing is said."""
    from kg.publishing.serve_worker import negotiate

    asked = params.get("format", [""])[0]
    if asked:
        return asked if asked in RDF_FORMATS else None
    return negotiate(accept, MEDIA_TYPES, default)


class Site:
    """The pages of one build: `store` is the read-only Oxigraph store, `project` the project
    (its queries and gazetteer); `links` says whether links are server paths or files."""

    def __init__(self, project: Any, engine: Any, links: Links | None = None) -> None:
        self.project, self.engine = project, engine
        self.links = links or Links()
        self.env = environment()

    def view(self, links: Links) -> View:
        return View(self.engine.store, links.href)

    # --- dispatch -------------------------------------------------------------------------

    def respond(self, path: str, params: dict[str, list[str]], accept: str = "") -> Page:
        try:
            if path in ("/", ""):
                return self.home(params, accept)
            if path == "/query":
                return self.html("query.html", self.links.at("query"), self.query_context())
            if path == "/ontology":
                return self.ontology(params, accept)
            if path.startswith(("/id/", "/vocab/")) and len(path) < 1000 and _IRI.fullmatch(path):
                return self.resource(BASE + path[1:], params, accept)
        except KgError as exc:
            q = params.get("q", [""])[0][:200] if path in ("/", "") else None
            return self.error(400, str(exc.args[0]) if exc.args else "bad request", exc, q)
        return self.error(404, f"nothing at {path[:200]}", None)

    def error(self, status: int, message: str, exc: KgError | None, q: str | None = None) -> Page:
        """The error page; a search that failed gets its search box back, holding the phrase."""
        hint = getattr(exc, "hint", "") or ""
        body = self.env.get_template("error.html").render(
            links=self.links, status=status, message=message, hint=hint,
            examples=EXAMPLES if status == 400 else [], q=q,
        )
        return Page(status, body.encode("utf-8"))

    def html(self, template: str, links: Links, context: dict[str, Any]) -> Page:
        body = self.env.get_template(template).render(links=links, **context)
        return Page(200, body.encode("utf-8"))

    # --- pages ----------------------------------------------------------------------------

    def home(self, params: dict[str, list[str]], accept: str) -> Page:
        from kg.site.home import search

        links = self.links.at("index.html")
        results = search(self.project, self.engine, self.view(links), params,
                         latest_by_default=not links.static)
        fmt = params.get("format", [""])[0]
        if fmt == "csv":
            return Page(200, to_csv(results), CONTENT_TYPES["csv"])
        if fmt == "json":
            return Page(200, to_json(results), CONTENT_TYPES["json"])
        from kg.site.home import shown, timeline

        if not links.static:
            results = shown(results)
        return self.html("home.html", links, {**self.choices(), "r": results,
                                               "timeline": timeline(results.rows),
                                               "points": [vars(p) for p in results.points],
                                               "static": links.static})

    def choices(self) -> dict[str, Any]:
        from kg.site.choices import choices

        return choices(self.engine)

    def query_context(self) -> dict[str, Any]:
        from kg.catalogue import catalogue

        queries = catalogue(self.project.queries)
        return {"queries": [{"name": n, "summary": q.summary, "text": q.text}
                            for n, q in queries.items()]}

    def ontology(self, params: dict[str, list[str]], accept: str) -> Page:
        from kg.exporting.ontology import merged_ontology

        fmt = negotiate_format(accept, params)
        links = self.links.at("ontology")
        if fmt is None:
            return not_acceptable()
        g = merged_ontology(self.project.root)
        if fmt == "html":
            from kg.exporting.ontology_html import documentation

            downloads = [links.form("ontology", f) for f in OX_FORMATS]
            page = Page(200, documentation(g, downloads).encode("utf-8"))
        else:
            rdflib_format = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}[fmt]
            page = Page(200, g.serialize(format=rdflib_format, encoding="utf-8"),
                        CONTENT_TYPES[fmt])
        page.headers.update(alternates(links, "ontology"))
        return page

    def resource(
        self, iri: str, params: dict[str, list[str]], accept: str, default: str = "html"
    ) -> Page:
        from kg.site.resource import context

        path = iri[len(BASE):]
        links = self.links.at(path)
        view = self.view(links)
        if not view.exists(iri):
            return self.error(404, f"nothing is known of <{iri}>", None)
        fmt = negotiate_format(accept, params, default)
        if fmt is None:
            return not_acceptable()
        if fmt == "html":
            page = self.html("resource.html", links, context(view, iri, links))
        else:
            page = Page(200, rdf(self.engine.store, iri, fmt), CONTENT_TYPES[fmt])
        page.headers.update(alternates(links, path))
        return page


_IRI = re.compile(r"[^\x00-\x20<>\"{}|^`\\]*")  # what an IRI may hold (RFC 3987, roughly)


class _Engine:
    def __init__(self, store: Any) -> None:
        self.store = store


_DESCRIPTION: dict[bytes, Site] = {}


def description(
    turtle: bytes, path: str, params: dict[str, list[str]], accept: str, static: bool = False
) -> Page:
    """`/dataset` (HTML unless asked otherwise) and `/void` (Turtle unless asked otherwise):
    the build's VoID/DCAT description, in the forms of any resource."""
    import pyoxigraph as ox

    from kg.exporting.rdf import DATASET

    key = turtle + (b"static" if static else b"")
    if key not in _DESCRIPTION:
        _DESCRIPTION.clear()
        store = ox.Store()
        store.load(turtle, format=ox.RdfFormat.TURTLE)
        _DESCRIPTION[key] = Site(None, _Engine(store), Links(static))
    site = _DESCRIPTION[key]
    page = site.resource(str(DATASET), params, accept, "ttl" if path == "/void" else "html")
    if path == "/void" and "Link" in page.headers:
        page.headers["Link"] = page.headers["Link"].replace("/dataset?", "/void?")
    return page


def error_page(status: int, message: str) -> Page:
    """An HTML error page that needs no store (for paths the server answers itself)."""
    return Site(None, None).error(status, message, None)




def rdf(store: Any, iri: str, fmt: str) -> bytes:
    import pyoxigraph as ox

    from kg.site.view import describe

    triples = describe(store, iri)
    prefixes = {} if fmt in ("nt", "jsonld") else PREFIXES
    out = ox.serialize(triples, format=getattr(ox.RdfFormat, OX_FORMATS[fmt]), prefixes=prefixes)
    return out or b""


def alternates(links: Links, path: str) -> dict[str, str]:
    forms = [f'<{links.form(path, f)}>; rel="alternate"; type="{t}"'
             for f, t in RDF_FORMATS.items()]
    return {"Link": ", ".join(forms), "Vary": "Accept"}


def not_acceptable() -> Page:
    return Page(406, ("no acceptable format; this resource can give: "
                      + ", ".join(RDF_FORMATS.values()) + "\n").encode("utf-8"),
                "text/plain; charset=utf-8")


def to_csv(results: Any) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    columns = ["iri", *results.columns]
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in results.rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def to_json(results: Any) -> bytes:
    columns = ["iri", *results.columns]
    rows = [{c: row.get(c, "") for c in columns} for row in results.rows]
    return json.dumps({"command": results.command, "rows": rows}, ensure_ascii=False,
                      indent=1).encode("utf-8")
