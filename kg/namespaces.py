"""Namespaces and IRI builders: one place that knows how every resource is named."""

from __future__ import annotations

import hashlib
import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/hospital-cyber-kg/"
HCK = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
VOCAB = Namespace(BASE + "vocab/")
SHAPES = Namespace(BASE + "shapes#")
GRAPH = Namespace(BASE + "graph/")
FN = Namespace(BASE + "fn#")

SCHEMA = Namespace("http://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
TIME = Namespace("http://www.w3.org/2006/time#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, str] = {
    "hck": str(HCK),
    "id": str(ID),
    "vocab": str(VOCAB),
    "hcks": str(SHAPES),
    "hckfn": str(FN),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "geo": str(GEO),
    "time": str(TIME),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "wd": str(WD),
}

# One named graph per source family.
GRAPHS = {
    name: GRAPH[name]
    for name in (
        "ontology",
        "places",
        "territory",
        "register",
        "ght",
        "threats",
        "incidents",
        "sources",
        "finess",
        "stix",
    )
}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def is_slug(text: str) -> bool:
    return bool(_SLUG.match(text))


def resource(kind: str, key: str) -> URIRef:
    """`id/{kind}/{key}`: the IRI of a resource from its real identifier."""
    return ID[f"{kind}/{key}"]


def concept(scheme: str, code: str) -> URIRef:
    return VOCAB[f"{scheme}/{code}"]


def scheme(name: str) -> URIRef:
    return VOCAB[name]


def source_iri(url: str) -> URIRef:
    """`id/source/{12 hex digits of sha256(url)}`: stable whatever the URL's length."""
    return resource("source", hashlib.sha256(url.encode("utf-8")).hexdigest()[:12])


def publisher_iri(name: str) -> URIRef:
    return resource("publisher", slugify(name))


def slugify(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
