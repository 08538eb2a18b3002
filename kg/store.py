"""The persisted embedded store: built once from ontology/ and data/ (and imports), reopened
instantly by every command, rebuilt only when the content hash of its inputs changes.

Layout of the store folder (default `<project>/.kg`):

    builds/<hash>/dataset.nq     the dataset, sorted N-Quads (byte-identical for the same inputs)
    builds/<hash>/oxigraph/      the Oxigraph store loaded from it (and from the imports)
    builds/<hash>/manifest.json  counts per graph and class, inputs, origins of each resource
    current                      the hash of the build in use, replaced atomically
    imports/<name>.nq            graphs added by `kg import`, part of the build inputs

A build is written in a temporary folder and renamed into place, then `current` is switched: a
failed or interrupted build leaves the previous one intact and in use.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
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
    """sha256 over the inputs' paths and bytes, the imports and the loader's own code."""
    digest = hashlib.sha256(f"kg-build-{FORMAT_VERSION}\n".encode())
    files = [(p.relative_to(project.root).as_posix(), p) for p in input_files(project.root)]
    files += [(f"imports/{p.name}", p) for p in import_files(project)]
    for entry in CODE_FILES:
        for p in (
            sorted((_CODE / entry).rglob("*.py")) if (_CODE / entry).is_dir() else [_CODE / entry]
        ):
            files.append((f"kg/{p.relative_to(_CODE).as_posix()}", p))
    for name, path in files:
        digest.update(f"{name}\n{path.stat().st_size}\n".encode())
        digest.update(path.read_bytes())
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
    key = content_hash(project)
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
        triples_by_graph = _write_nquads(loaded.graphs, tmp / "dataset.nq")
        say("loading the Oxigraph store")
        imports = _link_imports(project, tmp / "imports")
        counts = _load_oxigraph(tmp, [tmp / "dataset.nq", *imports])
        manifest = {
            "key": key,
            "format": FORMAT_VERSION,
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "seconds": round(time.perf_counter() - started, 3),
            "graphs": {**triples_by_graph, **counts.pop("imported")},
            **counts,
            "imports": [p.name for p in imports],
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


def _write_nquads(graphs: dict[str, Graph], path: Path) -> dict[str, int]:
    """Sorted N-Quads, so two builds of the same inputs give the same bytes."""
    ds = Dataset()
    counts: dict[str, int] = {}
    for g in graphs.values():
        target = ds.graph(g.identifier)
        target += g
        counts[str(g.identifier)] = len(g)
    text = ds.serialize(format="nquads")
    lines = sorted(set(line for line in text.splitlines() if line.strip()))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return counts


def _load_oxigraph(folder: Path, sources: list[Path]) -> dict[str, Any]:
    import pyoxigraph as ox

    store = ox.Store(str(folder / "oxigraph"))
    imported: dict[str, int] = {}
    for source in sources:
        before = _graph_sizes(store)
        store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
        if source.name != "dataset.nq":
            after = _graph_sizes(store)
            imported.update({g: n for g, n in after.items() if n != before.get(g)})
    store.optimize()
    triples = _scalar(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    classes = {
        str(row["c"].value): int(row["n"].value)
        for row in store.query(  # type: ignore[union-attr]
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
            use_default_graph_as_union=True,
        )
    }
    store.flush()
    del store
    return {"triples": triples, "classes": classes, "imported": imported}


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
    """Make the N-Quads file `source` the import `name` (imports/<name>.nq, replacing an earlier
    one) and rebuild. If the build fails, the earlier import is put back and the build in use
    stays the previous one."""
    if not is_slug(name):
        raise StoreError(f"'{name}' is not a name for an import", "lowercase letters and hyphens")
    project.imports.mkdir(parents=True, exist_ok=True)
    target = project.imports / f"{name}.nq"
    backup = target.with_name(f".{name}.nq.{os.getpid()}.bak")
    if target.exists():
        os.replace(target, backup)
    try:
        shutil.copyfile(source, target)
        result = build(project, progress=progress)
    except BaseException:
        target.unlink(missing_ok=True)
        if backup.exists():
            os.replace(backup, target)
        raise
    backup.unlink(missing_ok=True)
    return result


def remove_import(project: Project, name: str) -> Build:
    """Drop the import `name` and rebuild without it."""
    target = project.imports / f"{name}.nq"
    if not target.exists():
        raise StoreError(f"there is no import named '{name}'", f"imports are in {project.imports}")
    target.unlink()
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
