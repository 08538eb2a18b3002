"""kg build: deterministic, persisted, rebuilt only when the inputs change; kg stats."""

from __future__ import annotations

import json

from kg.namespaces import resource
from kg.store import build, content_hash, current_build, open_dataset

SEED = [
    "2022-12-03-ch-andre-mignot",
    "2022-08-21-chsf-corbeil-essonnes",
    "2022-04-ght-coeur-grand-est",
]


def test_two_builds_give_the_same_bytes(project_copy):
    first = build(project_copy).nquads.read_bytes()
    again = build(project_copy, force=True).nquads.read_bytes()
    assert first == again
    lines = first.decode().splitlines()
    assert lines == sorted(lines)
    assert "_:" not in first.decode()  # no blank nodes: every node has a stable IRI


def test_a_build_is_reused_until_an_input_changes(project_copy):
    first = build(project_copy)
    assert first.fresh
    assert not build(project_copy).fresh
    sources = project_copy.data / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert content_hash(project_copy) != first.key
    assert build(project_copy).fresh


def test_changing_data_rebuilds(project_copy):
    first = build(project_copy)
    actors = project_copy.data / "actors.csv"
    text = actors.read_text(encoding="utf-8").replace("BianLian,", "BianLian group,", 1)
    actors.write_text(text, encoding="utf-8")
    second = build(project_copy)
    assert second.fresh and second.key != first.key
    assert current_build(project_copy).key == second.key


def test_stats_json_counts_the_seed_incidents(cli, project, built):
    result = cli("stats", "--json", project=project)
    assert result.exit_code == 0
    counts = json.loads(result.stdout)
    assert counts["triples"] == built.manifest["triples"] > 5000
    assert counts["classes"]["hck:Incident"] >= 12
    ds = open_dataset(built)
    for key in SEED:
        rows = list(
            ds.query(
                "SELECT (COUNT(?s) AS ?n) WHERE { ?i <http://purl.org/dc/terms/source> ?s }",
                initBindings={"i": resource("incident", key)},
            )
        )
        assert int(rows[0][0]) >= 1, key


def test_build_prints_counts(cli, project_copy):
    result = cli("build", project=project_copy)
    assert result.exit_code == 0
    assert result.stdout.startswith("built in ")
    assert " incidents, " in result.stdout
    again = cli("build", project=project_copy)
    assert again.stdout.startswith("up to date: ")
