"""Dates with their precision: a year, a month, a day, or a timestamp with its timezone."""

from __future__ import annotations

import datetime as dt
import re

from rdflib import Graph, Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.namespaces import HCK

FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm"

_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_LOCAL_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


class DateProblem(ValueError):
    """The text is not a date of one of the accepted forms; `reason` says why."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"'{text}' is {reason}")
        self.text = text
        self.reason = reason


def parse_date(text: str) -> Literal:
    """'2022' -> xsd:gYear, '2022-12' -> xsd:gYearMonth, '2022-12-03' -> xsd:date,
    '2022-12-03T21:00+01:00' -> xsd:dateTime. Impossible dates are refused."""
    text = text.strip()
    if _YEAR.match(text):
        return Literal(text, datatype=XSD.gYear)
    if m := _MONTH.match(text):
        if not 1 <= int(m.group(2)) <= 12:
            raise DateProblem(text, f"not a date: there is no month {m.group(2)} ({FORMS})")
        return Literal(text, datatype=XSD.gYearMonth)
    if _DAY.match(text):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise DateProblem(text, f"not a date of the calendar ({FORMS})") from None
        return Literal(text, datatype=XSD.date)
    if _STAMP.match(text):
        try:
            dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise DateProblem(text, f"not a time of the calendar ({FORMS})") from None
        return Literal(_with_seconds(text), datatype=XSD.dateTime)
    if _LOCAL_STAMP.match(text):
        raise DateProblem(
            text, "a time without a timezone (add one: +01:00 in winter, +02:00 in summer)"
        )
    raise DateProblem(text, f"not a date ({FORMS})")


def _with_seconds(text: str) -> str:
    date, _, rest = text.partition("T")
    if re.match(r"^\d{2}:\d{2}(Z|[+-])", rest):
        rest = rest[:5] + ":00" + rest[5:]
    return f"{date}T{rest}"


def earliest_day(value: Literal) -> str:
    """The first calendar day a date of any precision may denote, as YYYY-MM-DD."""
    day = str(value)[:10]
    return day + {4: "-01-01", 7: "-01"}.get(len(day), "")


PRECISIONS = {XSD.gYear: "year", XSD.gYearMonth: "month", XSD.date: "day", XSD.dateTime: "second"}


def bounds(value: Literal) -> tuple[Literal, Literal, str]:
    """(earliest, latest, precision) of a date of any precision: the first and last instant it
    may denote as xsd:dateTime in UTC (a day, month or year read as a UTC calendar period, a
    timestamp converted to UTC), so that dates of mixed precision compare in plain SPARQL."""
    import calendar

    text, precision = str(value), PRECISIONS.get(value.datatype, "")  # type: ignore[arg-type]
    if precision == "second":
        instant = dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)
        return _utc(instant), _utc(instant), precision
    if precision not in ("year", "month", "day"):
        raise DateProblem(text, f"not a date ({FORMS})")
    first = dt.date.fromisoformat(earliest_day(value))
    if precision == "year":
        last = first.replace(month=12, day=31)
    elif precision == "month":
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    else:
        last = first
    start = dt.datetime.combine(first, dt.time(0, 0, 0), dt.UTC)
    end = dt.datetime.combine(last, dt.time(23, 59, 59), dt.UTC)
    return _utc(start), _utc(end), precision


def _utc(instant: dt.datetime) -> Literal:
    """UTC written +00:00, not Z: the form rdflib normalises to, so every reader and writer
    (rdflib's Turtle, TriG, JSON-LD, Oxigraph) keeps the same term."""
    return Literal(instant.strftime("%Y-%m-%dT%H:%M:%S+00:00"), datatype=XSD.dateTime)


def bound_pairs(value: Literal) -> list[tuple[Node, Node]]:
    """The (property, value) pairs of a dated thing's bounds: hck:earliest, hck:latest
    (xsd:dateTime, UTC) and hck:datePrecision."""
    low, high, precision = bounds(value)
    return [(HCK.earliest, low), (HCK.latest, high), (HCK.datePrecision, Literal(precision))]


def add_bounds(graph: Graph, subject: Node, value: Literal) -> None:
    for prop, bound in bound_pairs(value):
        graph.add((subject, prop, bound))
