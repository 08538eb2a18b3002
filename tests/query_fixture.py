"""The query fixture (tests/fixtures/mini.ttl with the ontology) in each embedded engine."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from kg.engines import MemoryEngine, OxigraphEngine, Table
from kg.validation import load_ontology

FIXTURE = Path(__file__).parent / "fixtures" / "mini.ttl"


def fixture_dataset(root: Path) -> Dataset:
    ds = Dataset(default_union=True)
    data = ds.graph("https://example.org/kg-test/graph/data")
    data.parse(FIXTURE, format="turtle")
    onto = ds.graph("https://example.org/kg-test/graph/ontology")
    onto += load_ontology(root)
    return ds


def engines(root: Path) -> dict[str, object]:
    import pyoxigraph as ox

    ds = fixture_dataset(root)
    store = ox.Store()
    store.load(ds.serialize(format="nquads"), format=ox.RdfFormat.N_QUADS)
    return {"memory": MemoryEngine(ds), "oxigraph": OxigraphEngine(store)}


def rows(table: Table, short: bool = True) -> list[tuple[str, ...]]:
    """Rows as tuples of text: IRIs of the fixture shortened to their local name; a
    GROUP_CONCAT list sorted (its order is the engine's choice)."""
    from kg.output import short as shorten

    def cell(value: object) -> str:
        if value is None:
            return ""
        text = shorten(value) if short else str(value)  # type: ignore[arg-type]
        text = text.replace("https://example.org/kg-test/", "")
        for separator in ("; ", ", "):
            if separator in text:
                text = separator.join(sorted(text.split(separator)))
        return text

    return [tuple(cell(r.get(v)) for v in table.variables) for r in table.rows]
