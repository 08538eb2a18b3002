"""What kg serve answers besides queries and pages: the CORS headers, the SPARQL 1.1 Service
Description at GET /sparql, and the files of kg/site/static/."""

from __future__ import annotations

from typing import Any

from kg.publishing.serve_worker import Reply, negotiate, text_reply

CORS = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, POST, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "86400",
    "Allow": "GET, POST, HEAD, OPTIONS",
}
STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".json": "application/json",
}


def wants_html(accept: str) -> bool:
    return negotiate(accept, {"text/html": "html", "text/plain": "text"}, "text") == "html"


def static_file(name: str) -> tuple[bytes, str] | None:
    """A file of kg/site/static by its relative name; None for anything else (no `..`, no
    hidden file, no folder)."""
    from pathlib import Path

    parts = name.split("/")
    if not name or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    root = Path(__file__).resolve().parent.parent / "site" / "static"
    path = root.joinpath(*parts)
    suffix = path.suffix.lower()
    if suffix not in STATIC_TYPES or not path.is_file():
        return None
    return path.read_bytes(), STATIC_TYPES[suffix]


def jsonld_context() -> bytes:
    """kg/exporting/context.jsonld, the context of the JSON-LD exports."""
    from kg.exporting.jsonld_context import CONTEXT

    return CONTEXT.read_bytes()


def described(request: Any, graph: Any) -> Reply:
    """The SPARQL 1.1 Service Description, in the RDF form asked (Turtle by default); a
    browser is sent to the query page."""
    from kg.site.links import MEDIA_TYPES
    from kg.site.render import CONTENT_TYPES

    fmt = negotiate(request.headers.get("accept", ""), MEDIA_TYPES, "ttl")
    if fmt is None:
        return text_reply(406, "no acceptable format; the service description can give: "
                               + ", ".join(t for t in MEDIA_TYPES if t != "application/xhtml+xml"))
    if fmt == "html":
        return Reply(303, b"", headers={"Location": "/query"})
    names = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}
    return Reply(200, graph.serialize(format=names[fmt], encoding="utf-8"), CONTENT_TYPES[fmt])


def service_description(url: str) -> Any:
    """The SPARQL 1.1 Service Description of this endpoint (an rdflib Graph)."""
    from rdflib import BNode, Graph, Namespace, URIRef
    from rdflib.namespace import RDF

    from kg.exporting.rdf import DATASET
    from kg.geo import GEOF_DISTANCE
    from kg.namespaces import FN, GRAPHS

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    g = Graph()
    g.bind("sd", sd)
    g.bind("formats", formats)
    service, endpoint = URIRef(url + "#service"), URIRef(url)
    g.add((service, RDF.type, sd.Service))
    g.add((service, sd.endpoint, endpoint))
    g.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    g.add((service, sd.feature, sd.UnionDefaultGraph))
    # GeoSPARQL's distance, which the catalogue uses (Oxigraph's own), and kg's older one.
    g.add((service, sd.extensionFunction, URIRef(GEOF_DISTANCE)))
    g.add((service, sd.extensionFunction, FN.distanceKm))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                 "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        g.add((service, sd.resultFormat, formats[name]))
    dataset = BNode()
    g.add((service, sd.defaultDataset, dataset))
    g.add((dataset, RDF.type, sd.Dataset))
    g.add((dataset, URIRef("http://rdfs.org/ns/void#inDataset"), DATASET))
    default = BNode()
    g.add((dataset, sd.defaultGraph, default))
    g.add((default, RDF.type, sd.Graph))
    for graph in GRAPHS.values():
        named = BNode()
        g.add((dataset, sd.namedGraph, named))
        g.add((named, sd.name, graph))
    return g
