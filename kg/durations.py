"""Durations as OWL-Time has them: an impact's hck:duration is a time:Duration node with a
time:numericDuration and a time:unitType (OWL 2 has no xsd:duration datatype, which a reasoner
refuses). The data and the STIX extension write ISO 8601 durations in one unit (P3W, P4M, PT36H);
this module turns one into the other, both ways, without loss."""

from __future__ import annotations

import re
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.namespaces import HCK, TIME

# An ISO 8601 duration in one unit: P3W, P4M, P2Y, P10D, PT36H, PT90M, PT1.5S.
ONE_UNIT = re.compile(r"^P(?:(\d+)([YMWD])|T(\d+(?:\.\d+)?)([HMS]))$")

UNITS = {
    "Y": TIME.unitYear,
    "M": TIME.unitMonth,
    "W": TIME.unitWeek,
    "D": TIME.unitDay,
    "TH": TIME.unitHour,
    "TM": TIME.unitMinute,
    "TS": TIME.unitSecond,
}
LETTERS = {unit: letter for letter, unit in UNITS.items()}


def duration_triples(subject: URIRef, text: str) -> list[tuple] | None:
    """The triples of `subject hck:duration <subject/duration>` for an ISO 8601 duration in one
    unit, or None when `text` is not one."""
    match = ONE_UNIT.match(text)
    if match is None:
        return None
    number, letter = (match[1], match[2]) if match[1] else (match[3], "T" + match[4])
    node = URIRef(f"{subject}/duration")
    return [
        (subject, HCK.duration, node),
        (node, RDF.type, TIME.Duration),
        (node, TIME.numericDuration, Literal(Decimal(number), datatype=XSD.decimal)),
        (node, TIME.unitType, UNITS[letter]),
    ]


def duration_text(g: Graph, subject: URIRef) -> str | None:
    """The ISO 8601 text of the subject's hck:duration, or None when it has none."""
    node = g.value(subject, HCK.duration)
    if node is None:
        return None
    number, unit = g.value(node, TIME.numericDuration), g.value(node, TIME.unitType)
    letter = LETTERS.get(unit) if isinstance(unit, URIRef) else None
    if not isinstance(number, Literal) or letter is None:
        return None
    value = number.toPython()
    shown = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return f"PT{shown}{letter[1]}" if letter.startswith("T") else f"P{shown}{letter}"
