"""The inputs a build cannot do without: every module of the ontology and its shapes, the tables
of data/, the gazetteer and the incidents folder. A missing or unreadable one stops the build
(a missing shapes file would silently weaken validation; an unreadable incidents folder would
build a graph with no incidents)."""

from __future__ import annotations

import os
from pathlib import Path

from kg.errors import DataError, DataErrors

MODULES = ("attribution", "establishment", "ght", "impact", "incident", "place", "source", "threat")
ONTOLOGY = ("hck.ttl", *(f"{m}.ttl" for m in MODULES))
SHAPES = ("prefixes-shapes.ttl", *(f"{m}-shapes.ttl" for m in MODULES))
VOCAB = (
    "actor-kind",
    "attribution-basis",
    "certainty",
    "fact-status",
    "finess-category",
    "impact-type",
    "incident-type",
    "membership-role",
    "vocab",
)
TABLES = (
    "actors",
    "establishments",
    "finess_categories",
    "ght_members",
    "ghts",
    "legal_entities",
    "malware",
    "sources",
)
GAZETTEER = ("regions", "departments", "communes")
RESTORE = "restore it, e.g. git checkout -- {path}"


def expected_files(root: Path) -> list[Path]:
    return [
        *(root / "ontology" / name for name in (*ONTOLOGY, *SHAPES)),
        *(root / "ontology" / "vocab" / f"{name}.ttl" for name in VOCAB),
        *(root / "data" / f"{name}.csv" for name in TABLES),
        *(root / "data" / "gazetteer" / f"{name}.csv" for name in GAZETTEER),
    ]


def check_inputs(root: Path) -> None:
    """Raise DataErrors naming every expected input that is missing or cannot be read."""
    problems = [p for path in expected_files(root) if (p := _file_problem(root, path))]
    folder = root / "data" / "incidents"
    if folder.is_dir():
        problems += [
            p for path in sorted(folder.glob("*.yaml")) if (p := _file_problem(root, path))
        ]
    if not folder.is_dir():
        problems.append(_missing(root, folder, "the incidents folder is missing"))
    else:
        try:
            os.listdir(folder)
        except OSError as exc:
            problems.append(
                DataError(
                    folder.relative_to(root),
                    None,
                    f"the incidents folder cannot be read ({exc.strerror})",
                    "check its permissions",
                )
            )
    if problems:
        raise DataErrors(problems)


def _file_problem(root: Path, path: Path) -> DataError | None:
    if path.is_symlink() and not path.exists():
        shown = path.relative_to(root)
        return DataError(shown, None, "is a broken or looping symbolic link", "give a file")
    if not path.exists():
        return _missing(root, path, "is missing")
    if path.is_dir():
        return DataError(path.relative_to(root), None, "is a folder, not a file", "replace it")
    if not os.access(path, os.R_OK):
        return DataError(path.relative_to(root), None, "cannot be read", "check its permissions")
    return None


def _missing(root: Path, path: Path, message: str) -> DataError:
    shown = path.relative_to(root)
    return DataError(shown, None, message, RESTORE.format(path=shown.as_posix()))
