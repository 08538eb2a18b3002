"""The ontology as a release: its modules (hck.ttl and everything it imports, alignments left
out) merged into one ontology under the root IRI, written as Turtle, RDF/XML and JSON-LD, with
its HTML documentation (kg/exporting/ontology_html.py). `kg export ontology -o DIR` writes them."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from kg.loading.ontology import ontology_files
from kg.turtle import parse_turtle

ROOT = URIRef("https://w3id.org/hospital-cyber-kg/ontology")
LEFT_OUT = ("alignment.ttl",)  # imported by nothing in the core; released as it is
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def merged_ontology(root: Path) -> Graph:
    """One graph: the root module's header, and every term of the imported modules; the other
    modules' own headers (imports, version IRIs) go, their labels stay as annotations."""
    g = Graph()
    g.bind("hck", "https://w3id.org/hospital-cyber-kg/ontology#")
    g.bind("schema", "http://schema.org/", replace=True)
    for path in ontology_files(root):
        if path.name in LEFT_OUT:
            continue
        part = parse_turtle(path, shown=path.relative_to(root))
        for module in set(part.subjects(RDF.type, OWL.Ontology)) - {ROOT}:
            for p in (OWL.imports, OWL.versionIRI):
                part.remove((module, p, None))
            part.remove((module, RDF.type, OWL.Ontology))
        for prefix, ns in part.namespaces():
            if prefix:
                g.bind(prefix, ns, override=False)
        g += part
    g.remove((ROOT, OWL.imports, None))
    return g


def version_of(g: Graph) -> str:
    return str(g.value(ROOT, OWL.versionInfo))


def write_release(root: Path, folder: Path) -> list[Path]:
    """hck-VERSION.ttl, .rdf, .jsonld and index.html in `folder`; returns the files written."""
    from kg.exporting.ontology_html import documentation

    g = merged_ontology(root)
    version = version_of(g)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ext, fmt in FORMATS.items():
        path = folder / f"hck-{version}.{ext}"
        g.serialize(path, format=fmt, encoding="utf-8")
        written.append(path)
    html = folder / "index.html"
    html.write_text(documentation(g, [p.name for p in written]), encoding="utf-8")
    return [*written, html]
