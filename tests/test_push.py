"""`kg push`: the payload, the store URLs, and against a real Virtuoso (tests marked virtuoso,
the session's private instance from tests/virtuoso.py): both methods, then every catalogue query
and `kg attacks --endpoint` answer as the embedded store; an interrupted push leaves the graph as
it was; wrong credentials and an unreachable endpoint are one clear line, exit 2; the password
never appears in any output."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import subprocess
import sys

import pytest

from kg.catalogue import catalogue
from kg.errors import EndpointError, KgError
from kg.params import bind
from kg.publishing.client import Credentials
from kg.publishing.payload import Payload, triple_line
from kg.publishing.push import DEFAULT_GRAPH, push, staging_graph
from kg.publishing.remote import RemoteEngine
from kg.publishing.targets import target_for
from kg.query import open_engine, resolver
from tests.conftest import REPO
from tests.query_fixture import rows
from tests.test_remote import PASSWORD, SAMPLES, closed_port

PARIS_2022 = ["attacks", "--near", "Paris", "--radius", "50", "--year", "2022"]
# Beyond SAMPLES: the cases docs/virtuoso.md found to differ (region: a VALUES variable inside
# EXISTS with a `+` path) and the other parameters of `attacks`.
EXTRA_CASES = [
    ("attacks", {"region": "Île-de-France"}),
    ("attacks", {"region": "Grand Est"}),
    ("attacks", {"actor": "LockBit", "min_certainty": "claimed"}),
    ("attacks", {"near": "Paris", "radius_km": "50", "from": "2022", "to": "2022"}),
    ("attacks", {"kind": "ransomware", "region": "53"}),
    ("attacks", {"impact": "data-published"}),
    ("incidents-in-region", {"region": "Grand Est"}),
    ("find-incidents", {"text": "CHU"}),
]


# --- without a store -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "triple"),
    [
        (b"<s> <p> <o> <g> .\n", b"<s> <p> <o> .\n"),
        (b"<s> <p> <o> .\n", b"<s> <p> <o> .\n"),
        (b'<s> <p> "a \\" <x> b" <g> .\n', b'<s> <p> "a \\" <x> b" .\n'),
        (b'<s> <p> "a b"@fr-FR <g> .\n', b'<s> <p> "a b"@fr-FR .\n'),
        (
            b'<s>\t<p>\t"1"^^<http://www.w3.org/2001/XMLSchema#integer>\t<g>\t.\n',
            b'<s> <p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
        ),
        (b'<s> <p> "x" .\n', b'<s> <p> "x" .\n'),
        (b"# a comment\n", None),
        (b"\n", None),
    ],
)
def test_a_quad_line_becomes_its_triple(line, triple):
    assert triple_line(line) == triple


def test_the_payload_counts_a_triple_of_several_graphs_once(tmp_path):
    source = tmp_path / "dataset.nq"
    source.write_text(
        '<http://a> <http://p> "P4D"^^<http://www.w3.org/2001/XMLSchema#duration> <http://g1> .\n'
        "<http://a> <http://q> <http://b> <http://g1> .\n"
        "<http://a> <http://q> <http://b> <http://g2> .\n"
    )
    payload = Payload([source])
    pieces = list(payload.pieces(2))
    assert [len(p) for p in pieces] == [2, 1]
    assert (payload.lines, payload.distinct, payload.durations) == (3, 2, 1)


def test_a_blank_node_is_refused(tmp_path):
    source = tmp_path / "dataset.nq"
    source.write_text(
        '<http://a> <http://p> "_:not a node" <http://g> .\n_:b1 <http://p> "x" <http://g> .\n'
    )
    with pytest.raises(KgError) as error:
        list(Payload([source]).pieces(10))
    assert str(error.value).startswith(
        f"{source}:2: a blank node (kg push sends the build in pieces"
    )


@pytest.mark.parametrize(
    ("endpoint", "server", "expected"),
    [
        (
            "http://h:8890/sparql",
            "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu",
            (
                "virtuoso",
                "http://h:8890/sparql",
                "http://h:8890/sparql-auth",
                "http://h:8890/sparql-graph-crud-auth",
            ),
        ),
        (
            "http://h:3030/kg/sparql",
            "Apache Jena Fuseki (5.1.0)",
            (
                "fuseki",
                "http://h:3030/kg/sparql",
                "http://h:3030/kg/update",
                "http://h:3030/kg/data",
            ),
        ),
        (
            "http://h:7200/repositories/kg",
            "",
            (
                "graphdb",
                "http://h:7200/repositories/kg",
                "http://h:7200/repositories/kg/statements",
                "http://h:7200/repositories/kg/rdf-graphs/service",
            ),
        ),
        ("http://h/query", "nginx", ("sparql", "http://h/query", "http://h/query", None)),
        (
            "http://h/sparql",
            "",
            (
                "virtuoso",
                "http://h/sparql",
                "http://h/sparql-auth",
                "http://h/sparql-graph-crud-auth",
            ),
        ),
    ],
)
def test_the_store_urls_are_derived_from_the_endpoint(endpoint, server, expected):
    target = target_for(endpoint, server)
    assert (target.store, target.query_url, target.update_url, target.gsp_url) == expected


def test_a_gsp_push_to_an_unknown_store_needs_the_gsp_url():
    with pytest.raises(EndpointError, match="give it with --gsp-url, or push with --method update"):
        target_for("http://h/query", "nginx").gsp(DEFAULT_GRAPH)
    explicit = target_for("http://h/query", "nginx", "http://h/store")
    assert explicit.gsp(DEFAULT_GRAPH) == (
        "http://h/store?graph=https%3A%2F%2Fw3id.org%2Fhospital-cyber-kg%2Fgraph%2Fall"
    )


def kg_push(cli, project, *args: str, env: dict[str, str] | None = None):
    """`kg push` in-process with KG_SPARQL_* set as given (and unset otherwise)."""
    keys = ("KG_SPARQL_USER", "KG_SPARQL_PASSWORD")
    saved = {k: os.environ.pop(k, None) for k in keys}
    os.environ.update(env or {})
    try:
        return cli("push", *args, project=project)
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value


def test_an_unreachable_endpoint_exits_2_with_one_line(cli, project, built):
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    env = {"KG_SPARQL_USER": "dba", "KG_SPARQL_PASSWORD": PASSWORD}
    result = kg_push(cli, project, "--endpoint", url, env=env)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"error: cannot reach {url}: [Errno 111] Connection refused "
        "(check the URL and that the server is running)\n"
    )


def test_a_url_with_a_password_is_refused_without_repeating_it(cli, project, built):
    result = kg_push(cli, project, "--endpoint", f"http://dba:{PASSWORD}@127.0.0.1:1/sparql")
    assert result.exit_code == 2 and PASSWORD not in result.stderr + result.stdout
    assert result.stderr.startswith("error: --endpoint holds credentials (user:password@host)")


@pytest.mark.parametrize(
    ("method", "batch", "message"),
    [
        ("update", "2001", "--batch 2001 is out of range for --method update (from 1 to 2000)"),
        ("gsp", "0", "--batch 0 is out of range for --method gsp (from 1 to 100000)"),
        ("ftp", "10", "unknown push method 'ftp' (gsp, update or bulk)"),
    ],
)
def test_a_bad_method_or_batch_is_refused(cli, project, built, method, batch, message):
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    result = kg_push(cli, project, "--endpoint", url, "--method", method, "--batch", batch)
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")


# --- against Virtuoso ------------------------------------------------------------------------


def credentials_of(virtuoso) -> Credentials:
    return Credentials(virtuoso.user, virtuoso.password)


def embedded_rows(project) -> dict[str, list[tuple[str, ...]]]:
    engine = open_engine(project)
    out = {}
    for name, query in catalogue(REPO / "queries").items():
        bindings = bind(query, SAMPLES.get(name, {}), resolver(project, engine))
        out[name] = rows(engine.select(query.text, bindings))
    return out


def remote_rows(project, endpoint: str) -> dict[str, list[tuple[str, ...]]]:
    engine, embedded = RemoteEngine(endpoint, credentials=None), open_engine(project)
    out = {}
    for name, query in catalogue(REPO / "queries").items():
        bindings = bind(query, SAMPLES.get(name, {}), resolver(project, embedded))
        out[name] = rows(engine.select(query.text, bindings))
    return out


def extra_rows(project, engine) -> list[list[tuple[str, ...]]]:
    embedded, queries = open_engine(project), catalogue(REPO / "queries")
    out = []
    for name, given in EXTRA_CASES:
        bindings = bind(queries[name], given, resolver(project, embedded))
        out.append(rows(engine.select(queries[name].text, bindings)))
    return out


@pytest.mark.virtuoso
@pytest.mark.parametrize("method", ["gsp", "update"])
def test_every_catalogue_query_answers_on_virtuoso_as_embedded(virtuoso, project, built, method):
    report = push(
        built,
        virtuoso.sparql_url,
        method=method,
        batch=None if method == "gsp" else 500,
        credentials=credentials_of(virtuoso),
    )
    assert report.triples == built.manifest["triples"]
    assert (
        RemoteEngine(virtuoso.sparql_url, credentials=None).count(DEFAULT_GRAPH) == report.triples
    )
    assert (
        RemoteEngine(virtuoso.sparql_url, credentials=None).count(staging_graph(DEFAULT_GRAPH)) == 0
    )
    expected = embedded_rows(project)
    restricted = f"{virtuoso.sparql_url}?default-graph-uri={DEFAULT_GRAPH}"
    for endpoint in (virtuoso.sparql_url, restricted):
        found = remote_rows(project, endpoint)
        assert {n: r for n, r in found.items() if r != expected[n]} == {}, endpoint
    remote = extra_rows(project, RemoteEngine(virtuoso.sparql_url, credentials=None))
    local = extra_rows(project, open_engine(project))
    assert all(local), "each extra case has rows"
    assert [c for c, a, b in zip(EXTRA_CASES, remote, local, strict=True) if a != b] == []


@pytest.mark.virtuoso
def test_kg_attacks_near_paris_on_virtuoso_gives_the_embedded_rows(virtuoso, cli, project, built):
    push(built, virtuoso.sparql_url, credentials=credentials_of(virtuoso))
    embedded = cli(*PARIS_2022, "--format", "csv", project=project)
    remote = cli(*PARIS_2022, "--format", "csv", "--endpoint", virtuoso.sparql_url, project=project)
    assert remote.exit_code == 0, remote.stderr
    assert remote.stdout == embedded.stdout
    found = list(csv.DictReader(io.StringIO(remote.stdout)))
    assert len(found) >= 2 and all(float(r["distance_km"]) <= 50 for r in found)


@pytest.mark.virtuoso
def test_the_cli_push_reports_counts_and_the_known_virtuoso_losses(virtuoso, cli, project, built):
    push(built, virtuoso.sparql_url, credentials=credentials_of(virtuoso))
    env = {"KG_SPARQL_USER": virtuoso.user, "KG_SPARQL_PASSWORD": virtuoso.password}
    result = kg_push(cli, project, "--endpoint", virtuoso.sparql_url, "--method", "update", env=env)
    assert result.exit_code == 0, result.stderr
    triples, pieces = built.manifest["triples"], -(-built.manifest["triples"] // 1000)
    assert result.stdout.startswith(
        f"pushed {triples} triples to <{DEFAULT_GRAPH}> by update "
        f"({pieces} pieces; it held {triples} before)\n"
    )
    payload = Payload.of(built)
    list(payload.triples())
    assert payload.durations == 0  # durations are OWL-Time nodes (kg.durations), no literal
    assert "xsd:duration literal(s)" not in result.stderr
    assert "staging <" in result.stderr  # progress


def one_attack_row(virtuoso, project) -> list[tuple[str, ...]]:
    from kg.query import run_query

    engine = RemoteEngine(virtuoso.sparql_url, credentials=None)
    return rows(run_query(project, "attacks", {"actor": "LockBit"}, engine).table)  # type: ignore[arg-type]


@pytest.mark.virtuoso
def test_a_failure_midway_leaves_the_graph_as_it_was(virtuoso, project, built):
    push(built, virtuoso.sparql_url, credentials=credentials_of(virtuoso))
    before = one_attack_row(virtuoso, project)

    def fail_after_three(pieces: int, triples: int) -> None:
        if pieces == 3:
            raise ConnectionResetError("injected after 3 pieces")

    with pytest.raises(ConnectionResetError):
        push(
            built,
            virtuoso.sparql_url,
            batch=1000,
            credentials=credentials_of(virtuoso),
            on_piece=fail_after_three,
        )
    reader = RemoteEngine(virtuoso.sparql_url, credentials=None)
    assert reader.count(DEFAULT_GRAPH) == built.manifest["triples"]
    assert reader.count(staging_graph(DEFAULT_GRAPH)) == 0  # dropped on the way out
    assert one_attack_row(virtuoso, project) == before


@pytest.mark.virtuoso
def test_a_killed_push_leaves_the_graph_as_it_was(virtuoso, project, built):
    push(built, virtuoso.sparql_url, credentials=credentials_of(virtuoso))
    before = one_attack_row(virtuoso, project)
    command = [
        sys.executable,
        "-c",
        "from kg.cli.main import app; app()",
        "--root",
        str(project.root),
        "--home",
        str(project.home),
        "push",
        "--endpoint",
        virtuoso.sparql_url,
        "--method",
        "update",
        "--batch",
        "50",
    ]
    env = {**os.environ, "KG_SPARQL_USER": virtuoso.user, "KG_SPARQL_PASSWORD": virtuoso.password}
    process = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if ": piece 10," in line:
            process.kill()  # SIGKILL: no clean-up at all
            break
    process.wait(30)
    assert process.returncode == -9
    reader = RemoteEngine(virtuoso.sparql_url, credentials=None)
    assert reader.count(DEFAULT_GRAPH) == built.manifest["triples"]
    assert 0 < reader.count(staging_graph(DEFAULT_GRAPH)) < built.manifest["triples"]
    assert one_attack_row(virtuoso, project) == before
    push(built, virtuoso.sparql_url, credentials=credentials_of(virtuoso))  # cleans up
    assert reader.count(staging_graph(DEFAULT_GRAPH)) == 0


@pytest.mark.virtuoso
def test_wrong_credentials_exit_2_and_never_show_the_password(virtuoso, cli, project, built):
    env = {"KG_SPARQL_USER": virtuoso.user, "KG_SPARQL_PASSWORD": PASSWORD}
    result = kg_push(cli, project, "--endpoint", virtuoso.sparql_url, env=env)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"error: {virtuoso.sparql_auth_url} refused the credentials of user '{virtuoso.user}' "
        "(HTTP 401) (check KG_SPARQL_USER and KG_SPARQL_PASSWORD)\n"
    )
    missing = kg_push(cli, project, "--endpoint", virtuoso.sparql_url)
    assert missing.exit_code == 2
    assert missing.stderr == (
        f"error: {virtuoso.sparql_auth_url} asks for credentials (HTTP 401) "
        "(set KG_SPARQL_USER and KG_SPARQL_PASSWORD)\n"
    )


@pytest.mark.virtuoso
def test_the_password_appears_in_no_output(virtuoso, cli, project, built):
    """Success, refusal, unreachable store, bad URL, a query with the variables set: none of
    their outputs holds the password (here a real one: the store accepts it)."""
    secret = "kg-" + PASSWORD
    virtuoso.isql(f"USER_SET_PASSWORD('{virtuoso.user}', '{secret}');")
    try:
        env = {"KG_SPARQL_USER": virtuoso.user, "KG_SPARQL_PASSWORD": secret}
        outputs = [
            kg_push(cli, project, "--endpoint", virtuoso.sparql_url, env=env),
            kg_push(cli, project, "--endpoint", virtuoso.sparql_url, "--method", "update", env=env),
            kg_push(
                cli,
                project,
                "--endpoint",
                virtuoso.sparql_url,
                "--gsp-url",
                f"{virtuoso.base_url}/sparql-graph-crud",
                env=env,
            ),
            kg_push(
                cli, project, "--endpoint", f"http://127.0.0.1:{closed_port()}/sparql", env=env
            ),
            kg_push(
                cli, project, "--endpoint", virtuoso.sparql_url, "--graph", "not an iri>", env=env
            ),
        ]
        os.environ.update(env)
        try:
            outputs.append(
                cli(*PARIS_2022, "--endpoint", virtuoso.sparql_auth_url, project=project)
            )
        finally:
            for key in env:
                os.environ.pop(key)
    finally:
        changed = dataclasses.replace(virtuoso, password=secret)
        changed.isql(f"USER_SET_PASSWORD('{virtuoso.user}', '{virtuoso.password}');")
    assert [r.exit_code for r in outputs] == [0, 0, 2, 2, 2, 0]
    for result in outputs:
        assert secret not in result.stdout + result.stderr
