"""Where things are: the project folder (ontology/, data/, queries/) and its store folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError

MARKERS = ("ontology", "data", "queries")


@dataclass(frozen=True)
class Project:
    """A project folder and the folder kg keeps its builds in (default `<root>/.kg`)."""

    root: Path
    home: Path

    @classmethod
    def find(cls, root: Path | str | None = None, home: Path | str | None = None) -> Project:
        """`root`, else $KG_ROOT, else the nearest folder up from here with ontology/, data/ and
        queries/, else the folder this package was installed from (an editable install)."""
        found = _find_root(root)
        chosen_home = home or os.environ.get("KG_HOME") or found / ".kg"
        return cls(root=found, home=Path(chosen_home).resolve())

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def imports(self) -> Path:
        return self.home / "imports"


def _is_root(path: Path) -> bool:
    return all((path / m).is_dir() for m in MARKERS)


def _find_root(root: Path | str | None) -> Path:
    if root is not None or os.environ.get("KG_ROOT"):
        chosen = Path(root or os.environ["KG_ROOT"]).resolve()
        if not _is_root(chosen):
            raise KgError(
                f"{chosen} is not a hospital-cyber-kg project folder",
                "it needs ontology/, data/ and queries/",
            )
        return chosen
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if _is_root(candidate):
            return candidate
    installed = Path(__file__).resolve().parent.parent
    if _is_root(installed):
        return installed
    raise KgError(
        "no hospital-cyber-kg project folder here or above",
        "run kg inside a clone of the repository, or set KG_ROOT",
    )
