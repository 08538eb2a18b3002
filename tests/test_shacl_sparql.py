"""The SPARQL validation engine against pySHACL, the reference: exactly the same results on
every example file, on the shipped data and on synthetic data; and re-validation after a change
to one data file checks only what it touched and ends with the same report as a full run."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from rdflib import Graph

from kg.revalidation import validate_project
from kg.shacl_sparql import Unsupported, compile_shapes, validate_store
from kg.store import build
from kg.validation import load_ontology, load_shapes, read_rdf, validate_build, validate_graph
from tests.conftest import REPO

EXAMPLES = sorted(p for p in (REPO / "tests" / "shapes").glob("*.ttl") if p.name != "base.ttl")


def key(r):
    """What both engines must agree on (pySHACL gives the focus itself as value of a node-level
    sh:or; the SPARQL engine leaves it out)."""
    return (
        r.focus,
        r.path,
        r.shape,
        r.component,
        r.severity,
        "" if r.value == r.focus else r.value,
        r.message,
    )


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(REPO)


def store_of(graph: Graph):
    store = ox.Store()
    store.load(
        graph.serialize(format="nt").encode(),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ox.NamedNode("urn:kg:test"),
    )
    return store


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_same_results_as_pyshacl_on_each_example(path, shapes):
    data = load_ontology(REPO)
    data += read_rdf(REPO / "tests" / "shapes" / "base.ttl")
    data += read_rdf(path)
    reference = validate_graph(data, shapes)
    fast = validate_store(store_of(data), compile_shapes(shapes), shapes)
    assert {key(r) for r in fast.results} == {key(r) for r in reference.results}
    assert fast.conforms == reference.conforms


def test_same_results_as_pyshacl_on_the_shipped_data(project, built, shapes):
    reference = validate_build(project)
    store = ox.Store.read_only(str(built.oxigraph))
    fast = validate_store(store, compile_shapes(shapes), shapes, origins=built.origins)
    assert {(key(r), r.origin) for r in fast.results} == {
        (key(r), r.origin) for r in reference.results
    }


def test_same_results_as_pyshacl_on_synthetic_data(tmp_path, shapes):
    from kg.synthetic.graph import generate

    out = tmp_path / "synthetic.nq"
    with out.open("w", encoding="utf-8") as f:
        generate(
            f, establishments=300, incidents=300, seed=7, gazetteer=REPO / "data" / "gazetteer"
        )
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    data = load_ontology(REPO)
    for quad in store:
        data.add((_term(quad.subject), _term(quad.predicate), _term(quad.object)))
    store.load(
        data.serialize(format="nt").encode(),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ox.NamedNode("urn:kg:ontology"),
    )
    reference = validate_graph(data, shapes)
    fast = validate_store(store, compile_shapes(shapes), shapes)
    assert {key(r) for r in fast.results} == {key(r) for r in reference.results}


def _term(term):
    from kg.engines import _from_ox

    return _from_ox(term)


def test_revalidation_checks_only_what_a_change_touched(project_copy):
    first_build = build(project_copy)
    assert validate_project(project_copy).how == "the whole graph"
    # a change to one data file that breaks a constraint: an impact loses its status
    path = project_copy.data / "incidents" / "2024-02-11-ch-armentieres.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    status: known\n", "", 1), encoding="utf-8")
    second_build = build(project_copy, allow_invalid=True)  # validated when built
    second = validate_project(project_copy)
    assert second_build.key != first_build.key
    assert "nodes touched by the change" in second.how
    full = validate_build(project_copy)
    assert {key(r) for r in second.report.results} == {key(r) for r in full.results}
    assert any(r.shape.endswith("#Impact-status") for r in second.report.results)
    assert not second.report.conforms


def test_a_change_to_the_shapes_validates_everything(project_copy):
    build(project_copy)
    validate_project(project_copy)
    shapes_file = project_copy.root / "ontology" / "source-shapes.ttl"
    shapes_file.write_text(shapes_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build(project_copy)
    assert validate_project(project_copy).how == "the whole graph"


def test_an_unsupported_constraint_is_refused_by_name(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(REPO / "ontology", root / "ontology")
    extra = root / "ontology" / "extra-shapes.ttl"
    extra.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:closed true .\n",
        encoding="utf-8",
    )
    with pytest.raises(Unsupported) as caught:
        compile_shapes(load_shapes(root))
    assert str(caught.value) == (
        "shape urn:s uses http://www.w3.org/ns/shacl#closed (validate with --engine pyshacl)"
    )


def test_validate_cli_engines_agree(cli, project_copy):
    # the curated data (KG_REGISTER=none): pySHACL takes a minute and a half over the register's
    # hospitals, which test_same_results_as_pyshacl_on_the_shipped_data compares already
    cli("build", project=project_copy)
    fast = cli("validate", "--every-warning", project=project_copy)
    reference = cli("validate", "--every-warning", "--engine", "pyshacl", project=project_copy)
    assert fast.exit_code == reference.exit_code == 0
    assert fast.stdout == reference.stdout
    assert "Conforms" in fast.stdout and "warning" in fast.stdout


@pytest.mark.parametrize(
    "path", [p for p in EXAMPLES if p.name.startswith("XFAIL")][:3], ids=lambda p: p.stem
)
def test_validate_data_cli_engines_agree(cli, project, path):
    base = str(REPO / "tests" / "shapes" / "base.ttl")
    fast = cli("validate", "--data", base, "--data", str(path), project=project)
    reference = cli(
        "validate", "--data", base, "--data", str(path), "--engine", "pyshacl", project=project
    )
    assert fast.exit_code == reference.exit_code == 1
    assert fast.stdout == reference.stdout


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_revalidation_gives_the_full_results_on_each_example(path, shapes):
    """The base graph validated first, then each example added as a change: re-checking only
    the touched nodes ends with exactly what a full validation (and pySHACL) reports."""
    from kg.revalidation import revalidate, touched_nodes

    base = load_ontology(REPO)
    base += read_rdf(REPO / "tests" / "shapes" / "base.ttl")
    changed = Graph()
    changed += base
    changed += read_rdf(path)
    checks = compile_shapes(shapes)
    before = validate_store(store_of(base), checks, shapes).results
    store = store_of(changed)
    old = set(base.serialize(format="nt").splitlines())
    new = set(changed.serialize(format="nt").splitlines())
    again = revalidate(store, checks, shapes, before, touched_nodes(old, new, store))
    reference = validate_graph(changed, shapes)
    assert {key(r) for r in again.results} == {key(r) for r in reference.results}
