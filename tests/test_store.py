"""The store never loses the build in use and heals: a forced rebuild is made beside it, a
damaged build is named when opened with the way to repair it, and a plain `kg build` repairs it;
leftovers of killed builds are cleaned; read-only commands write nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg.builds import open_build
from kg.store import build, current_build

REPAIR = "(run `kg build` to repair it)"
QUAD = '<http://example.org/a> <http://example.org/p> "{}" <http://example.org/g> .\n'


@pytest.fixture
def built_copy(project_copy):
    return project_copy, build(project_copy)


def test_force_builds_beside_the_build_in_use(built_copy, monkeypatch):
    project, before = built_copy

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("kg.store.switch_in", killed)
    with pytest.raises(KeyboardInterrupt):
        build(project, force=True)
    monkeypatch.undo()
    assert current_build(project, deep=True).path == before.path
    again = build(project, force=True)
    assert again.fresh and again.path != before.path and again.key == before.key
    assert current_build(project).path == again.path


def _truncate_manifest(build_):
    path = build_.path / "manifest.json"
    path.write_bytes(path.read_bytes()[:100])


def _corrupt_gazetteer(build_):
    path = build_.gazetteer
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")


def _empty_oxigraph(build_):
    shutil.rmtree(build_.oxigraph)
    build_.oxigraph.mkdir()


DAMAGES = {
    "truncated manifest": (_truncate_manifest, "has a corrupted manifest.json"),
    "no manifest": (lambda b: (b.path / "manifest.json").unlink(), "has no manifest.json"),
    "lost dataset": (lambda b: b.nquads.unlink(), "has lost dataset.nq"),
    "lost gazetteer": (lambda b: b.gazetteer.unlink(), "has lost gazetteer.json"),
    "corrupted gazetteer": (_corrupt_gazetteer, "has a corrupted gazetteer.json"),
    "empty store": (_empty_oxigraph, "has lost its Oxigraph store"),
    "deleted build": (lambda b: shutil.rmtree(b.path), "is missing"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_build_is_named_and_kg_build_repairs_it(cli, built_copy, damage):
    project, before = built_copy
    harm, what = DAMAGES[damage]
    harm(before)
    result = cli("stats", project=project)
    assert result.exit_code == 2
    assert result.stderr == f"error: the build in use ({before.path}) {what} {REPAIR}\n"
    repaired = cli("build", project=project)
    assert repaired.exit_code == 0, repaired.stderr
    assert "the build in use is damaged: building it again" in repaired.stderr
    assert cli("stats", project=project).exit_code == 0
    near = cli("attacks", "--near", "Paris", "--year", "2022", "-f", "csv", project=project)
    assert near.exit_code == 0 and "maternite-des-bluets" in near.stdout


def test_garbage_in_current_is_named_and_repaired(cli, built_copy):
    project, _before = built_copy
    (project.home / "current").unlink()
    (project.home / "current").write_bytes(b"\x00\xffgarbage../../etc\n")
    result = cli("stats", project=project)
    assert result.exit_code == 2
    assert result.stderr == f"error: {project.home / 'current'} does not name a build {REPAIR}\n"
    assert cli("build", project=project).exit_code == 0
    assert cli("stats", project=project).exit_code == 0


def test_a_store_folder_that_is_a_file(cli, project_copy, monkeypatch):
    monkeypatch.delenv("KG_HOME", raising=False)
    project_copy.home.write_text("not a folder\n")  # the default store folder, <root>/.kg
    for command in ("stats", "build"):
        result = cli("--root", str(project_copy.root), command)
        assert result.exit_code == 2
        assert result.stderr == (
            f"error: {project_copy.home} is a file, not a store folder "
            "(remove it, or give --home another folder)\n"
        )


def test_a_deleted_store_folder_asks_for_a_build(cli, built_copy):
    project, _before = built_copy
    shutil.rmtree(project.home)
    result = cli("stats", project=project)
    assert result.exit_code == 2
    assert result.stderr == f"error: no build in {project.home} (run `kg build` first)\n"
    assert cli("build", project=project).exit_code == 0


def test_leftovers_of_killed_builds_are_cleaned(built_copy):
    project, before = built_copy
    dead = 2**22 + 12345  # above the default pid_max: no such process
    leftover = project.home / "builds" / f".tmp-{before.key}-{dead}"
    (leftover / "oxigraph").mkdir(parents=True)
    (project.home / f".current-{dead}").write_text("x\n")
    (project.home / f".hashes.{dead}.json").write_text("{}")
    build(project)
    assert not leftover.exists()
    assert not (project.home / f".current-{dead}").exists()
    assert not (project.home / f".hashes.{dead}.json").exists()
    assert open_build(before.path, deep=True).key == before.key


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            stat = path.lstat()
            out[str(path.relative_to(folder))] = (stat.st_size, stat.st_mtime_ns)
    return out


def test_read_only_commands_write_nothing(cli, built_copy):
    project, _before = built_copy
    before = _tree(project.home)
    for args in (
        ["stats"],
        ["validate"],
        ["queries"],
        ["attacks", "--near", "Paris", "--radius", "30"],
        ["query", "find-incidents", "--param", "text=Corbeil"],
        ["export", "--format", "nt"],
    ):
        result = cli(*args, project=project)
        assert result.exit_code == 0, (args, result.stderr)
    assert _tree(project.home) == before


def test_the_gazetteer_is_read_from_the_build(cli, built_copy):
    project, _before = built_copy
    shutil.rmtree(project.data / "gazetteer")
    result = cli("attacks", "--near", "Paris", "--year", "2022", "-f", "csv", project=project)
    assert result.exit_code == 0 and "maternite-des-bluets" in result.stdout


def test_a_killed_import_leaves_the_previous_import_in_use(built_copy, monkeypatch, tmp_path):
    from kg.store import add_import

    project, _before = built_copy
    first = tmp_path / "first.nq"
    first.write_text('<http://example.org/a> <http://example.org/p> "1" <http://example.org/g> .\n')
    in_use = add_import(project, "extra", first)
    second = tmp_path / "second.nq"
    second.write_text(
        '<http://example.org/a> <http://example.org/p> "2" <http://example.org/g> .\n'
    )

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("kg.store.switch_in", killed)
    with pytest.raises(KeyboardInterrupt):
        add_import(project, "extra", second)
    monkeypatch.undo()
    assert (project.imports / "extra.nq").read_bytes() == first.read_bytes()
    assert current_build(project).path == in_use.path
    assert build(project).path == in_use.path  # nothing to rebuild: the first import is in use
    assert sorted(p.name for p in project.home.iterdir() if p.name.startswith(".")) == []


def test_repairing_a_damaged_pointer_keeps_the_imports(cli, built_copy, tmp_path):
    from kg.store import add_import

    project, _before = built_copy
    extra = tmp_path / "extra.nq"
    extra.write_text(QUAD.format(1))
    in_use = add_import(project, "extra", extra)
    (project.home / "current").unlink()
    (project.home / "current").write_text("garbage\n")
    result = cli("build", project=project)
    assert result.exit_code == 0
    assert f"imports taken from {in_use.path}" in result.stderr
    assert (project.imports / "extra.nq").read_bytes() == extra.read_bytes()
    assert current_build(project).manifest["imports"] == ["extra.nq"]
