"""The builds of a store folder and the pointers to the one in use: reading them, telling a
damaged build from a sound one, and cleaning what killed builds and imports left behind.

`current` is a symbolic link to the build in use (builds/<name>), replaced in one atomic rename;
`imports` is a fixed link to current/imports, the imports that build loaded: switching the build
switches its imports with it, so a killed `kg import` leaves the previous import in use. Every
damage is reported with the way to repair it: `kg build`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.project import Project

REPAIR = "run `kg build` to repair it"
_NAME = re.compile(r"^[0-9a-f]{16}(?:~[0-9]+)?$")
_MANIFEST_KEYS = ("key", "triples", "classes", "graphs")
_TEMPORARY = re.compile(r"^\.(?:tmp-[0-9a-f]{16}|current|hashes|imports|[a-z-]+)[.-]([0-9]+)")


@dataclass
class Build:
    """A finished build: where it is and what it holds."""

    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    fresh: bool = False  # built by this call (False: reused)

    @property
    def key(self) -> str:
        """The content hash of the build's inputs (its folder is named by it, perhaps with a
        ~suffix when a forced rebuild of the same inputs was made beside it)."""
        return str(self.manifest.get("key") or self.path.name.split("~")[0])

    @property
    def nquads(self) -> Path:
        return self.path / "dataset.nq"

    @property
    def territory(self) -> Path:
        """The graph of every place of the gazetteer (kg/loading/territory.py), when built."""
        return self.path / "territory.nq"

    @property
    def data_files(self) -> list[Path]:
        """The N-Quads files the build's store was loaded from: the dataset, the territory
        (when built) and the imports, in that order."""
        territory = [self.territory] if self.manifest.get("territory") else []
        return [self.nquads, *territory, *sorted((self.path / "imports").glob("*.nq"))]

    @property
    def oxigraph(self) -> Path:
        return self.path / "oxigraph"

    @property
    def gazetteer(self) -> Path:
        return self.path / "gazetteer.json"

    @property
    def origins(self) -> dict[str, str]:
        return dict(self.manifest.get("origins", {}))


class DamagedBuild(StoreError):
    """The build in use is missing files or has a corrupted manifest or pointer."""


def check_home(project: Project) -> None:
    home = project.home
    if home.exists() and not home.is_dir():
        raise StoreError(
            f"{home} is a file, not a store folder", "remove it, or give --home another folder"
        )


def current_build(project: Project, deep: bool = False) -> Build | None:
    """The build in use; None if there is none yet; DamagedBuild if it cannot be used."""
    check_home(project)
    pointer = project.home / "current"
    if not pointer.is_symlink() and not pointer.exists():
        return None
    try:
        if pointer.is_symlink():
            target = os.readlink(pointer)
            name = target[len("builds/") :] if target.startswith("builds/") else ""
        else:  # a text file naming the build: kg before the link
            name = pointer.read_bytes()[:200].decode("ascii", "replace").strip()
    except OSError as exc:
        raise DamagedBuild(f"{pointer} cannot be read ({exc.strerror})", REPAIR) from None
    if not _NAME.fullmatch(name):
        raise DamagedBuild(f"{pointer} does not name a build", REPAIR)
    return open_build(project.home / "builds" / name, deep)


def file_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def open_build(path: Path, deep: bool = False) -> Build:
    """The build in `path`, checked: its manifest reads, its files are all there and its
    gazetteer index is the one it wrote; `deep`: its Oxigraph store opens too."""
    where = f"the build in use ({path})"
    if not path.is_dir():
        raise DamagedBuild(f"{where} is missing", REPAIR)
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DamagedBuild(f"{where} has no manifest.json", REPAIR) from None
    except (OSError, ValueError):
        raise DamagedBuild(f"{where} has a corrupted manifest.json", REPAIR) from None
    if not isinstance(manifest, dict) or any(k not in manifest for k in _MANIFEST_KEYS):
        raise DamagedBuild(f"{where} has an incomplete manifest.json", REPAIR)
    found = Build(path, manifest)
    territory = [found.territory] if manifest.get("territory") else []
    for part in (found.nquads, found.gazetteer, *territory):
        if not part.is_file():
            raise DamagedBuild(f"{where} has lost {part.name}", REPAIR)
    if not found.oxigraph.is_dir() or not any(found.oxigraph.iterdir()):
        raise DamagedBuild(f"{where} has lost its Oxigraph store", REPAIR)
    for extra in manifest.get("imports", []):
        if not (path / "imports" / str(extra)).is_file():
            raise DamagedBuild(f"{where} has lost the import {extra}", REPAIR)
    if manifest.get("gazetteer") and file_digest(found.gazetteer) != manifest["gazetteer"]:
        raise DamagedBuild(f"{where} has a corrupted gazetteer.json", REPAIR)
    if deep:
        _open_store(found, where)
    return found


def _open_store(found: Build, where: str) -> None:
    import pyoxigraph as ox

    try:
        ox.Store.read_only(str(found.oxigraph))
    except OSError:
        raise DamagedBuild(f"{where} has a damaged Oxigraph store", REPAIR) from None


def sound_build(project: Project) -> Build | None:
    """The build in use if it is sound; None if there is none or it is damaged."""
    try:
        return current_build(project, deep=True)
    except DamagedBuild:
        return None


def require_build(project: Project) -> Build:
    found = current_build(project)
    if found is None:
        raise StoreError(f"no build in {project.home}", "run `kg build` first")
    return found


def free_name(builds: Path, key: str) -> str:
    """The folder name for a new build of `key`: the key, or key~N beside an existing one."""
    if not (builds / key).exists():
        return key
    n = 1
    while (builds / f"{key}~{n}").exists():
        n += 1
    return f"{key}~{n}"


def switch(project: Project, name: str) -> None:
    """Make builds/<name> the build in use (and its imports those in use), in one rename."""
    tmp = project.home / f".current-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("builds") / name)
    os.replace(tmp, project.home / "current")
    link_imports_folder(project)


def link_imports_folder(project: Project) -> None:
    """`imports` -> current/imports (an imports/ folder of an older kg is replaced, once the
    build that loaded its files is in use)."""
    link = project.imports
    if link.is_symlink() and os.readlink(link) == "current/imports":
        return
    if link.is_dir() and not link.is_symlink():
        aside = project.home / f".imports-old-{os.getpid()}"
        link.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
    tmp = project.home / f".imports-link-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("current") / "imports")
    os.replace(tmp, link)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_temporaries(project: Project) -> None:
    """Remove what killed builds and imports left: .tmp-*, .current-*, .hashes.*, staged import
    folders; only those whose process is gone."""
    for folder in (project.home, project.home / "builds"):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            m = _TEMPORARY.match(entry.name)
            if m is None or _alive(int(m.group(1))):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def prune(project: Project, keep: set[str]) -> None:
    """Remove the builds other than `keep` (folder names), and damaged leftovers."""
    builds = project.home / "builds"
    for old in builds.iterdir() if builds.is_dir() else []:
        if old.name not in keep and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
