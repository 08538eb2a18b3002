"""Importers: external data (the FINESS register's etalab extract, STIX 2.1 bundles) into the
model, as N-Quads in their own named graph, added to the store as an import (store.add_import).

Formats are plugins, looked up by name and imported only when used."""

from __future__ import annotations

IMPORTERS = {
    "finess": "kg.importing.finess",
    "stix": "kg.importing.stix",
}
