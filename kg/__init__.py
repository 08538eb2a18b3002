"""hospital-cyber-kg: a sourced, validated knowledge graph of cyberattacks on French hospitals.

The library behind the `kg` command. Typical use:

    from kg import Project, build, open_dataset
    project = Project.find()
    current = build(project)            # rebuilt only if ontology/ or data/ changed
    ds = open_dataset(current)          # an rdflib Dataset over the persisted Oxigraph store

Names are imported on first use, so that `kg --help` does not pay for rdflib.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DataError": "errors",
    "DataErrors": "errors",
    "KgError": "errors",
    "Project": "project",
    "build": "store",
    "open_dataset": "store",
    "require_build": "store",
    "stats": "stats",
    "validate_build": "validation",
    "validate_files": "revalidation",
    "validate_project": "revalidation",
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
