"""`kg export`: every format reads back as the build (rdflib), the same bytes twice, the named
graphs kept in N-Quads and TriG, the VoID description with its counts and example queries, and
an independent parser accepts each file: Raptor's `rapper` for N-Triples, Turtle, N-Quads and
TriG (installed by `scripts/virtuoso.sh install`; skipped only when it is missing), Oxigraph's
own parser for JSON-LD (rapper has none: its `json` is RDF/JSON)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from kg.catalogue import catalogue
from kg.exporting.rdf import DATASET, DESCRIPTION_GRAPH, VOID, describe
from kg.namespaces import SH
from tests.conftest import REPO

FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "jsonld-dataset")
RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld",
                 "jsonld-dataset": "json-ld"}
RAPPER_FORMAT = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "trig": "trig"}


@pytest.fixture(scope="module")
def kg(project, built):
    """`kg ...` in-process on the session's project (module scope, unlike conftest's `cli`)."""
    from typer.testing import CliRunner

    from kg.cli.main import app

    options = ["--root", str(project.root), "--home", str(project.home)]
    return lambda *args: CliRunner().invoke(app, [*options, *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def exported(kg, tmp_path_factory) -> dict[str, Path]:
    """Each format exported once by `kg export --format F -o FILE`."""
    folder = tmp_path_factory.mktemp("export")
    out = {}
    for fmt in FORMATS:
        out[fmt] = folder / f"kg.{fmt}"
        result = kg("export", "--format", fmt, "-o", str(out[fmt]))
        assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def build_dataset(built) -> Dataset:
    ds = Dataset()
    ds.parse(built.nquads, format="nquads")
    return ds


def by_value(graph: Graph) -> Graph:
    """The graph with each xsd:decimal in one lexical form: rdflib's Turtle writer prints
    "1000000"^^xsd:decimal as 1000000.0 (see test_turtle_keeps_the_lexical_form_of_decimals)."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(o.toPython().normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def union_of(ds: Dataset) -> Graph:
    union = Graph()
    for s, p, o, _g in ds.quads():
        union.add((s, p, o))
    return union


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_single_graph_formats_read_back_as_the_build_and_its_description(
    exported, project, built, build_dataset, fmt
):
    back = Graph().parse(exported[fmt], format=RDFLIB_FORMAT[fmt])
    expected = union_of(build_dataset)
    expected += describe(project, built)
    assert isomorphic(by_value(back), by_value(expected))
    if fmt != "ttl":
        assert isomorphic(back, expected)


@pytest.mark.parametrize("fmt", ["nq", "trig", "jsonld-dataset"])
def test_dataset_formats_keep_every_named_graph(exported, project, built, build_dataset, fmt):
    back = Dataset()
    back.parse(exported[fmt], format=RDFLIB_FORMAT[fmt])
    graphs = {str(g.identifier) for g in back.graphs() if len(g)}
    assert graphs == set(built.manifest["graphs"]) | {str(DESCRIPTION_GRAPH)}
    for iri in built.manifest["graphs"]:
        exported_graph, build_graph = back.graph(URIRef(iri)), build_dataset.graph(URIRef(iri))
        assert isomorphic(by_value(exported_graph), by_value(build_graph)), iri


@pytest.mark.parametrize(
    "fmt",
    [
        "nq",
        "trig",
    ],
)
def test_dataset_formats_keep_the_description_graph(exported, project, built, fmt):
    back = Dataset()
    back.parse(exported[fmt], format=RDFLIB_FORMAT[fmt])
    assert isomorphic(back.graph(DESCRIPTION_GRAPH), describe(project, built))


@pytest.mark.parametrize("fmt", ["ttl", "trig"])
def test_turtle_keeps_the_lexical_form_of_decimals(exported, fmt):
    back = Dataset()
    back.parse(exported[fmt], format=RDFLIB_FORMAT[fmt])
    lines = Dataset()
    lines.parse(exported["nq"], format="nquads")
    assert {(s, p, o) for s, p, o, _ in back.quads()} == {(s, p, o) for s, p, o, _ in lines.quads()}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_build_gives_the_same_bytes(exported, kg, tmp_path, fmt):
    again = tmp_path / f"again.{fmt}"
    assert kg("export", "--format", fmt, "-o", str(again)).exit_code == 0
    assert again.read_bytes() == exported[fmt].read_bytes()


def test_the_void_description_counts_and_lists_the_example_queries(exported, built):
    g = Graph().parse(exported["ttl"], format="turtle")
    manifest = built.manifest
    assert g.value(DATASET, VOID.triples) == Literal(manifest["triples"], datatype=XSD.integer)
    subsets = {
        str(g.value(subset, URIRef("http://schema.org/name"))): int(g.value(subset, VOID.triples))
        for subset in g.objects(DATASET, VOID.subset)
        if (subset, RDF.type, VOID.Linkset) not in g  # the link-out linksets (test_dcat.py)
    }
    assert subsets == manifest["graphs"]
    examples = set(g.subjects(RDF.type, SH.SPARQLExecutable))
    names = {
        str(g.value(e, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) for e in examples
    }
    assert names == set(catalogue(REPO / "queries"))
    for example in examples:
        text = g.value(example, SH.select) or g.value(example, SH.construct)
        assert text is not None and "PREFIX" in str(text)


def test_the_endpoint_option_names_the_endpoint(kg, tmp_path):
    out = tmp_path / "void.nt"
    result = kg(
        "export", "--format", "nt", "--endpoint", "http://example.org/sparql", "-o", str(out)
    )
    assert result.exit_code == 0
    assert f"<{DATASET}> <{VOID.sparqlEndpoint}> <http://example.org/sparql> ." in out.read_text()


@pytest.mark.skipif(
    shutil.which("rapper") is None, reason="rapper (raptor2-utils) is not installed"
)
@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig"])
def test_rapper_accepts_the_file(exported, fmt):
    done = subprocess.run(
        ["rapper", "-i", RAPPER_FORMAT[fmt], "-c", str(exported[fmt])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "rapper: Error" not in done.stderr and "rapper: Warning" not in done.stderr
    counted = re.search(r"Parsing returned (\d+) triples", done.stderr)
    lines = exported["nq" if fmt in ("nq", "trig") else "nt"].read_bytes().count(b"\n")
    assert counted is not None and int(counted.group(1)) == lines


def test_oxigraph_reads_the_json_ld_as_rdflib_does(exported):
    import pyoxigraph as ox

    quads = list(ox.parse(path=str(exported["jsonld"]), format=ox.RdfFormat.JSON_LD))
    nt = {str(q.triple) for q in ox.parse(path=str(exported["nt"]), format=ox.RdfFormat.N_TRIPLES)}
    assert {str(q.triple) for q in quads} == nt
