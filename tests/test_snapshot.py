"""The FINESS register snapshot in the build (kg/loading/snapshot.py): hospitals by default, the
whole register or nothing on demand, the curated tables first (with a notice where they and the
snapshot disagree), an imported register before the snapshot for the numbers it gives."""

from __future__ import annotations

import csv
import gzip
import json

import pytest
from rdflib import URIRef

from kg.errors import KgError
from kg.loading import load_project
from kg.loading.snapshot import register_mode
from kg.namespaces import GRAPHS, SCHEMA, resource
from kg.store import build, current_build, open_dataset
from tests.conftest import REPO

SNAPSHOT = REPO / "data" / "register"
ESTABLISHMENT = "https://w3id.org/hospital-cyber-kg/ontology#Establishment"


def snapshot_rows() -> list[dict[str, str]]:
    with gzip.open(SNAPSHOT / "establishments.csv.gz", "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def hospital_codes() -> set[str]:
    with (SNAPSHOT / "categories.csv").open(encoding="utf-8") as handle:
        return {r["code"] for r in csv.DictReader(handle) if r["hospital"] == "yes"}


def subjects(lines: list[str]) -> set[str]:
    return {line.split(" ", 1)[0][1:-1] for line in lines}


def test_the_mode_is_hospitals_unless_told(monkeypatch):
    monkeypatch.delenv("KG_REGISTER", raising=False)
    assert register_mode() == "hospitals"
    monkeypatch.setenv("KG_REGISTER", "all")
    assert register_mode() == "all" and register_mode("none") == "none"
    with pytest.raises(KgError) as caught:
        register_mode("pharmacies")
    assert str(caught.value) == "--register is 'pharmacies' (use one of: hospitals, all, none)"


def test_hospitals_by_default_and_the_curated_rows_first():
    loaded = load_project(REPO, "hospitals")
    rows = snapshot_rows()
    hospitals = hospital_codes()
    curated = {
        r["finess_et"] for r in csv.DictReader((REPO / "data" / "establishments.csv").open())
    }
    expected = {
        str(resource("establishment", r["finess_et"]))
        for r in rows
        if r["category"] in hospitals and r["commune"] and r["finess_et"] not in curated
    }
    written = subjects(loaded.register_lines)
    assert {s for s in written if "/establishment/" in s and "/geometry" not in s} == expected
    assert loaded.snapshot["sites"] == len(expected) > 5000
    assert loaded.snapshot["curated"] == len(
        curated & {r["finess_et"] for r in rows if r["category"] in hospitals}
    )
    # every line is one N-Quad of the register graph; no curated site gets a snapshot triple
    assert all(line.endswith(f" <{GRAPHS['register']}> .\n") for line in loaded.register_lines)
    assert not {str(resource("establishment", n)) for n in curated} & written


def test_none_adds_nothing_and_all_adds_the_rest():
    assert load_project(REPO, "none").register_lines == []
    every = load_project(REPO, "all")
    assert every.snapshot["sites"] > 90000


def snapshot_notices(loaded) -> list[str]:
    """The build's notices but those of the GHT list (tests/test_ght_list.py)."""
    return [n for n in loaded.notices if "the GHT list of" not in n]


def test_a_disagreement_with_a_curated_row_is_a_notice(project_copy):
    path = project_copy.data / "establishments.csv"
    text = path.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("780800256,"))
    assert ",101," not in text.splitlines()[line - 1]
    path.write_text(
        text.replace(
            "780800256,780110078,CH DE VERSAILLES SITE ANDRE MIGNOT,355,",
            "780800256,780110078,CH DE VERSAILLES SITE ANDRE MIGNOT,101,",
        ),
        encoding="utf-8",
    )
    loaded = load_project(project_copy.root, "hospitals")
    assert snapshot_notices(loaded) == [
        f"data/establishments.csv:{line}: 780800256: the register snapshot of 2021-01-08 gives "
        "category 355, the curated row 101; the curated value is kept"
    ]


def test_an_imported_register_supersedes_the_snapshot():
    number = "010000032"  # CH HAUT BUGEY, in the snapshot, not curated
    loaded = load_project(REPO, "hospitals", superseded={number, "010780062"})
    assert str(resource("establishment", number)) not in subjects(loaded.register_lines)
    assert str(resource("legal-entity", "010780062")) not in subjects(loaded.register_lines)
    assert snapshot_notices(loaded) == [
        "the imported register (kg import finess) supersedes 1 site of the register snapshot "
        "of 2021-01-08: its rows are used"
    ]


def test_import_finess_over_the_snapshot_gives_one_value_each(cli, project_copy, monkeypatch):
    """The regression of the first attempt: the imported register and the snapshot both gave
    the same sites, with two latitudes, names and categories each."""
    from tests.test_import_finess import REAL, without_sites

    monkeypatch.setenv("KG_REGISTER", "hospitals")
    without_sites(project_copy, {"010000024"})
    result = cli("import", "finess", str(REAL), project=project_copy)
    assert result.exit_code == 0, result.stderr
    made = current_build(project_copy)
    assert made.manifest["register"]["superseded"] >= 1
    ds = open_dataset(made)
    site = URIRef(resource("establishment", "010000024"))
    assert len(list(ds.objects(site, SCHEMA.latitude))) == 1
    assert len(list(ds.objects(site, SCHEMA.name))) == 1
    stats = json.loads(cli("stats", "--json", project=project_copy).stdout)
    assert stats["classes"]["hck:Establishment"] > 5000


def test_register_none_holds_the_curated_sites_only(project_copy):
    made = build(project_copy, register="none")
    assert made.manifest["register"] == {"mode": "none"}
    assert made.manifest["classes"][ESTABLISHMENT] < 100
