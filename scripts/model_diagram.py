"""Rewrite the class diagram of docs/model.md from the ontology (kg.exporting.ontology_diagram).
Usage: python scripts/model_diagram.py"""

from __future__ import annotations

from pathlib import Path

from kg.exporting.ontology import merged_ontology
from kg.exporting.ontology_diagram import embedded

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    doc = ROOT / "docs" / "model.md"
    doc.write_text(embedded(doc.read_text(encoding="utf-8"), merged_ontology(ROOT)), "utf-8")
    print(doc)
