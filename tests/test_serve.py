"""`kg serve`: the SPARQL 1.1 Protocol endpoint over the embedded store, with SPARQLWrapper as
the client, against servers started in a thread on a free loopback port."""

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.catalogue import catalogue
from kg.errors import EndpointError
from kg.exporting.rdf import DATASET, VOID
from kg.publishing.remote import RemoteEngine
from kg.publishing.serve import Server, make_server, negotiate
from kg.query import open_engine, resolver
from tests.conftest import REPO
from tests.query_fixture import rows
from tests.test_attacks import CHSF

HCK = "https://w3id.org/hospital-cyber-kg/ontology#"
INCIDENTS = f"SELECT ?i WHERE {{ ?i a <{HCK}Incident> }} ORDER BY ?i"
# Every triple times every incident: ~7M rows, about a second on the default build (with the
# register's hospitals; every triple times every typed node would run for minutes and keep the
# server's worker busy after the deadline).
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . "
    "?d a <https://w3id.org/hospital-cyber-kg/ontology#Incident> }"
)


def start(server: Server) -> Iterator[Server]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def server(project, built) -> Iterator[Server]:
    yield from start(make_server(project, port=0, timeout=60, max_rows=100_000))


@pytest.fixture(scope="module")
def strict(project, built) -> Iterator[Server]:
    """A server with a short deadline and a small row limit."""
    yield from start(make_server(project, port=0, timeout=0.2, max_rows=16))


def client(server: Server, query: str, fmt: str = JSON, method: str = "GET") -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


def raw(server: Server, query: str, accept: str) -> tuple[int, Any, bytes]:
    # The Accept header set here is what is sent; the return format only keeps SPARQLWrapper
    # from warning that JSON does not suit a CONSTRUCT.
    graph_form = query.lstrip().startswith(("CONSTRUCT", "DESCRIBE"))
    sparql = client(server, query, TURTLE if graph_form else JSON)
    sparql.setOnlyConneg(True)
    sparql.addCustomHttpHeader("Accept", accept)
    try:
        response = sparql.query().response
        return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_it_listens_on_loopback_by_default(server):
    assert server.server_address[0] == "127.0.0.1"
    assert server.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("method", ["GET", POST])
def test_select_in_json_and_xml(server, built, method):
    answer = client(server, INCIDENTS, JSON, method).query().convert()
    incidents = [b["i"]["value"] for b in answer["results"]["bindings"]]  # type: ignore[index]
    expected = built.manifest["classes"]["https://w3id.org/hospital-cyber-kg/ontology#Incident"]
    assert len(incidents) == expected and any(i.endswith(CHSF) for i in incidents)
    document = client(server, INCIDENTS, XML, method).query().convert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]  # type: ignore[union-attr]
    assert uris == incidents


def test_select_in_csv_and_tsv(server):
    text = client(server, INCIDENTS + " LIMIT 2", CSV).query().convert().decode()  # type: ignore[union-attr]
    assert text.startswith("i\r\nhttps://w3id.org/hospital-cyber-kg/id/incident/")
    assert len(list(csv.reader(io.StringIO(text)))) == 3
    query = (
        f"SELECT ?i ?d WHERE {{ ?i a <{HCK}Incident> ; <{HCK}startDate> ?d }} ORDER BY ?i LIMIT 1"
    )
    lines = client(server, query, TSV).query().convert().decode().splitlines()  # type: ignore[union-attr]
    assert lines[0] == "?i\t?d"
    iri, date = lines[1].split("\t")
    assert iri.startswith("<https://w3id.org/") and date.startswith('"2') and "^^<" in date


def test_ask(server):
    query = f"ASK {{ ?i a <{HCK}Incident> }}"
    assert client(server, query, JSON).query().convert() == {"head": {}, "boolean": True}
    document = client(server, query.replace("Incident", "Nothing"), XML).query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "false"  # type: ignore[union-attr]


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples"])
def test_construct_and_describe(server, accept):
    lockbit = "https://w3id.org/hospital-cyber-kg/id/actor/lockbit"
    for query in (
        f"CONSTRUCT {{ <{lockbit}> ?p ?o }} WHERE {{ <{lockbit}> ?p ?o }}",
        f"DESCRIBE <{lockbit}>",
    ):
        status, headers, body = raw(server, query, accept)
        assert status == 200 and headers["Content-Type"].startswith(accept)
        g = Graph().parse(data=body.decode(), format="turtle" if "turtle" in accept else "nt")
        assert (URIRef(lockbit), None, None) in g and len(g) > 3
    answer = client(server, f"DESCRIBE <{lockbit}>", TURTLE).query().convert()
    assert b"LockBit" in answer  # type: ignore[operator]


def test_an_unacceptable_format_is_406(server):
    status, _, body = raw(server, INCIDENTS, "application/rdf+xml")
    assert status == 406
    assert body.decode().startswith("no acceptable format; this query can give: application/")


def test_updates_are_refused(server):
    update = client(server, "INSERT DATA { <http://a> <http://b> <http://c> }", JSON, POST)
    with pytest.raises(urllib.error.HTTPError) as refused:
        update.query()
    assert refused.value.code == 403
    assert refused.value.read() == b"this endpoint is read-only: SPARQL Update is refused\n"
    for body, kind in (
        (b"DROP ALL", "application/sparql-update"),
        (b"query=DELETE+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D", "application/x-www-form-urlencoded"),
    ):
        request = urllib.request.Request(server.url, body, {"Content-Type": kind})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request)
        assert refused.value.code == 403
    assert client(server, "ASK { ?s ?p ?o }").query().convert()["boolean"] is True  # type: ignore[index]


def test_a_bad_query_is_400_with_the_parser_message(server):
    with pytest.raises(QueryBadFormed) as bad:
        client(server, "SELECT ?x WHERE { ?x ?p }").query()
    assert "SPARQL syntax: error at 1:" in str(bad.value)


def test_a_query_past_the_deadline_is_503(strict):
    status, _, body = raw(strict, SLOW, "application/sparql-results+json")
    assert status == 503
    assert body == b"the query ran past the time limit of 0.2 s and was stopped\n"
    assert raw(strict, "ASK {}", "application/sparql-results+json")[0] == 200


def test_a_long_answer_is_cut_with_a_header(strict):
    status, headers, body = raw(
        strict, "SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json"
    )
    assert status == 200 and headers["X-SPARQL-MaxRows"] == "16"
    assert len(json.loads(body)["results"]["bindings"]) == 16
    status, headers, body = raw(strict, "SELECT * WHERE { ?s ?p ?o } LIMIT 16", "text/csv")
    assert status == 200 and "X-SPARQL-MaxRows" not in headers and body.count(b"\r\n") == 17


def test_remote_engine_tells_a_cut_answer_from_a_complete_one(strict):
    engine = RemoteEngine(strict.url)
    assert len(engine.select("SELECT * WHERE { ?s ?p ?o } LIMIT 16", {}).rows) == 16
    with pytest.raises(EndpointError) as cut:
        engine.select("SELECT * WHERE { ?s ?p ?o }", {})
    assert str(cut.value) == (
        f"{strict.url} cut the answer at 16 rows (raise the server's result limit "
        "(Virtuoso: ResultSetMaxRows) or add LIMIT)"
    )


def test_default_graph_uri_restricts_the_default_graph(server, built):
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a <{HCK}Incident> }}"
    graph = "https://w3id.org/hospital-cyber-kg/graph/incidents"
    only = RemoteEngine(f"{server.url}?default-graph-uri={graph}")
    elsewhere = RemoteEngine(f"{server.url}?default-graph-uri={graph.replace('incidents', 'ght')}")
    expected = built.manifest["classes"][f"{HCK}Incident"]
    assert str(only.select(count, {}).rows[0]["n"]) == str(expected)
    assert str(elsewhere.select(count, {}).rows[0]["n"]) == "0"


def test_a_port_in_use_is_one_clear_error(cli, project, built, server):
    port = server.server_address[1]
    result = cli("serve", "--port", str(port), project=project)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")


def test_void_names_the_endpoint(server, built):
    with urllib.request.urlopen(server.url.replace("/sparql", "/void")) as answer:
        assert answer.headers["Content-Type"].startswith("text/turtle")
        g = Graph().parse(data=answer.read().decode(), format="turtle")
    assert g.value(DATASET, VOID.sparqlEndpoint) == URIRef(server.url)
    assert int(g.value(DATASET, VOID.triples)) == built.manifest["triples"]


def test_every_catalogue_query_answers_as_the_embedded_store(server, project):
    from kg.params import bind
    from tests.test_remote import SAMPLES

    embedded, remote = open_engine(project), RemoteEngine(server.url)
    for name, query in catalogue(REPO / "queries").items():
        bindings = bind(query, SAMPLES.get(name, {}), resolver(project, embedded))
        assert rows(remote.select(query.text, bindings)) == rows(
            embedded.select(query.text, bindings)
        ), name


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("", "json"),
        ("*/*", "json"),
        ("text/csv;q=0.5, application/sparql-results+xml", "xml"),
        ("text/*", "csv"),
        ("application/rdf+xml", None),
        ("text/csv;q=0", None),
    ],
)
def test_negotiation(accept, expected):
    from kg.publishing.serve import TABLE_TYPES

    assert negotiate(accept, TABLE_TYPES, "json") == expected
