"""JSON-LD for every reader (issue 12): the export is JSON-LD 1.0 (a 1.0 processor reads it
back to the same triples), its context names every term of the ontology and is generated from
it, and `kg serve` publishes that context at /context.jsonld."""

from __future__ import annotations

import io
import json
import urllib.request

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from kg.exporting.jsonld_context import CONTEXT, HCK, context_text
from kg.exporting.rdf import export
from kg.validation import load_ontology
from tests.conftest import REPO


def test_the_context_file_is_the_one_the_ontology_gives():
    assert CONTEXT.read_text(encoding="utf-8") == context_text(REPO), (
        "run: python -m kg.exporting.jsonld_context"
    )


def test_the_context_is_json_ld_1_0_and_names_every_term_of_the_ontology():
    context = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    assert "@version" not in context
    named = {v if isinstance(v, str) else v["@id"] for v in context.values()}
    ontology = load_ontology(REPO)
    terms = {
        f"hck:{str(s)[len(HCK) :]}"
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(HCK)
    }
    assert terms - named == set()


def test_a_json_ld_1_0_processor_reads_the_export_back_to_its_triples(project, built):
    from pyld import jsonld

    buffer = io.BytesIO()
    export(project, built, "jsonld", buffer)
    doc = json.loads(buffer.getvalue())
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "processingMode": "json-ld-1.0"})
    read = Graph().parse(data=nquads, format="nt")
    nt = io.BytesIO()
    export(project, built, "nt", nt)
    expected = Graph().parse(data=nt.getvalue().decode(), format="nt")
    assert len(read) == len(expected)
    assert set(read.predicates()) == set(expected.predicates())


def test_kg_serve_publishes_the_context(project, built):
    from tests.test_serve import make_server, start

    for server in start(make_server(project, port=0, timeout=60, max_rows=1000)):
        url = server.url.replace("/sparql", "/context.jsonld")
        with urllib.request.urlopen(url) as answer:
            assert answer.headers["Content-Type"].startswith("application/ld+json")
            assert answer.read() == CONTEXT.read_bytes()


def test_the_dataset_form_keeps_its_named_graphs_for_a_json_ld_1_0_processor(project, built):
    from pyld import jsonld

    buffer = io.BytesIO()
    export(project, built, "jsonld-dataset", buffer)
    doc = json.loads(buffer.getvalue())
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "processingMode": "json-ld-1.0"})
    graphs = {line.rsplit(" ", 2)[-2] for line in nquads.splitlines() if line.strip()}
    assert {f"<{iri}>" for iri in built.manifest["graphs"]} <= graphs
