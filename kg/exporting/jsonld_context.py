"""The JSON-LD context of the exports and of `kg serve` (/context.jsonld): the prefixes, a few
short names chosen by hand, and a term for every class and property of the ontology (an object
property's values as IRIs, a datatype property's with its XSD range), so that every term of the
graph compacts. JSON-LD 1.0: no `@version`, no 1.1 feature, so 1.0 processors read it.

The file kg/exporting/context.jsonld is generated: `python -m kg.exporting.jsonld_context`
writes it again from the ontology, and a test checks that it is up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, XSD

CONTEXT = Path(__file__).with_name("context.jsonld")
PREFIXES = {
    "hck": "https://w3id.org/hospital-cyber-kg/ontology#",
    "id": "https://w3id.org/hospital-cyber-kg/id/",
    "vocab": "https://w3id.org/hospital-cyber-kg/vocab/",
    "schema": "http://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "time": "http://www.w3.org/2006/time#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "wd": "http://www.wikidata.org/entity/",
}
# Short names chosen by hand for terms of other vocabularies (and a few of ours).
ALIASES: dict[str, Any] = {
    "name": "schema:name",
    "description": "schema:description",
    "url": {"@id": "schema:url", "@type": "@id"},
    "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
    "source": {"@id": "dcterms:source", "@type": "@id"},
    "within": {"@id": "geo:sfWithin", "@type": "@id"},
    "hasGeometry": {"@id": "geo:hasGeometry", "@type": "@id"},
    "asWKT": {"@id": "geo:asWKT", "@type": "geo:wktLiteral"},
    "latitude": {"@id": "schema:latitude", "@type": "xsd:decimal"},
    "longitude": {"@id": "schema:longitude", "@type": "xsd:decimal"},
    "prefLabel": "skos:prefLabel",
    "altLabel": "skos:altLabel",
}
HCK = PREFIXES["hck"]


def build_context(ontology: Graph) -> dict[str, Any]:
    """The context: prefixes, aliases, then every hck term of `ontology` by its local name."""
    context: dict[str, Any] = {**PREFIXES, **ALIASES}
    terms: dict[str, Any] = {}
    for s in sorted({s for s in ontology.subjects() if str(s).startswith(HCK)}, key=str):
        local = str(s)[len(HCK) :]
        if not local or local in context:
            continue
        kinds = set(ontology.objects(s, RDF.type))
        if OWL.ObjectProperty in kinds:
            terms[local] = {"@id": f"hck:{local}", "@type": "@id"}
        elif OWL.DatatypeProperty in kinds:
            ranges = [r for r in ontology.objects(s, RDFS.range) if str(r).startswith(str(XSD))]
            typed = [r for r in ranges if r != XSD.string]
            terms[local] = (
                {"@id": f"hck:{local}", "@type": f"xsd:{str(typed[0])[len(str(XSD)) :]}"}
                if len(typed) == 1
                else f"hck:{local}"
            )
        elif kinds & {OWL.Class, OWL.AnnotationProperty, RDF.Property}:
            terms[local] = f"hck:{local}"
    return {"@context": {**context, **terms}}


def context_text(root: Path) -> str:
    from kg.validation import load_ontology

    return json.dumps(build_context(load_ontology(root)), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # python -m kg.exporting.jsonld_context [ROOT]
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    CONTEXT.write_text(context_text(root), encoding="utf-8")
    print(CONTEXT)
