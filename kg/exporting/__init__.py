"""Exporters: the built dataset as standard RDF serialisations, and as a STIX 2.1 bundle.

Formats are plugins, looked up by name and imported only when used."""

from __future__ import annotations

EXPORTERS = {
    "ttl": "kg.exporting.rdf",
    "nt": "kg.exporting.rdf",
    "nq": "kg.exporting.rdf",
    "trig": "kg.exporting.rdf",
    "jsonld": "kg.exporting.rdf",
    "jsonld-dataset": "kg.exporting.rdf",
    "stix": "kg.exporting.stix",
}
