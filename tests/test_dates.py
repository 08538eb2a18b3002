"""Dates keep their precision through their datatype; impossible dates are refused."""

import pytest
from rdflib.namespace import XSD

from kg.dates import DateProblem, earliest_day, parse_date


@pytest.mark.parametrize(
    ("text", "datatype", "lexical"),
    [
        ("2022", XSD.gYear, "2022"),
        ("2022-04", XSD.gYearMonth, "2022-04"),
        ("2022-12-03", XSD.date, "2022-12-03"),
        ("2022-12-03T21:00+01:00", XSD.dateTime, "2022-12-03T21:00:00+01:00"),
        ("2022-08-21T01:00:00+02:00", XSD.dateTime, "2022-08-21T01:00:00+02:00"),
    ],
)
def test_precision_is_kept(text, datatype, lexical):
    value = parse_date(text)
    assert (value.datatype, str(value)) == (datatype, lexical)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "2022-13-03",
            "not a date of the calendar (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm)",
        ),
        (
            "2022-02-30",
            "not a date of the calendar (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm)",
        ),
        (
            "2022-13",
            "not a date: there is no month 13 (YYYY, YYYY-MM, YYYY-MM-DD or "
            "YYYY-MM-DDThh:mm[:ss]+hh:mm)",
        ),
        (
            "2022-12-03T21:00",
            "a time without a timezone (add one: +01:00 in winter, +02:00 in summer)",
        ),
        ("03/12/2022", "not a date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm)"),
    ],
)
def test_impossible_dates_say_why(text, reason):
    with pytest.raises(DateProblem) as caught:
        parse_date(text)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("text", "day"),
    [("2022", "2022-01-01"), ("2022-04", "2022-04-01"), ("2022-12-03T21:00+01:00", "2022-12-03")],
)
def test_earliest_day(text, day):
    assert earliest_day(parse_date(text)) == day


# --- normalised bounds (issue 12: dates anyone can filter) ------------------------------------

from kg.dates import bounds  # noqa: E402


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("2022", "2022-01-01T00:00:00+00:00", "2022-12-31T23:59:59+00:00", "year"),
        ("2022-02", "2022-02-01T00:00:00+00:00", "2022-02-28T23:59:59+00:00", "month"),
        ("2024-02", "2024-02-01T00:00:00+00:00", "2024-02-29T23:59:59+00:00", "month"),
        ("2022-12-03", "2022-12-03T00:00:00+00:00", "2022-12-03T23:59:59+00:00", "day"),
        (
            "2022-12-03T21:00+01:00",
            "2022-12-03T20:00:00+00:00",
            "2022-12-03T20:00:00+00:00",
            "second",
        ),
        (
            "2022-01-01T00:30:00+02:00",
            "2021-12-31T22:30:00+00:00",
            "2021-12-31T22:30:00+00:00",
            "second",
        ),
    ],
)
def test_bounds_are_utc_instants_with_the_precision(text, earliest, latest, precision):
    low, high, named = bounds(parse_date(text))
    assert (str(low), str(high), named) == (earliest, latest, precision)
    assert low.datatype == high.datatype == XSD.dateTime


def test_bounds_sort_as_the_dates_do():
    texts = ["2021", "2022-01", "2022-01-15", "2022-01-15T10:00:00+01:00", "2022-06", "2023"]
    lows = [bounds(parse_date(t))[0].toPython() for t in texts]
    assert lows == sorted(lows)


PLAIN_2022 = """
PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT DISTINCT ?incident WHERE {
  ?incident a hck:Incident ; hck:earliest ?t .
  FILTER(?t >= "2022-01-01T00:00:00Z"^^xsd:dateTime && ?t < "2023-01-01T00:00:00Z"^^xsd:dateTime)
}"""


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_a_plain_filter_on_the_earliest_instant_finds_every_incident_of_a_year(
    project, built, backend
):
    from kg.namespaces import resource
    from kg.query import open_engine
    from tests.conftest import REPO

    expected = {
        str(resource("incident", p.stem)) for p in (REPO / "data" / "incidents").glob("2022*.yaml")
    }
    found = {str(r["incident"]) for r in open_engine(project, backend).select(PLAIN_2022, {}).rows}
    assert len(expected) >= 5
    assert found == expected


def test_every_dated_thing_has_its_bounds(project, built):
    from kg.query import open_engine

    missing = (
        open_engine(project)
        .select(
            """PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>
        SELECT ?x WHERE {
          ?x hck:startDate|hck:date|hck:assertedOn ?d .
          FILTER NOT EXISTS { ?x hck:earliest ?e ; hck:latest ?l ; hck:datePrecision ?p }
        }""",
            {},
        )
        .rows
    )
    assert [str(r["x"]) for r in missing] == []
