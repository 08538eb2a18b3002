"""Answers serialised by the store (kg.answers) are the answers of the rows path (kg.engines +
kg.output): byte for byte in kg's CSV and TSV, the same results in SPARQL JSON and XML, on
every catalogue query of the fixture and on values that need quoting."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kg.answers import store_answer
from kg.catalogue import catalogue
from kg.engines import OxigraphEngine, split_order
from kg.geo import Gazetteer
from kg.output import render
from kg.params import Resolver, bind
from kg.query import execute
from tests.query_fixture import engines
from tests.test_queries import CASES

REPO = Path(__file__).resolve().parent.parent
QUERIES = catalogue(REPO / "queries")
FORMATS = ["csv", "tsv", "sparql-json", "sparql-xml"]
SPARQL_XML = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def engine():
    return engines(REPO)["oxigraph"]


def rows_path(engine, text: str, bindings, fmt: str) -> str:
    answer = execute(engine, text, bindings)
    assert answer.table is not None
    return render(answer.table, fmt)


def same(native: str, expected: str, fmt: str, ordered: bool = True) -> None:
    """The same answer; not `ordered`: the same rows in any order (a query without ORDER BY
    may give its rows in another order each time it runs)."""
    if fmt in ("csv", "tsv"):
        found, wanted = native.split("\n"), expected.split("\n")
    elif fmt == "sparql-json":
        found, wanted = json.loads(native), json.loads(expected)
        found = [found["head"], *found["results"]["bindings"]]
        wanted = [wanted["head"], *wanted["results"]["bindings"]]
    else:
        (names, found), (names_wanted, wanted) = xml_results(native), xml_results(expected)
        assert names == names_wanted
    if not ordered:
        found, wanted = sorted(map(repr, found)), sorted(map(repr, wanted))
    assert found == wanted


def xml_results(text: str) -> tuple[list[str | None], list[list[tuple]]]:
    root = ET.fromstring(text)
    names = [v.get("name") for v in root.iter(f"{SPARQL_XML}variable")]
    results = []
    for result in root.iter(f"{SPARQL_XML}result"):
        cells = []
        for binding in result:
            term = binding[0]
            attributes = sorted(term.attrib.items())
            cells.append((binding.get("name"), term.tag, term.text or "", attributes))
        results.append(cells)
    return names, results


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("name", "given"), [(n, g) for n, g, _ in CASES])
def test_each_catalogue_answer_is_the_same_from_the_store(engine, name, given, fmt):
    query = QUERIES[name]
    gazetteer = REPO / "data" / "gazetteer"
    resolver = Resolver(gazetteer=lambda: Gazetteer.load(gazetteer), engine=engine)
    bindings = bind(query, given, resolver)
    text = query.text
    ordered = split_order(text)
    if ordered is not None and fmt not in ("csv", "tsv"):  # sorted by kg, on the rows path
        assert store_answer(engine, text, bindings, fmt) is None
        text = ordered[0]
    found = store_answer(engine, text, bindings, fmt)
    assert found is not None or ordered is not None  # (a number in a sort key: the rows path)
    if found is not None:  # sorted as kg sorts, byte for byte
        same(found[0], rows_path(engine, text, bindings, fmt), fmt, ordered is None)
        assert found[1] == (not execute(engine, text, bindings).table.rows)


def test_sorted_answers_are_mostly_written_from_the_store(engine):
    """The catalogue's sorted answers in CSV take the store's path unless a sort key holds a
    number: at least the GHT exposure, whose 64,000 rows at 3M triples are why this path is."""
    gazetteer = REPO / "data" / "gazetteer"
    resolver = Resolver(gazetteer=lambda: Gazetteer.load(gazetteer), engine=engine)
    taken = set()
    for name, given, _ in CASES:
        query = QUERIES[name]
        if split_order(query.text) is None:
            continue
        if store_answer(engine, query.text, bind(query, given, resolver), "csv") is not None:
            taken.add(name)
    assert "ght-exposure" in taken


NASTY = """
<http://a/1> <http://p/v> "x,y" .
<http://a/2> <http://p/v> "q\\"t" .
<http://a/3> <http://p/v> "l\\nm" .
<http://a/4> <http://p/v> "t\\tu" .
<http://a/5> <http://p/v> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://a/6> <http://p/v> "fr"@fr .
<http://a/7> <http://p/v> " sp" .
<http://a/8> <http://p/v> "cr\\r\\nx" .
<http://a/9> <http://p/v> "" .
<http://a/10> <http://p/v> "ok" .
"""
PLAIN = ["<http://a/5>", "<http://a/6>", "<http://a/7>", "<http://a/10>"]


@pytest.fixture(scope="module")
def nasty():
    import pyoxigraph as ox

    store = ox.Store()
    store.load(NASTY.encode(), format=ox.RdfFormat.N_TRIPLES)
    store.load(b"<http://b/1> <http://p/v> _:x .", format=ox.RdfFormat.N_TRIPLES)
    return OxigraphEngine(store)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s ?v WHERE { ?s <http://p/v> ?v FILTER(STRSTARTS(STR(?s), 'http://a/')) }",
        "SELECT ?v WHERE { ?s <http://p/v> ?v FILTER(STRSTARTS(STR(?s), 'http://a/')) }",
        "SELECT ?s ?v WHERE { VALUES ?s { " + " ".join(PLAIN) + " } ?s <http://p/v> ?v }",
        "SELECT ?v WHERE { VALUES ?s { " + " ".join(PLAIN) + " } ?s <http://p/v> ?v }",
        "SELECT ?s ?v ?none WHERE { ?s <http://p/v> ?v } ORDER BY ?s LIMIT 20",
        "SELECT ?s WHERE { ?s <http://p/nothing> ?v }",
    ],
)
def test_values_that_need_quoting_are_written_as_the_rows_path_writes_them(nasty, text, fmt):
    found = store_answer(nasty, text, {}, fmt)
    expected = rows_path(nasty, text, {}, fmt)
    if found is None:  # a blank node in CSV or TSV: the rows path
        assert fmt in ("csv", "tsv")
        return
    same(found[0], expected, fmt)


STRINGS = "FILTER(STRSTARTS(STR(?s), 'http://a/') && ?s != <http://a/5>)"


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize(
    "order",
    ["?v", "DESC(?v)", "STR(?v) ?s", "DESC(?v) ASC(?s)", "?none DESC(?s)", 'COALESCE(STR(?v), "")'],
)
def test_sorted_values_that_need_quoting_are_the_rows_path_s(nasty, order, fmt):
    text = f"SELECT ?s ?v ?none WHERE {{ ?s <http://p/v> ?v {STRINGS} }} ORDER BY {order}"
    found = store_answer(nasty, text, {}, fmt)
    assert found is not None
    assert found[0] == rows_path(nasty, text, {}, fmt)


def test_escapes_in_a_sorted_answer_are_read_back():
    import pyoxigraph as ox

    store = ox.Store()
    store.load(
        b'<http://c/1> <http://p/v> "a\\u0001\\b\\f\\\\\\"\\u007Fz\\u00e9\\U0001F600"@fr .\n'
        b'<http://c/2> <http://p/v> "2022-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
        b'<http://c/3> <http://p/v> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n'
        b'<http://c/4> <http://p/v> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
        b"<http://c/5> <http://p/v> <http://c/1> .\n",
        format=ox.RdfFormat.N_TRIPLES,
    )
    engine = OxigraphEngine(store)
    text = "SELECT ?s ?v WHERE { ?s <http://p/v> ?v } ORDER BY ?v ?s"
    found = store_answer(engine, text, {}, "csv")
    assert found is not None
    assert found[0] == rows_path(engine, text, {}, "csv")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s ?v WHERE { ?s <http://p/v> ?v } ORDER BY ?v",  # a number, and a blank node
        "SELECT ?s ?v WHERE { ?s <http://p/v> ?v FILTER(?s = <http://a/5>) } ORDER BY ?v",
        "SELECT ?s WHERE { ?s <http://p/v> ?v } ORDER BY ?v",  # by what it does not show
    ],
)
def test_sorted_answers_that_only_the_rows_path_sorts(nasty, text):
    assert store_answer(nasty, text, {}, "csv") is None
    assert store_answer(nasty, text, {}, "sparql-json") is None


def test_the_number_datatypes_are_those_rdflib_makes_numbers():
    from decimal import Decimal

    from rdflib.term import Literal, XSDToPython

    from kg.answers import NUMBER_TYPES

    numbers = {
        str(datatype)
        for datatype in XSDToPython
        if datatype is not None
        and isinstance(Literal("0", datatype=datatype).toPython(), int | float | Decimal)
        and not isinstance(Literal("0", datatype=datatype).toPython(), bool)
    }
    assert numbers == NUMBER_TYPES


def test_a_blank_node_in_csv_takes_the_rows_path(nasty):
    text = "SELECT ?v WHERE { <http://b/1> <http://p/v> ?v }"
    assert store_answer(nasty, text, {}, "csv") is None
    assert store_answer(nasty, text, {}, "sparql-json") is not None


def test_ask_graphs_and_kg_json_take_the_rows_path(nasty):
    assert store_answer(nasty, "ASK { ?s ?p ?o }", {}, "csv") is None
    assert store_answer(nasty, "CONSTRUCT WHERE { ?s ?p ?o }", {}, "sparql-json") is None
    assert store_answer(nasty, "SELECT * WHERE { ?s ?p ?o }", {}, "json") is None
    assert store_answer(nasty, "SELECT * WHERE { ?s ?p ?o }", {}, "table") is None
