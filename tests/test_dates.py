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
