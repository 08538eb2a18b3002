"""Counts of the built dataset, kept in the build manifest (counting a big store is slow)."""

from __future__ import annotations

from typing import Any

from kg.project import Project
from kg.store import require_build
from kg.validation import shorten


def stats(project: Project) -> dict[str, Any]:
    """{"triples": N, "classes": {"hck:Incident": n, ...}, "graphs": {...}} of the current build."""
    manifest = require_build(project).manifest
    return {
        "triples": manifest["triples"],
        "classes": {shorten(c): n for c, n in sorted(manifest["classes"].items())},
        "graphs": {shorten(g): n for g, n in sorted(manifest["graphs"].items())},
    }
