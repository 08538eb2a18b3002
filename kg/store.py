"""The persisted embedded store: built once from ontology/ and data/ (and imports), reopened
instantly by every command, rebuilt only when the content hash of its inputs changes.

Layout of the store folder (default `<project>/.kg`):

    builds/<hash>/dataset.nq     the dataset, sorted N-Quads (byte-identical for the same inputs)
    builds/<hash>/territory.nq   every place of the gazetteer, graph/territory (unless
                                 KG_TERRITORY=0; kg/loading/territory.py)
    builds/<hash>/oxigraph/      the Oxigraph store loaded from it (and from the imports)
    builds/<hash>/manifest.json  counts per graph and class, inputs, origins of each resource
    builds/<hash>/gazetteer.json the index of data/gazetteer/ that `kg attacks --near` reads
    builds/<hash>/validation.json  the SHACL results of the build (the SPARQL engine)
    current                      the folder name of the build in use, replaced atomically
    builds/<hash>/imports/       the imports it loaded: graphs added by `kg import` (big ones in
                                 two parts), hard links
    imports -> current/imports   the imports in use: those of the build in use

A build is written in a temporary folder, validated, and renamed into a folder of its own (never
over the build in use, even with --force), then `current` is switched: a failed, invalid or
interrupted build leaves the previous one intact and in use. A damaged build in use is detected
when opened (kg/builds.py) and replaced by the next `kg build`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import Dataset

from kg.build_files import (
    copy_in_parts,
    imported_numbers,
    link_imports,
    load_oxigraph,
    write_nquads,
)
from kg.builds import (
    Build,
    DamagedBuild,
    check_home,
    clean_temporaries,
    current_build,
    file_digest,
    free_name,
    prune,
    require_build,
    sound_build,
    switch,
)
from kg.errors import KgError, StoreError
from kg.loading import check_inputs, input_files, load_project, register_mode
from kg.loading.territory import territory_wanted
from kg.namespaces import PREFIXES, is_slug
from kg.project import Project

FORMAT_VERSION = "1"
_CODE = Path(__file__).parent
CODE_FILES = (
    "loading",
    "namespaces.py",
    "dates.py",
    "identifiers.py",
    "store.py",
    "builds.py",
    "importing/finess_rdf.py",
)
__all__ = ["Build", "DamagedBuild", "current_build", "require_build", "build", "add_import"]


class InvalidBuild(KgError):
    """The new build does not conform to the shapes: it is kept aside, not switched in."""

    exit_code = 1


def content_hash(project: Project) -> str:
    """sha256 over the inputs' paths and contents, the imports and the loader's own code."""
    return _key(input_hashes(project))


def _key(hashes: dict[str, str]) -> str:
    digest = hashlib.sha256(f"kg-build-{FORMAT_VERSION}\n".encode())
    for name, file_hash in sorted(hashes.items()):
        digest.update(f"{name} {file_hash}\n".encode())
    return digest.hexdigest()[:16]


def input_hashes(project: Project, imports: Path | None = None) -> dict[str, str]:
    """{path: sha256} of every input: ontology/, data/, the imports and the loader's code, and
    whether the territory graph is built (KG_TERRITORY). A file whose size and modification
    time are unchanged is not read again (cache in .kg/)."""
    files = [(p.relative_to(project.root).as_posix(), p) for p in input_files(project.root)]
    files += [(f"imports/{p.name}", p) for p in import_files(project, imports)]
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
    out["options/territory"] = "with" if territory_wanted() else "without"
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


def import_files(project: Project, folder: Path | None = None) -> list[Path]:
    """The imports in use (or those of `folder`)."""
    folder = folder or project.imports
    return sorted(folder.glob("*.nq")) if folder.is_dir() else []


def build(
    project: Project,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    allow_invalid: bool = False,
    imports: Path | None = None,
    register: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> Build:
    """Build the dataset if its inputs changed (or `force`, or the build in use is damaged);
    return the build in use. A build with SHACL violations is not switched in unless
    `allow_invalid`. `imports`: the folder of imports to build with (default: those in use).
    `register`: the part of the register snapshot to hold, hospitals (default, or
    $KG_REGISTER), all or none; `notify` receives the build's notices (default: `progress`)."""
    made, previous = make_build(
        project, force, progress, allow_invalid, register=register, notify=notify
    )
    if made.fresh:
        switch_in(project, made, previous)
    return made


def make_build(
    project: Project,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    allow_invalid: bool = False,
    imports: Path | None = None,
    register: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> tuple[Build, Build | None]:
    """(the build for the inputs, the sound build in use): a new one is made beside the build in
    use (fresh=True) but not switched in; that is for the caller (switch_in)."""
    say = progress or (lambda _msg: None)
    mode = register_mode(register)
    check_home(project)
    clean_temporaries(project)
    check_inputs(project.root)
    hashes = {**input_hashes(project, imports), "register-mode": mode}
    key = _key(hashes)
    existing = sound_build(project)
    pointer = project.home / "current"
    if existing is None and (pointer.is_symlink() or pointer.exists()):
        say("the build in use is damaged: building it again")
        imports = imports or _imports_for_repair(project, say)
    if existing is not None and existing.key == key and not force:
        return existing, existing
    say("reading ontology/ and data/")
    started = time.perf_counter()
    superseded = imported_numbers(import_files(project, imports))
    loaded = load_project(project.root, mode, superseded)  # DataErrors before anything is written
    read = round(time.perf_counter() - started, 3)
    for notice in loaded.notices:
        (notify or (lambda text: say(f"notice: {text}")))(notice)
    builds = project.home / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    tmp = builds / f".tmp-{key}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        manifest = _write_build(project, tmp, key, hashes, loaded, imports, say)
        started = time.perf_counter()
        _check_conforms(project, Build(tmp, manifest), existing, allow_invalid, say)
        manifest["phases"] = {
            "read": read,
            **manifest["phases"],
            "validate": round(time.perf_counter() - started, 3),
        }
        _write_manifest(tmp, manifest)
        final = builds / free_name(builds, key)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Build(final, manifest, fresh=True), existing


def _imports_for_repair(project: Project, say: Callable[[str], None]) -> Path | None:
    """The imports to rebuild a damaged build with: those in use if they can be read, else
    those of the newest build that has them (the damage may have taken the link's target)."""
    if project.imports.is_dir():
        return None
    builds = project.home / "builds"
    found = sorted(
        (p for p in builds.glob("*/imports") if p.is_dir() and not p.parent.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
    )
    if found:
        say(f"imports taken from {found[-1].parent}")
        return found[-1]
    return None


def switch_in(project: Project, made: Build, previous: Build | None) -> None:
    switch(project, made.path.name)
    prune(project, keep={made.path.name, previous.path.name if previous else made.path.name})


def _write_build(
    project: Project,
    tmp: Path,
    key: str,
    hashes: dict[str, str],
    loaded: Any,
    imports: Path | None,
    say: Callable[[str], None],
) -> dict[str, Any]:
    started = time.perf_counter()
    say("writing dataset.nq")
    write_nquads(loaded.graphs, tmp / "dataset.nq", loaded.register_lines)
    if loaded.notices:
        (tmp / "notices.txt").write_text("\n".join(loaded.notices) + "\n", encoding="utf-8")
    territory = [tmp / "territory.nq"] if loaded.lines else []
    if territory:
        say("writing territory.nq")
        with territory[0].open("w", encoding="utf-8") as f:
            f.writelines(sorted(loaded.lines))
    gazetteer = _write_gazetteer(project, tmp / "gazetteer.json")
    written = round(time.perf_counter() - started, 3)
    say("loading the Oxigraph store")
    linked = link_imports(import_files(project, imports), tmp / "imports")
    counts = load_oxigraph(tmp, [tmp / "dataset.nq", *territory, *linked])
    counts["phases"] = {"write": written, **counts["phases"]}
    manifest = {
        "key": key,
        "format": FORMAT_VERSION,
        "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(time.perf_counter() - started, 3),
        **counts,
        "imports": [p.name for p in linked],
        "territory": bool(territory),
        "gazetteer": gazetteer,
        "inputs": hashes,
        "origins": loaded.origins,
        "register": loaded.snapshot or {"mode": "none"},
        "notices": len(loaded.notices),
    }
    _write_manifest(tmp, manifest)
    return manifest


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))


def _write_gazetteer(project: Project, path: Path) -> str:
    """The name index `kg attacks --near` reads, made once here rather than at query time."""
    from kg.geo import write_index
    from kg.loading.places import gazetteer_dir

    write_index(gazetteer_dir(project.root), path)
    return file_digest(path)


def _check_conforms(
    project: Project,
    made: Build,
    previous: Build | None,
    allow_invalid: bool,
    say: Callable[[str], None],
) -> None:
    """Validate the new build (kept in it as validation.json); violations stop it here."""
    from kg.revalidation import validate_new_build

    report = validate_new_build(project, made, previous, say)
    if report.conforms:
        return
    if allow_invalid:
        say("the build does not conform to the shapes; switched in anyway (--allow-invalid)")
        return
    from kg.validation import shorten

    bad = [r for r in report.results if r.severity == "Violation"]
    first = bad[0]
    where = f"{first.origin}: " if first.origin else ""
    n = f"{len(bad)} violation{'s' if len(bad) != 1 else ''}"
    raise InvalidBuild(
        f"the new build does not conform ({n}), so the build in use is unchanged; the first: "
        f"{where}{shorten(first.focus)} {shorten(first.path)}: {first.message.rstrip('.')}",
        "fix the data, or kg build --allow-invalid then kg validate to list them all",
    )


def add_import(
    project: Project, name: str, source: Path, progress: Callable[[str], None] | None = None
) -> Build:
    """Make the N-Quads file `source` the import `name` (imports/<name>*.nq, replacing an
    earlier one) and rebuild. A large file is copied as two parts, which the build loads side by
    side. The imports are staged in a folder of their own and become those in use with the new
    build, in one switch: a failed or killed import leaves the previous import and build."""
    if not is_slug(name):
        raise StoreError(f"'{name}' is not a name for an import", "lowercase letters and hyphens")
    staged = _stage_imports(project, exclude=name)
    try:
        copy_in_parts(source, staged, name)
        return _build_with(project, staged, progress)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def remove_import(project: Project, name: str) -> Build:
    """Drop the import `name` and rebuild without it."""
    if not _import_parts(project, name):
        raise StoreError(f"there is no import named '{name}'", f"imports are in {project.imports}")
    staged = _stage_imports(project, exclude=name)
    try:
        return _build_with(project, staged, None)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _stage_imports(project: Project, exclude: str) -> Path:
    """A new folder with hard links to the imports in use but `exclude`."""
    check_home(project)
    clean_temporaries(project)
    staged = project.home / f".imports-{os.getpid()}"
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    kept = [p for p in import_files(project) if p.name.split(".", 1)[0] != exclude]
    link_imports(kept, staged)
    return staged


def _build_with(project: Project, imports: Path, progress: Callable[[str], None] | None) -> Build:
    """Rebuild with these imports, holding the part of the register the build in use holds."""
    in_use = sound_build(project)
    mode = str(in_use.manifest.get("register", {}).get("mode", "")) if in_use else ""
    made, previous = make_build(project, progress=progress, imports=imports, register=mode or None)
    if made.fresh:
        switch_in(project, made, previous)
    return made


def _import_parts(project: Project, name: str) -> list[Path]:
    return [p for p in import_files(project) if p.name.split(".", 1)[0] == name]


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
        for path in build_.data_files:
            ds.parse(path, format="nquads")
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
