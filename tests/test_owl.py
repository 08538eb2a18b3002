"""The ontology as the OWL API and HermiT see it (tests/owl_check.py): OWL 2 DL with no profile
violation, opened offline through the catalog; consistent with the shipped data, with no
unsatisfiable class; and inconsistent with each XFAIL example of tests/owl/ (a PASS example is
consistent). Each example is checked together with the ontology, alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.owl_check import compile_checker, data_document, run_checker, why_not

HERE = Path(__file__).parent / "owl"
EXAMPLES = sorted(HERE.glob("*.ttl"))

pytestmark = pytest.mark.skipif(why_not() is not None, reason=why_not() or "")


@pytest.fixture(scope="module")
def classpath(tmp_path_factory) -> str:
    return compile_checker(tmp_path_factory.mktemp("owlcheck"))


@pytest.fixture(scope="module")
def ontology_alone(classpath):
    return run_checker(classpath)


def modules(project) -> list[Path]:
    return [p for p in (project.root / "ontology").rglob("*.ttl") if "-shapes" not in p.name]


def test_hck_ttl_opens_offline_through_the_catalog_with_every_module(ontology_alone, project):
    """Every module but the alignments, which the core leaves out."""
    assert ontology_alone.imports == len(modules(project)) - 1


def test_the_alignments_open_offline_and_are_owl2_dl_too(classpath, project):
    outcome = run_checker(classpath, root=project.root / "ontology" / "alignment.ttl")
    assert outcome.imports == len(modules(project))
    assert (outcome.violations, outcome.consistent, outcome.unsatisfiable) == ([], True, [])


def test_the_ontology_is_owl2_dl_with_no_profile_violation(ontology_alone):
    assert ontology_alone.violations == []


def test_the_ontology_is_consistent_with_no_unsatisfiable_class(ontology_alone):
    assert (ontology_alone.consistent, ontology_alone.unsatisfiable) == (True, [])


def test_the_ontology_and_the_shipped_data_are_consistent(classpath, built, tmp_path):
    data = data_document(built.nquads, [], tmp_path / "data.ttl")
    outcome = run_checker(classpath, data)
    assert (outcome.consistent, outcome.unsatisfiable) == (True, [])


def test_every_example_says_what_it_tests():
    assert EXAMPLES
    for path in EXAMPLES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        kind = path.name.split("_", 1)[0]
        assert kind in ("PASS", "XFAIL") and first.startswith(f"# {kind}: "), path.name


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example(classpath, path, tmp_path):
    outcome = run_checker(classpath, data_document(None, [path], tmp_path / "data.ttl"))
    assert outcome.consistent is path.name.startswith("PASS")


def test_the_shipped_data_with_an_establishment_typed_as_an_incident_is_inconsistent(
    classpath, project_copy, tmp_path
):
    """The curated data (the copy builds without the register's hospitals: HermiT takes a
    minute over them, which the test of consistency above does already)."""
    from kg.namespaces import resource
    from kg.store import build

    built = build(project_copy)

    absurd = tmp_path / "absurd.ttl"
    mignot = resource("establishment", "780800256")  # CH de Versailles, site André Mignot
    absurd.write_text(
        f"<{mignot}> a <https://w3id.org/hospital-cyber-kg/ontology#Incident> .\n",
        encoding="utf-8",
    )
    outcome = run_checker(classpath, data_document(built.nquads, [absurd], tmp_path / "d.ttl"))
    assert outcome.consistent is False
