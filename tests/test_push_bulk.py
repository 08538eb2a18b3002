"""`kg push --method bulk`: Virtuoso's bulk loader and a graph group (kg.publishing.bulk).

Against the session's private Virtuoso (its folder is in its DirsAllowed, so a folder inside it is
the load folder): the catalogue answers as embedded through the group, a second push moves to
the other slot and clears the first, readers counting the graph during pushes only ever see a
whole build, a graph holding plain triples is refused, a failure midway leaves the published
graph as it was; without a store: what --method bulk refuses before anything is sent."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kg.errors import EndpointError
from kg.publishing.bulk import REGISTRY_PREFIX, check_bulk, slot_graph
from kg.publishing.client import Credentials
from kg.publishing.push import push
from kg.publishing.remote import RemoteEngine
from kg.store import build
from tests.test_push import embedded_rows, kg_push, remote_rows

# --- without a store -------------------------------------------------------------------------


def test_bulk_needs_virtuoso_and_a_load_folder(tmp_path):
    with pytest.raises(EndpointError, match="--method bulk needs Virtuoso"):
        check_bulk("https://example.org/g", tmp_path, "fuseki")
    with pytest.raises(EndpointError, match="--method bulk needs --load-dir"):
        check_bulk("https://example.org/g", None, "virtuoso")
    with pytest.raises(EndpointError, match="no such folder"):
        check_bulk("https://example.org/g", tmp_path / "missing", "virtuoso")
    with pytest.raises(EndpointError, match="holds a quote or a backslash"):
        check_bulk("https://example.org/it's", tmp_path, "virtuoso")
    quoted = tmp_path / "a'b"
    quoted.mkdir()
    with pytest.raises(EndpointError, match="holds a quote, a backslash or a control character"):
        check_bulk("https://example.org/g", quoted, "virtuoso")
    assert check_bulk("https://example.org/g", tmp_path, "virtuoso") == tmp_path.resolve()


# --- against Virtuoso ------------------------------------------------------------------------


@pytest.fixture
def load_dir(virtuoso) -> Path:
    if virtuoso.folder is None:
        pytest.skip("an external Virtuoso: no load folder known in its DirsAllowed")
    folder = virtuoso.folder / "load"
    folder.mkdir(exist_ok=True)
    return folder


def bulk(built_, virtuoso, graph: str, load_dir: Path, **options):
    credentials = Credentials(virtuoso.user, virtuoso.password)
    return push(
        built_,
        virtuoso.sparql_url,
        graph,
        "bulk",
        credentials=credentials,
        load_dir=load_dir,
        **options,
    )


def published(virtuoso, graph: str) -> int:
    engine = RemoteEngine(f"{virtuoso.sparql_url}?default-graph-uri={graph}", credentials=None)
    table = engine.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {})
    return int(str(table.rows[0]["n"]))


def live_slot(virtuoso, graph: str) -> str:
    return virtuoso.isql(f"select registry_get('{REGISTRY_PREFIX}{graph}');").strip()


@pytest.mark.virtuoso
def test_a_bulk_push_publishes_the_build_as_a_group(virtuoso, project, built, load_dir):
    graph = "https://example.org/kg-test/bulk-catalogue"
    report = bulk(built, virtuoso, graph, load_dir)
    assert (report.method, report.triples, report.previous) == (
        "bulk",
        built.manifest["triples"],
        0,
    )
    assert published(virtuoso, graph) == report.triples
    reader = RemoteEngine(virtuoso.sparql_url, credentials=None)
    assert reader.count(slot_graph(graph, "blue")) == report.triples
    assert live_slot(virtuoso, graph) == "blue"
    assert list(load_dir.glob("kg-push-*")) == []  # the file is removed
    expected = embedded_rows(project)
    found = remote_rows(project, f"{virtuoso.sparql_url}?default-graph-uri={graph}")
    assert {n: r for n, r in found.items() if r != expected[n]} == {}
    again = bulk(built, virtuoso, graph, load_dir)
    assert again.previous == report.triples
    assert live_slot(virtuoso, graph) == "green"
    assert reader.count(slot_graph(graph, "green")) == report.triples
    assert reader.count(slot_graph(graph, "blue")) == 0  # the previous build is cleared
    assert published(virtuoso, graph) == report.triples


@pytest.mark.virtuoso
def test_readers_see_one_whole_build_or_the_other(virtuoso, built, project_copy, load_dir):
    """Pushes of two builds of different sizes, one after the other, while readers count the
    published graph: every count is one build's."""
    graph = "https://example.org/kg-test/bulk-readers"
    small = build(project_copy)  # the curated sites only
    sizes = {built.manifest["triples"], small.manifest["triples"]}
    assert len(sizes) == 2
    bulk(built, virtuoso, graph, load_dir)
    seen: list[int] = []
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(published(virtuoso, graph))
            except EndpointError as exc:
                errors.append(str(exc))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        for found in (small, built, small):
            bulk(found, virtuoso, graph, load_dir)
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    # Known and not understood (docs/publishing.md): under load, Virtuoso 7.2 sometimes answers a
    # reader's /sparql with HTTP 404 "File not found" during a bulk push. Any other error fails.
    assert [e for e in errors if "HTTP/1.1 404 File not found" not in e] == []
    assert seen and set(seen) <= sizes, sorted(set(seen) - sizes)
    assert published(virtuoso, graph) == small.manifest["triples"]


@pytest.mark.virtuoso
def test_a_graph_of_plain_triples_is_refused(virtuoso, cli, project, built, load_dir):
    graph = "https://example.org/kg-test/bulk-plain"
    credentials = Credentials(virtuoso.user, virtuoso.password)
    push(built, virtuoso.sparql_url, graph, "gsp", credentials=credentials)
    env = {"KG_SPARQL_USER": virtuoso.user, "KG_SPARQL_PASSWORD": virtuoso.password}
    result = kg_push(
        cli,
        project,
        "--endpoint",
        virtuoso.sparql_url,
        "--graph",
        graph,
        "--method",
        "bulk",
        "--load-dir",
        str(load_dir),
        env=env,
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: <{graph}> holds triples as a plain graph")
    assert f"drop it first (DROP GRAPH <{graph}>)" in result.stderr
    reader = RemoteEngine(virtuoso.sparql_url, credentials=None)
    assert reader.count(slot_graph(graph, "blue")) == 0
    virtuoso.isql(f"SPARQL CLEAR GRAPH <{graph}>;")


@pytest.mark.virtuoso
def test_a_failure_midway_leaves_the_published_graph(virtuoso, built, project_copy, load_dir):
    graph = "https://example.org/kg-test/bulk-failure"
    first = bulk(built, virtuoso, graph, load_dir)
    small = build(project_copy)

    def fail(pieces: int, _done: int) -> None:
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        bulk(small, virtuoso, graph, load_dir, on_piece=fail)
    assert published(virtuoso, graph) == first.triples
    assert live_slot(virtuoso, graph) == "blue"
    reader = RemoteEngine(virtuoso.sparql_url, credentials=None)
    assert reader.count(slot_graph(graph, "green")) == 0
    assert list(load_dir.glob("kg-push-*")) == []
    assert bulk(small, virtuoso, graph, load_dir).previous == first.triples
    assert published(virtuoso, graph) == small.manifest["triples"]
