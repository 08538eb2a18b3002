"""Writing the files of a build: the sorted N-Quads, the Oxigraph store loaded from them and
the imports, and the copies of an import (kg/store.py decides when)."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from kg.errors import StoreError
from kg.namespaces import HCK, ID

LOAD_THREADS = 2
PART_BYTES = 64 * 1024 * 1024  # a larger import is kept as two parts
PIECE_BYTES = 64 * 1024 * 1024  # N-Quads loaded at once by one of the LOAD_THREADS


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
    """Bulk-load the N-Quads files in bounded pieces, two at a time, then count what the store
    holds; the seconds of each phase go in "phases"."""
    import pyoxigraph as ox

    phases: dict[str, float] = {}
    started = time.perf_counter()
    store = ox.Store(str(folder / "oxigraph"))
    load_pieces(store, sources)
    phases["load"] = _lap(started)
    started = time.perf_counter()
    store.optimize()
    phases["optimize"] = _lap(started)
    started = time.perf_counter()
    graphs = _graph_sizes(store)
    # The union default graph kg's queries read holds every quad, each graph's own (Oxigraph
    # does not merge a triple that two graphs hold): the named graphs' sizes and the default
    # graph's, without a second scan of the store.
    triples = sum(graphs.values()) + _scalar(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    classes = {
        str(row["c"].value): int(row["n"].value)
        for row in store.query(  # type: ignore[union-attr]
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
            use_default_graph_as_union=True,
        )
    }
    store.flush()  # the store closes when this function returns, before the folder is renamed
    phases["count"] = _lap(started)
    return {"triples": triples, "classes": classes, "graphs": graphs, "phases": phases}


def _lap(started: float) -> float:
    return round(time.perf_counter() - started, 3)


Piece = tuple[Path, int, int]  # (file, first byte, bytes): a run of whole lines


def split_pieces(sources: list[Path], size: int | None = None) -> list[Piece]:
    """The files as runs of whole lines of about `size` bytes, largest first. A file with a
    blank node is one piece: Oxigraph scopes blank node labels to one load, so `_:b` split over
    two loads would become two nodes."""
    size = size or PIECE_BYTES
    out: list[Piece] = []
    for source in sources:
        total = source.stat().st_size
        if total <= size or has_blank_node(source):
            out.append((source, 0, total))
            continue
        with source.open("rb") as f:
            start = 0
            while start < total:
                f.seek(min(start + size, total))
                f.readline()  # the piece ends at a line end
                end = min(f.tell(), total)
                out.append((source, start, end - start))
                start = end
    return sorted(out, key=lambda p: p[2], reverse=True)


def has_blank_node(path: Path) -> bool:
    """Whether `_:` occurs anywhere in the file (a literal holding it counts too: that only
    makes the file one piece)."""
    tail = b""
    with path.open("rb") as f:
        while block := f.read(16 * 1024 * 1024):
            if b"_:" in tail + block[:1] or b"_:" in block:
                return True
            tail = block[-1:]
    return False


def load_pieces(store: Any, sources: list[Path]) -> None:
    """Bulk-load the pieces of `sources`, LOAD_THREADS at a time (Oxigraph's loader keeps one
    core busy; loads into one store run side by side). Memory is bounded by the pieces in
    flight, not by the size of the files."""
    import queue

    import pyoxigraph as ox

    todo: queue.SimpleQueue[Piece] = queue.SimpleQueue()
    for piece in split_pieces(sources):
        todo.put(piece)
    errors: list[BaseException] = []

    def load() -> None:
        try:
            while not errors:
                try:
                    path, start, length = todo.get_nowait()
                except queue.Empty:
                    return
                with path.open("rb") as f:
                    f.seek(start)
                    data = f.read(length)
                # files kg wrote itself: the IRI checks are skipped (lenient)
                store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS, lenient=True)
                del data
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=load) for _ in range(LOAD_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise StoreError(f"loading the store failed: {errors[0]}", "run `kg build --force`")


def _graph_sizes(store: Any) -> dict[str, int]:
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {str(r["g"].value): int(r["n"].value) for r in rows}


def _scalar(store: Any, query: str) -> int:
    """The count `query` gives on the default graph alone."""
    return int(next(iter(store.query(query)))["n"].value)


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
