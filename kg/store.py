"""The persisted embedded store: built once from ontology/ and data/ (and imports), reopened
instantly by every command, rebuilt only when the content hash of its inputs changes.

Layout of the store folder (default `<project>/.kg`):

    builds/<hash>/dataset.nq     the dataset, sorted N-Quads (byte-identical for the same inputs)
    builds/<hash>/oxigraph/      the Oxigraph store loaded from it (and from the imports)
    builds/<hash>/manifest.json  counts per graph and class, inputs, origins of each resource
    current                      the hash of the build in use, replaced atomically
    imports/<name>[.k].nq        graphs added by `kg import` (big ones in two parts), inputs too

A build is written in a temporary folder and renamed into place, then `current` is switched: a
failed or interrupted build leaves the previous one intact and in use.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from kg.errors import StoreError
from kg.loading import input_files, load_project
from kg.namespaces import PREFIXES, is_slug
from kg.project import Project

FORMAT_VERSION = "1"
LOAD_THREADS = 2
PART_BYTES = (
    64 * 1024 * 1024
)  # an import larger than this is kept as two parts, loaded side by side
_CODE = Path(__file__).parent
CODE_FILES = ("loading", "namespaces.py", "dates.py", "identifiers.py", "store.py")


@dataclass
class Build:
    """A finished build: where it is and what it holds."""

    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    fresh: bool = False  # built by this call (False: reused)

    @property
    def key(self) -> str:
        return self.path.name

    @property
    def nquads(self) -> Path:
        return self.path / "dataset.nq"

    @property
    def oxigraph(self) -> Path:
        return self.path / "oxigraph"

    @property
    def origins(self) -> dict[str, str]:
        return dict(self.manifest.get("origins", {}))


def content_hash(project: Project) -> str:
    """sha256 over the inputs' paths and contents, the imports and the loader's own code."""
    return _key(input_hashes(project))


def _key(hashes: dict[str, str]) -> str:
    digest = hashlib.sha256(f"kg-build-{FORMAT_VERSION}\n".encode())
    for name, file_hash in sorted(hashes.items()):
        digest.update(f"{name} {file_hash}\n".encode())
    return digest.hexdigest()[:16]


def input_hashes(project: Project) -> dict[str, str]:
    """{path: sha256} of every input: ontology/, data/, the imports and the loader's code. A
    file whose size and modification time are unchanged is not read again (cache in .kg/)."""
    files = [(p.relative_to(project.root).as_posix(), p) for p in input_files(project.root)]
    files += [(f"imports/{p.name}", p) for p in import_files(project)]
    for entry in CODE_FILES:
        found = (
            sorted((_CODE / entry).rglob("*.py")) if (_CODE / entry).is_dir() else [_CODE / entry]
        )
        files += [(f"kg/{p.relative_to(_CODE).as_posix()}", p) for p in found]
    cache_path = project.home / "hashes.json"
    try:
        cache = json.loads(cache_path.read_text()) if cache_path.is_file() else {}
    except ValueError:
        cache = {}
    out, fresh = {}, {}
    for name, path in files:
        stat = path.stat()
        stamp = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        cached = cache.get(stamp)
        out[name] = fresh[stamp] = cached or _file_hash(path)
    if fresh != cache and project.home.is_dir():
        tmp = cache_path.with_name(f".hashes.{os.getpid()}.json")
        tmp.write_text(json.dumps(fresh, sort_keys=True))
        os.replace(tmp, cache_path)
    return out


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(16 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def import_files(project: Project) -> list[Path]:
    return sorted(project.imports.glob("*.nq")) if project.imports.is_dir() else []


def current_build(project: Project) -> Build | None:
    pointer = project.home / "current"
    if not pointer.is_file():
        return None
    path = project.home / "builds" / pointer.read_text().strip()
    manifest = path / "manifest.json"
    if not manifest.is_file():
        return None
    return Build(path, json.loads(manifest.read_text()))


def build(
    project: Project, force: bool = False, progress: Callable[[str], None] | None = None
) -> Build:
    """Build the dataset if its inputs changed (or `force`); return the build in use."""
    say = progress or (lambda _msg: None)
    hashes = input_hashes(project)
    key = _key(hashes)
    existing = current_build(project)
    if existing is not None and existing.key == key and not force:
        return existing
    say("reading ontology/ and data/")
    loaded = load_project(project.root)  # raises DataErrors before anything is written
    builds = project.home / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    tmp = builds / f".tmp-{key}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        started = time.perf_counter()
        say("writing dataset.nq")
        _write_nquads(loaded.graphs, tmp / "dataset.nq")
        say("loading the Oxigraph store")
        imports = _link_imports(project, tmp / "imports")
        counts = _load_oxigraph(tmp, [tmp / "dataset.nq", *imports])
        manifest = {
            "key": key,
            "format": FORMAT_VERSION,
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(time.perf_counter() - started, 3),
            **counts,
            "imports": [p.name for p in imports],
            "inputs": hashes,
            "origins": loaded.origins,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        final = builds / key
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _switch(project, key)
    _prune(project, keep={key, existing.key if existing else key})
    return Build(final, manifest, fresh=True)


def _link_imports(project: Project, folder: Path) -> list[Path]:
    """Hard links (or copies) of the imports, so the build keeps the exact files it loaded."""
    out = []
    for source in import_files(project):
        folder.mkdir(exist_ok=True)
        target = folder / source.name
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
        out.append(target)
    return out


def _write_nquads(graphs: dict[str, Graph], path: Path) -> None:
    """Sorted N-Quads, so two builds of the same inputs give the same bytes."""
    ds = Dataset()
    for g in graphs.values():
        target = ds.graph(g.identifier)
        target += g
    text = ds.serialize(format="nquads")
    lines = sorted(set(line for line in text.splitlines() if line.strip()))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _load_oxigraph(folder: Path, sources: list[Path]) -> dict[str, Any]:
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


def _switch(project: Project, key: str) -> None:
    tmp = project.home / f".current-{os.getpid()}"
    tmp.write_text(key + "\n")
    os.replace(tmp, project.home / "current")


def _prune(project: Project, keep: set[str]) -> None:
    for old in (project.home / "builds").iterdir():
        if old.name not in keep and not old.name.startswith(".tmp-"):
            shutil.rmtree(old, ignore_errors=True)


def add_import(
    project: Project, name: str, source: Path, progress: Callable[[str], None] | None = None
) -> Build:
    """Make the N-Quads file `source` the import `name` (imports/<name>*.nq, replacing an
    earlier one) and rebuild. A large file is copied as two parts, which the build loads side by
    side. If the build fails, the earlier import is put back and the previous build stays."""
    if not is_slug(name):
        raise StoreError(f"'{name}' is not a name for an import", "lowercase letters and hyphens")
    project.imports.mkdir(parents=True, exist_ok=True)
    backup = project.imports / f".{name}.{os.getpid()}.bak"
    backup.mkdir()
    for old in _import_parts(project, name):
        os.replace(old, backup / old.name)
    try:
        _copy_in_parts(source, project.imports, name)
        result = build(project, progress=progress)
    except BaseException:
        for new in _import_parts(project, name):
            new.unlink()
        for old in backup.iterdir():
            os.replace(old, project.imports / old.name)
        backup.rmdir()
        raise
    shutil.rmtree(backup)
    return result


def _import_parts(project: Project, name: str) -> list[Path]:
    return [p for p in import_files(project) if p.name.split(".", 1)[0] == name]


def _copy_in_parts(source: Path, folder: Path, name: str) -> None:
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


def remove_import(project: Project, name: str) -> Build:
    """Drop the import `name` and rebuild without it."""
    parts = _import_parts(project, name)
    if not parts:
        raise StoreError(f"there is no import named '{name}'", f"imports are in {project.imports}")
    for part in parts:
        part.unlink()
    return build(project)


def require_build(project: Project) -> Build:
    found = current_build(project)
    if found is None:
        raise StoreError(f"no build in {project.home}", "run `kg build` first")
    return found


class _OxigraphDataset(Dataset):
    """rdflib's Dataset over Oxigraph, with initBindings that work as in rdflib: oxrdflib passes
    them as pyoxigraph substitutions, which only accept projected variables, so they go in a
    VALUES block at the head of the WHERE group instead."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        bindings = kwargs.pop("initBindings", None) or {}
        if bindings and isinstance(query_object, str):
            from kg.sparqltext import with_values

            query_object = with_values(query_object, {str(k): v for k, v in bindings.items()})
        return super().query(query_object, *args, **kwargs)


def open_dataset(build_: Build, backend: str = "oxigraph") -> Dataset:
    """The built dataset behind rdflib's API, its default graph the union of the named graphs.

    `oxigraph` opens the persisted store read-only (instant); `memory` parses dataset.nq into
    rdflib's in-memory store (the baseline)."""
    if backend == "memory":
        ds = Dataset(default_union=True)
        ds.parse(build_.nquads, format="nquads")
        for extra in build_.manifest.get("imports", []):
            ds.parse(build_.path / "imports" / extra, format="nquads")
    elif backend == "oxigraph":
        import pyoxigraph as ox
        from oxrdflib import OxigraphStore

        try:
            inner = ox.Store.read_only(str(build_.oxigraph))
        except OSError as exc:
            raise StoreError(
                f"cannot open {build_.oxigraph}: {exc}", "run `kg build --force`"
            ) from None
        ds = _OxigraphDataset(store=OxigraphStore(store=inner), default_union=True)
    else:
        raise StoreError(f"unknown backend '{backend}'", "use oxigraph or memory")
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, replace=True)
    return ds
