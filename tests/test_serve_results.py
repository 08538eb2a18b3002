"""kg serve's SELECT answers written from Oxigraph's terms (kg.publishing.serve_results): each
format read back by rdflib's own result parsers gives the rows of the embedded engine, values
that need escaping included, and the row limit cuts at exactly N rows."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.query import Result

from kg.engines import _from_ox
from kg.publishing.serve_results import write_rows

XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "https://example.org/"
AWKWARD = 'a "quoted", comma\nnew line\ttab <tag> & é ✓ \\ back'
OBJECTS = [
    ox.NamedNode(EX + "x?a=1&b=%3C2%3E"),
    ox.BlankNode("b0"),
    ox.Literal(AWKWARD),
    ox.Literal("hôpital", language="fr"),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("12.5", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("2022-12-03", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("2022-12", datatype=ox.NamedNode(XSD + "gYearMonth")),
]
QUERY = f"SELECT ?s ?o ?missing WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for i, o in enumerate(OBJECTS):
        s.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), o))
    return s


def expected(store: ox.Store) -> list[dict[str, object]]:
    return [{"s": _from_ox(r["s"]), "o": _from_ox(r["o"])} for r in store.query(QUERY)]


def read_back(body: bytes, fmt: str) -> list[dict[str, object]]:
    result = Result.parse(io.BytesIO(body), format=fmt)
    return [{str(k): v for k, v in row.asdict().items()} for row in result]


def _same(term: object) -> object:
    # rdflib gives a blank node a fresh label on parsing: compare kinds only
    return "bnode" if isinstance(term, BNode) else term


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_each_format_reads_back_as_the_embedded_rows(store, fmt):
    body, cut = write_rows(store.query(QUERY), fmt, 100)
    assert not cut
    got = [{k: _same(v) for k, v in row.items()} for row in read_back(body, fmt)]
    assert got == [{k: _same(v) for k, v in row.items()} for row in expected(store)]


def test_csv_holds_the_plain_values(store):
    body, _ = write_rows(store.query(QUERY), "csv", 100)
    assert body.startswith(b"s,o,missing\r\n")
    got = read_back(body, "csv")
    assert [str(r["o"]) for r in got] == [
        "_:b0" if isinstance(r["o"], BNode) else str(r["o"]) for r in expected(store)
    ]
    assert all("missing" not in r for r in got)


def test_json_is_sparql_json_with_implicit_string_datatype(store):
    answer = json.loads(write_rows(store.query(QUERY), "json", 100)[0])
    assert answer["head"]["vars"] == ["s", "o", "missing"]
    values = {b["s"]["value"].rsplit("/", 1)[1]: b["o"] for b in answer["results"]["bindings"]}
    assert values["s2"] == {"type": "literal", "value": AWKWARD}
    assert values["s3"] == {"type": "literal", "value": "hôpital", "xml:lang": "fr"}
    assert values["s4"] == {"type": "literal", "value": "42", "datatype": XSD + "integer"}
    assert values["s0"] == {"type": "uri", "value": EX + "x?a=1&b=%3C2%3E"}
    assert values["s1"]["type"] == "bnode"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_the_row_limit_cuts_at_exactly_n_rows(store, fmt):
    body, cut = write_rows(store.query(QUERY), fmt, 3)
    assert cut and len(read_back(body, fmt)) == 3
    body, cut = write_rows(store.query(QUERY), fmt, len(OBJECTS))
    assert not cut and len(read_back(body, fmt)) == len(OBJECTS)


def test_no_row_is_an_empty_answer(store):
    empty = f"SELECT ?s WHERE {{ ?s <{EX}none> ?o }}"
    for fmt in ("json", "xml", "csv", "tsv"):
        body, cut = write_rows(store.query(empty), fmt, 10)
        assert not cut and read_back(body, fmt) == []


def test_uris_are_uris(store):
    rows = read_back(write_rows(store.query(QUERY), "xml", 100)[0], "xml")
    assert rows[0]["s"] == URIRef(EX + "s0") and isinstance(rows[2]["o"], Literal)
