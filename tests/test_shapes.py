"""The shapes, tested by example files (tests/shapes/): PASS files conform, XFAIL files fail with
exactly the (focus node, path, source shape) set their `# expect:` lines give, WARN files conform
with exactly those warnings. Each example is validated together with tests/shapes/base.ttl."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from kg.namespaces import SH
from kg.validation import load_ontology, load_shapes, read_rdf, validate_graph

HERE = Path(__file__).parent / "shapes"
EXAMPLES = sorted(p for p in HERE.glob("*.ttl") if p.name != "base.ttl")
PREFIXES = {
    "ex:": "https://example.org/kg-test/",
    "hck:": "https://w3id.org/hospital-cyber-kg/ontology#",
    "hcks:": "https://w3id.org/hospital-cyber-kg/shapes#",
    "schema:": "http://schema.org/",
    "dcterms:": "http://purl.org/dc/terms/",
    "org:": "http://www.w3.org/ns/org#",
    "time:": "http://www.w3.org/2006/time#",
}


def expand(term: str) -> str:
    if term == "-":
        return ""
    for prefix, ns in PREFIXES.items():
        if term.startswith(prefix):
            return ns + term[len(prefix) :]
    raise ValueError(f"unknown prefix in {term}")


def expected(path: Path) -> set[tuple[str, str, str]]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            focus, prop, shape = line.split(":", 1)[1].split()
            out.add((expand(focus), expand(prop), expand(shape)))
    return out


@pytest.fixture(scope="module")
def shapes(project):
    return load_shapes(project.root)


@pytest.fixture(scope="module")
def base(project) -> Graph:
    g = load_ontology(project.root)
    g += read_rdf(HERE / "base.ttl")
    return g


def test_every_example_says_what_it_tests():
    for path in EXAMPLES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        kind = path.name.split("_", 1)[0]
        assert first.startswith(f"# {kind}: "), path.name
        assert (kind == "PASS") == (not expected(path)), path.name


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example(path, base, shapes):
    data = Graph()
    data += base
    data += read_rdf(path)
    report = validate_graph(data, shapes)
    kind = path.name.split("_", 1)[0]
    if kind == "PASS":
        assert report.results == []
    elif kind == "WARN":
        assert report.conforms
        assert report.keys() == expected(path)
        assert {r.severity for r in report.results} == {"Warning"}
    else:
        assert not report.conforms
        assert report.keys() == expected(path)
        assert all(r.message for r in report.results)


def test_validate_cli_names_the_node_and_the_constraint(cli, project):
    bad = HERE / "XFAIL_finess-key.ttl"
    result = cli("validate", "--data", str(HERE / "base.ttl"), "--data", str(bad), project=project)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "Violation: https://example.org/kg-test/bad-key hck:finessNumber = 780000015"
    )
    assert "fails its check key" in result.stdout
    assert "[hcks:FinessKey, SPARQLConstraintComponent]" in result.stdout
    assert result.stdout.splitlines()[-1] == "Does not conform: 1 violation."


@pytest.mark.parametrize(
    "path", [p for p in EXAMPLES if p.name.startswith("XFAIL")], ids=lambda p: p.stem
)
def test_validate_cli_exits_1_on_each_xfail_file_alone(cli, project, path):
    result = cli("validate", "--data", str(path), project=project)
    assert result.exit_code == 1
    assert "Does not conform" in result.stdout


CONSTRAINTS = [
    SH[n]
    for n in (
        "minCount",
        "maxCount",
        "datatype",
        "pattern",
        "class",
        "in",
        "hasValue",
        "node",
        "or",
        "qualifiedValueShape",
        "select",
        "minInclusive",
        "maxInclusive",
        "nodeKind",
    )
]


def test_every_constraint_has_a_message(shapes):
    in_or_lists = {m for lst in shapes.objects(None, SH["or"]) for m in shapes.items(lst)}
    missing = set()
    for node in set(shapes.subjects()):
        if node in in_or_lists:  # the sh:or as a whole carries the message
            continue
        if any((node, c, None) in shapes for c in CONSTRAINTS) and not shapes.value(
            node, SH.message
        ):
            missing.add(str(node))
    assert missing == set()


def test_every_shape_has_a_stable_iri(shapes):
    from rdflib import BNode

    anonymous = {
        str(s)
        for s in shapes.subjects(SH.path, None)
        if isinstance(s, BNode)
        and s not in {m for lst in shapes.objects(None, SH["or"]) for m in shapes.items(lst)}
        and (None, SH.qualifiedValueShape, s) not in shapes
    }
    assert anonymous == set()
