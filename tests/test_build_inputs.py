"""A build whose inputs are missing or unreadable fails, naming them; a build that violates the
shapes is not switched in unless asked (--allow-invalid); the build in use stays."""

from __future__ import annotations

import shutil

import pytest

from kg.store import build, current_build

INCIDENT = "data/incidents/2024-02-11-ch-armentieres.yaml"
START = "start: 2024-02-11T02:00:00+01:00\n"


@pytest.fixture
def previous(project_copy):
    return project_copy, build(project_copy)


def _end_before_start(project):
    path = project.root / INCIDENT
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(START, START + "end: 2024-01-01\n", 1), encoding="utf-8")


def test_a_build_that_violates_the_shapes_is_not_switched_in(cli, previous):
    project, before = previous
    _end_before_start(project)
    result = cli("build", "--quiet", project=project)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: the new build does not conform (1 violation), so the build in use is unchanged; "
        f"the first: {INCIDENT}:1: incident/2024-02-11-ch-armentieres hck:endDate: The end "
        "2024-01-01 is before the start 2024-02-11T02:00:00+01:00: an incident cannot end "
        "before it begins (fix the data, or kg build --allow-invalid then kg validate to list "
        "them all)\n"
    )
    assert current_build(project).path == before.path
    assert [p.name for p in (project.home / "builds").iterdir()] == [before.path.name]


def test_allow_invalid_switches_it_in_and_validate_says_so(cli, previous):
    project, before = previous
    _end_before_start(project)
    result = cli("build", "--allow-invalid", project=project)
    assert result.exit_code == 0
    assert "switched in anyway (--allow-invalid)" in result.stderr
    assert current_build(project).path != before.path
    assert cli("validate", project=project).exit_code == 1


def test_nan_amount_is_not_switched_in(cli, previous):
    project, before = previous
    path = project.root / INCIDENT
    text = path.read_text(encoding="utf-8")
    anchor = "  - type: network-isolation\n    status: known\n"
    extra = "    amount: .nan\n    currency: EUR\n"
    path.write_text(text.replace(anchor, anchor + extra, 1), encoding="utf-8")
    result = cli("build", "--quiet", project=project)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the new build does not conform")
    assert current_build(project).path == before.path


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        ("ontology/threat.ttl", "ontology/threat.ttl: is missing"),
        ("ontology/incident-shapes.ttl", "ontology/incident-shapes.ttl: is missing"),
        ("ontology/vocab/certainty.ttl", "ontology/vocab/certainty.ttl: is missing"),
        ("data/sources.csv", "data/sources.csv: is missing"),
        ("data/gazetteer/communes.csv", "data/gazetteer/communes.csv: is missing"),
        ("data/incidents", "data/incidents: the incidents folder is missing"),
    ],
)
def test_a_missing_input_fails_the_build(cli, previous, remove, message):
    project, before = previous
    path = project.root / remove
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    result = cli("build", project=project)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-2:] == [
        "error: 1 error in the input; nothing was built",
        f"{message} (restore it, e.g. git checkout -- {remove})",
    ]
    assert current_build(project).path == before.path


def test_a_folder_where_a_table_is_expected(cli, previous):
    project, _before = previous
    path = project.root / "data" / "actors.csv"
    path.unlink()
    path.mkdir()
    result = cli("build", project=project)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "data/actors.csv: is a folder, not a file (replace it)"
