"""Portable queries (issue 12): every catalogue query, and the text `kg attacks --explain`
prints, run unchanged on a plain store holding the export (the Oxigraph CLI, from the PyPI
package `oxigraph`) and give kg's rows: distances by GeoSPARQL's geof:distance, no function of
kg's own. Both ways of reading named graphs work: the N-Quads export with a union default graph
(`--union-default-graph`), and the N-Triples export loaded into the default graph."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

from kg.catalogue import catalogue
from kg.engines import Table
from kg.exporting.rdf import export
from kg.params import bind
from kg.query import explain, open_engine, resolver
from tests.conftest import REPO
from tests.query_fixture import rows
from tests.test_remote import SAMPLES

OXIGRAPH = shutil.which("oxigraph") or str(Path(__import__("sys").executable).with_name("oxigraph"))
PARIS_2022 = {"near": "Paris", "radius_km": "50", "from": "2022", "to": "2022"}
pytestmark = pytest.mark.skipif(not Path(OXIGRAPH).exists(), reason="the oxigraph CLI is missing")


def _term(cell: dict[str, str]) -> object:
    if cell["type"] == "uri":
        return URIRef(cell["value"])
    if cell["type"] == "bnode":
        return BNode(cell["value"])
    if "xml:lang" in cell:
        return Literal(cell["value"], lang=cell["xml:lang"])
    datatype = cell.get("datatype")
    plain = datatype in (None, "http://www.w3.org/2001/XMLSchema#string")
    return Literal(cell["value"], datatype=None if plain else datatype)


def cli_table(store: Path, text: str, union: bool) -> Table:
    """The query run by `oxigraph query` on the store, as a Table."""
    command = [OXIGRAPH, "query", "--location", str(store), "--results-format", "json"]
    done = subprocess.run(
        [*command, *(["--union-default-graph"] if union else [])],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    doc = json.loads(done.stdout)
    names = doc["head"]["vars"]
    return Table(
        names,
        [{n: _term(b[n]) if n in b else None for n in names} for b in doc["results"]["bindings"]],
    )  # type: ignore[misc]


@pytest.fixture(scope="module")
def stores(territory, tmp_path_factory) -> dict[str, Path]:
    """Two Oxigraph CLI stores: the N-Quads export, and the N-Triples export."""
    project, made = territory
    folder = tmp_path_factory.mktemp("portable")
    out = {}
    for fmt in ("nq", "nt"):
        buffer = io.BytesIO()
        export(project, made, fmt, buffer)
        path = folder / f"export.{fmt}"
        path.write_bytes(buffer.getvalue())
        out[fmt] = folder / f"store-{fmt}"
        subprocess.run(
            [OXIGRAPH, "load", "--location", str(out[fmt]), "--file", str(path)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return out


def cases(project) -> list[tuple[str, str, dict]]:
    """(name, the explained text, kg's bindings) of every catalogue query and of near Paris."""
    engine = open_engine(project)
    queries = catalogue(REPO / "queries")
    out = []
    for name, given in [
        *((n, SAMPLES.get(n, {})) for n in sorted(queries)),
        ("attacks", PARIS_2022),
    ]:
        bindings = bind(queries[name], given, resolver(project, engine))
        out.append((name, explain(queries[name].text, bindings), bindings))
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "union"), [("nq", True), ("nt", False)])
def test_every_catalogue_query_runs_unchanged_on_the_oxigraph_cli(territory, stores, fmt, union):
    project, _ = territory
    engine = open_engine(project)
    queries = catalogue(REPO / "queries")
    differ, empty = {}, []
    for name, text, bindings in cases(project):
        expected = rows(engine.select(queries[name].text, bindings))
        found = rows(cli_table(stores[fmt], text, union))
        if found != expected:
            differ[name] = (expected[:3], found[:3])
        if not expected:
            empty.append(name)
    assert differ == {}
    assert "attacks" not in empty


def test_the_explained_near_paris_2022_query_gives_the_incidents_of_kg_attacks(
    territory, stores, cli
):
    project, _ = territory
    result = cli(
        "attacks",
        "--near",
        "Paris",
        "--radius",
        "50",
        "--year",
        "2022",
        "--explain",
        project=project,
    )
    assert result.exit_code == 0, result.stderr
    assert "hckfn" not in result.stdout and "geof:distance" in result.stdout
    found = {str(r["incident"]) for r in cli_table(stores["nq"], result.stdout, True).rows}
    listed = cli(
        "attacks",
        "--near",
        "Paris",
        "--radius",
        "50",
        "--year",
        "2022",
        "--format",
        "csv",
        project=project,
    )
    incidents = {line.split(",", 1)[0] for line in listed.stdout.splitlines()[1:] if line}
    assert found == incidents
    assert len(incidents) >= 3


def test_no_catalogue_query_calls_a_function_of_kg():
    uses = {p.name for p in (REPO / "queries").glob("*.rq") if "hckfn:" in p.read_text()}
    assert uses == set()


@pytest.mark.virtuoso
@pytest.mark.slow
def test_every_catalogue_query_gives_kg_rows_on_virtuoso_with_the_territory(virtuoso, territory):
    """The whole territory pushed (300,000 more triples): the region and near queries still
    answer on Virtuoso as on the embedded store (`geo:sfWithin+` from a VALUES block found
    nothing there once the territory was in)."""
    from kg.publishing.push import push
    from tests.test_push import EXTRA_CASES, credentials_of, embedded_rows, extra_rows, remote_rows

    project, made = territory
    push(made, virtuoso.sparql_url, credentials=credentials_of(virtuoso))
    expected = embedded_rows(project)
    found = remote_rows(project, virtuoso.sparql_url)
    assert {n: r for n, r in found.items() if r != expected[n]} == {}
    assert expected["incidents-in-region"] and expected["attacks"]
    from kg.publishing.remote import RemoteEngine

    remote = extra_rows(project, RemoteEngine(virtuoso.sparql_url, credentials=None))
    local = extra_rows(project, open_engine(project))
    assert [c for c, a, b in zip(EXTRA_CASES, remote, local, strict=True) if a != b] == []
