"""Writing the files of a build: the sorted N-Quads, the Oxigraph store loaded from them and
the imports, and the copies of an import (kg/store.py decides when)."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from kg.errors import StoreError
from kg.namespaces import HCK, ID

LOAD_THREADS = 2
PART_BYTES = 64 * 1024 * 1024  # a larger import is kept as two parts, loaded side by side


def link_imports(sources: list[Path], folder: Path) -> list[Path]:
    """Hard links (or copies) of the imports, so the build keeps the exact files it loaded."""
    out = []
    for source in sources:
        folder.mkdir(exist_ok=True)
        target = folder / source.name
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        out.append(target)
    return out


def write_nquads(graphs: dict[str, Graph], path: Path, extra: Iterable[str] = ()) -> None:
    """Sorted N-Quads, so two builds of the same inputs give the same bytes; `extra`: N-Quads
    lines written directly (the register snapshot), merged in."""
    ds = Dataset()
    for g in graphs.values():
        target = ds.graph(g.identifier)
        target += g
    text = ds.serialize(format="nquads")
    found = set(line for line in text.splitlines() if line.strip())
    found.update(line.rstrip("\n") for line in extra)
    lines = sorted(found)
    with path.open("w", encoding="utf-8") as handle:  # line by line: no second copy in memory
        handle.writelines(f"{line}\n" for line in lines)


def load_oxigraph(folder: Path, sources: list[Path]) -> dict[str, Any]:
    """Bulk-load the N-Quads files, two at a time (Oxigraph's loader keeps one core busy; two
    loads into the same store run side by side), then count what the store holds."""
    import pyoxigraph as ox

    store = ox.Store(str(folder / "oxigraph"))
    buckets: list[list[Path]] = [[] for _ in range(LOAD_THREADS)]
    sizes = [0] * LOAD_THREADS
    for source in sorted(sources, key=lambda p: p.stat().st_size, reverse=True):
        k = sizes.index(min(sizes))
        buckets[k].append(source)
        sizes[k] += source.stat().st_size
    errors: list[BaseException] = []

    def load(files: list[Path]) -> None:
        try:
            for path in files:  # files kg wrote itself: skip the IRI checks (lenient)
                store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(b,)) for b in buckets if b]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise StoreError(f"loading the store failed: {errors[0]}", "run `kg build --force`")
    store.optimize()
    graphs = _graph_sizes(store)
    triples = _scalar(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    classes = {
        str(row["c"].value): int(row["n"].value)
        for row in store.query(  # type: ignore[union-attr]
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
            use_default_graph_as_union=True,
        )
    }
    store.flush()  # the store closes when this function returns, before the folder is renamed
    return {"triples": triples, "classes": classes, "graphs": graphs}


def _graph_sizes(store: Any) -> dict[str, int]:
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {str(r["g"].value): int(r["n"].value) for r in rows}


def _scalar(store: Any, query: str) -> int:
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)


def copy_in_parts(source: Path, folder: Path, name: str) -> None:
    size = source.stat().st_size
    if size <= PART_BYTES:
        shutil.copyfile(source, folder / f"{name}.nq")
        return
    with source.open("rb") as f:
        f.seek(size // 2)
        f.readline()  # the first half ends at a line end
        middle = f.tell()
        f.seek(0)
        for k, length in enumerate((middle, size - middle)):
            with (folder / f"{name}.{k}.nq").open("wb") as out:
                remaining = length
                while remaining:
                    chunk = f.read(min(remaining, 16 * 1024 * 1024))
                    out.write(chunk)
                    remaining -= len(chunk)


_NUMBERED = re.compile(
    rf"^<{re.escape(str(ID))}(?:establishment|legal-entity)/([0-9AB]{{9}})> "
    rf"<{re.escape(str(HCK.finessNumber))}> "
)


def imported_numbers(imports: list[Path]) -> frozenset[str]:
    """The FINESS numbers (sites and legal entities) an imported register gives (the imports
    named finess*): the register snapshot leaves them to it."""
    found: set[str] = set()
    for path in imports:
        if not path.name.startswith("finess"):
            continue
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if (match := _NUMBERED.match(line)) is not None:
                    found.add(match.group(1))
    return frozenset(found)
