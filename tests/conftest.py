"""Shared fixtures: the repository's own project built once into a temporary store, and
throw-away copies of the project for tests that break things on purpose."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.project import Project
from kg.store import Build, build
from tests.virtuoso import virtuoso  # noqa: F401 - the session fixture of @pytest.mark.virtuoso

REPO = Path(__file__).resolve().parent.parent

# The tests' builds leave out the territory graph (every commune of the gazetteer, some 300,000
# triples): the tests that need it build it themselves (the `territory` fixture).
os.environ.setdefault("KG_TERRITORY", "0")


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The repository's project, its store in a temporary folder (never the developer's .kg)."""
    return Project(root=REPO, home=tmp_path_factory.mktemp("kg-home"))


@pytest.fixture(scope="session")
def built(project: Project) -> Build:
    return build(project)


@pytest.fixture(scope="session")
def territory(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Build]:
    """The repository's project built with its territory graph, in a store of its own."""
    project = Project(root=REPO, home=tmp_path_factory.mktemp("kg-home-territory"))
    saved = os.environ.get("KG_TERRITORY")
    os.environ["KG_TERRITORY"] = "1"
    try:
        return project, build(project)
    finally:
        os.environ["KG_TERRITORY"] = saved if saved is not None else "0"


@pytest.fixture
def project_copy(tmp_path: Path) -> Iterator[Project]:
    """A copy of ontology/, data/ and queries/ that a test may edit. Its builds hold only the
    curated sites (KG_REGISTER=none, set apart from the test's own monkeypatch so that its
    undo() keeps it: some hundred tests build a copy, the register snapshot would add seconds
    to each); a test of the snapshot passes register= or sets KG_REGISTER itself."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_REGISTER", "none")
        yield Project(root=tmp_path, home=tmp_path / ".kg")


@pytest.fixture(scope="session")
def static_site(project: Project, built: Build, tmp_path_factory: pytest.TempPathFactory):
    """`kg site` of the shipped build, written once (some 1,200 pages and the exports) for the
    tests that read it: (its folder, the command's result). Tests must not change it."""
    from kg.cli.main import app

    out = tmp_path_factory.mktemp("static-site") / "site"
    options = ["--root", str(project.root), "--home", str(project.home)]
    result = CliRunner().invoke(app, [*options, "site", str(out)], catch_exceptions=False)
    return out, result


@pytest.fixture
def cli():
    """Run `kg ...` in-process; returns the result with stdout, stderr and exit_code."""
    from kg.cli.main import app

    runner = CliRunner()

    def run(*args: str, project: Project | None = None, input: str | None = None):
        options = ["--root", str(project.root), "--home", str(project.home)] if project else []
        return runner.invoke(app, [*options, *args], input=input, catch_exceptions=False)

    return run
