"""kg.durations: ISO 8601 durations in one unit to OWL-Time nodes and back, without loss."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from kg.durations import duration_text, duration_triples
from kg.namespaces import TIME

IMPACT = URIRef("https://example.org/kg-test/impact")


@pytest.mark.parametrize("text", ["P3W", "P4M", "P2Y", "P10D", "PT36H", "PT90M", "PT1.5S"])
def test_a_duration_in_one_unit_goes_there_and_back(text):
    g = Graph()
    for triple in duration_triples(IMPACT, text) or []:
        g.add(triple)
    assert duration_text(g, IMPACT) == text


def test_months_and_minutes_are_told_apart():
    units = {text: (duration_triples(IMPACT, text) or [])[3][2] for text in ("P4M", "PT4M", "P4W")}
    assert units == {"P4M": TIME.unitMonth, "PT4M": TIME.unitMinute, "P4W": TIME.unitWeek}


@pytest.mark.parametrize("text", ["P1DT12H", "P1Y2M", "3 weeks", "P", "PT", "-P3D", "P1.5D"])
def test_anything_else_is_refused(text):
    assert duration_triples(IMPACT, text) is None


def test_no_duration_reads_as_none():
    assert duration_text(Graph(), IMPACT) is None
