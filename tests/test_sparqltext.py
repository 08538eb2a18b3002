"""Binding values into SPARQL text for remote endpoints, safely."""

import pytest
from rdflib import Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from kg.errors import QueryError
from kg.sparqltext import query_form, sparql_term, where_group_start, with_values

SELECT = """# a comment with { braces }
PREFIX ex: <http://example.org/ns#>
SELECT ?s WHERE { ?s ex:p "a { string" . FILTER(?s != ?_x) }"""


def test_where_group_skips_comments_strings_and_iris():
    at = where_group_start(SELECT)
    assert SELECT[at - 1] == "{" and SELECT[:at].endswith("WHERE {")


def test_construct_skips_its_template():
    text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert text[: where_group_start(text)].endswith("WHERE {")
    assert query_form(text) == "CONSTRUCT"


def test_values_block_is_first_in_the_where_group():
    out = with_values(SELECT, {"_x": URIRef("http://example.org/a")})
    assert "WHERE {\n  VALUES (?_x) { (<http://example.org/a>) } ?s ex:p" in out
    prepareQuery(out)


def _structure(value: str) -> str:
    """The parsed algebra of the bound query, with the bound value blanked out."""
    algebra = repr(prepareQuery(with_values(SELECT, {"_x": Literal(value)})).algebra)
    return algebra.replace(repr(Literal(value)), "VALUE")


@pytest.mark.parametrize(
    "hostile",
    [
        '"} ; DROP ALL ; #',
        'x" } } INSERT DATA { <a> <b> <c> } #',
        "line\nbreak\r\ttab",
        "back\\slash\\",
        "'''",
        '"""',
        "a" * 5000,
        "} UNION { ?s ?p ?o",
        "<http://evil/> .",
    ],
)
def test_hostile_literals_cannot_change_the_query(hostile):
    assert _structure(hostile) == _structure("benign")
    assert "\n" not in sparql_term(Literal(hostile))


@pytest.mark.parametrize("iri", ["http://a/>b", "http://a/ b", 'http://a/"', "http://a/{x}"])
def test_iris_that_would_break_out_are_refused(iri):
    with pytest.raises(QueryError):
        sparql_term(URIRef(iri))


def test_typed_and_tagged_literals():
    assert (
        sparql_term(Literal("2022", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear")))
        == '"2022"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    )
    assert sparql_term(Literal("Brest", lang="fr")) == '"Brest"@fr'
