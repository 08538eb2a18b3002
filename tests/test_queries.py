"""The query catalogue: every query parses on each engine, and returns exactly the expected rows
on the small fixture graph (tests/fixtures/mini.ttl) in both embedded engines."""

from __future__ import annotations

import pytest

from kg.catalogue import catalogue
from kg.geo import Gazetteer
from kg.params import Resolver, bind
from tests.conftest import REPO
from tests.query_fixture import engines, rows

QUERIES = catalogue(REPO / "queries")
ONE, TWO = "https://example.org/one", "https://example.org/two"

_INC1 = ("inc-1", "2022-12-03T21:00:00+01:00", "et-a", "Hospital A", "780000014",
         "Le Chesnay-Rocquencourt", "Yvelines", "ransomware group (unnamed) (suspected)", "",
         "48.8313", "2.1272")
_INC2 = ("inc-2", "2022-08-21", "et-b", "Hospital B", "910000017", "Corbeil-Essonnes", "Essonne",
         "Actor One (confirmed); Malware One (claimed)", "", "48.60603", "2.48757")
_INC3 = ("inc-3", "2022-04", "et-c", "Hospital C", "510000011", "Vitry-le-François", "Marne",
         "Actor Two (suspected)", "", "48.7153", "4.598")

# (query, parameters, expected rows): each row as the text of its cells, fixture IRIs shortened.
CASES = [
    (
        "attacks",
        {},
        [
            (
                "inc-4",
                "2021",
                "et-a",
                "Hospital A",
                "780000014",
                "Le Chesnay-Rocquencourt",
                "Yvelines",
                "Actor One (claimed); Actor Two (suspected)",
                "",
                "48.8313",
                "2.1272",
            ),
            (
                "inc-3",
                "2022-04",
                "et-c",
                "Hospital C",
                "510000011",
                "Vitry-le-François",
                "Marne",
                "Actor Two (suspected)",
                "",
                "48.7153",
                "4.598",
            ),
            (
                "inc-2",
                "2022-08-21",
                "et-b",
                "Hospital B",
                "910000017",
                "Corbeil-Essonnes",
                "Essonne",
                "Actor One (confirmed); Malware One (claimed)",
                "",
                "48.60603",
                "2.48757",
            ),
            (
                "inc-1",
                "2022-12-03T21:00:00+01:00",
                "et-a",
                "Hospital A",
                "780000014",
                "Le Chesnay-Rocquencourt",
                "Yvelines",
                "ransomware group (unnamed) (suspected)",
                "",
                "48.8313",
                "2.1272",
            ),
        ],
    ),
    (
        "attacks",
        {"near": "Paris", "radius_km": "50", "from": "2022", "to": "2022"},
        [
            (
                "inc-1",
                "2022-12-03T21:00:00+01:00",
                "et-a",
                "Hospital A",
                "780000014",
                "Le Chesnay-Rocquencourt",
                "Yvelines",
                "ransomware group (unnamed) (suspected)",
                "16.402",
                "48.8313",
                "2.1272",
            ),
            (
                "inc-2",
                "2022-08-21",
                "et-b",
                "Hospital B",
                "910000017",
                "Corbeil-Essonnes",
                "Essonne",
                "Actor One (confirmed); Malware One (claimed)",
                "29.33",
                "48.60603",
                "2.48757",
            ),
        ],
    ),
    (
        "attacks",
        {"near": "Paris", "radius_km": "250", "from": "2022-04-30", "to": "2022-08"},
        [
            (
                "inc-2",
                "2022-08-21",
                "et-b",
                "Hospital B",
                "910000017",
                "Corbeil-Essonnes",
                "Essonne",
                "Actor One (confirmed); Malware One (claimed)",
                "29.33",
                "48.60603",
                "2.48757",
            ),
            (
                "inc-3",
                "2022-04",
                "et-c",
                "Hospital C",
                "510000011",
                "Vitry-le-François",
                "Marne",
                "Actor Two (suspected)",
                "165.497",
                "48.7153",
                "4.598",
            ),
        ],
    ),
    (
        "attacks",
        {"actor": "Actor One"},
        [
            (
                "inc-4",
                "2021",
                "et-a",
                "Hospital A",
                "780000014",
                "Le Chesnay-Rocquencourt",
                "Yvelines",
                "Actor One (claimed)",
                "",
                "48.8313",
                "2.1272",
            ),
            (
                "inc-2",
                "2022-08-21",
                "et-b",
                "Hospital B",
                "910000017",
                "Corbeil-Essonnes",
                "Essonne",
                "Actor One (confirmed); Malware One (claimed)",
                "",
                "48.60603",
                "2.48757",
            ),
        ],
    ),
    (
        "attacks",
        {"region": "Île-de-France", "min_certainty": "claimed"},
        [
            (
                "inc-4",
                "2021",
                "et-a",
                "Hospital A",
                "780000014",
                "Le Chesnay-Rocquencourt",
                "Yvelines",
                "Actor One (claimed)",
                "",
                "48.8313",
                "2.1272",
            ),
            (
                "inc-2",
                "2022-08-21",
                "et-b",
                "Hospital B",
                "910000017",
                "Corbeil-Essonnes",
                "Essonne",
                "Actor One (confirmed); Malware One (claimed)",
                "",
                "48.60603",
                "2.48757",
            ),
        ],
    ),
    (
        "incidents-by-actor",
        {"actor": "first group"},
        [
            ("inc-4", "2021", "Hospital A", "Actor One", "claimed", "actor-claim", "", "2"),
            ("inc-2", "2022-08-21", "Hospital B", "Actor One", "confirmed", "authority", "", "2"),
            (
                "inc-2",
                "2022-08-21",
                "Hospital B",
                "Malware One",
                "claimed",
                "actor-claim",
                "2022-09-12",
                "2",
            ),
        ],
    ),
    (
        "incidents-by-actor",
        {"actor": "Actor One", "min_certainty": "confirmed"},
        [
            ("inc-2", "2022-08-21", "Hospital B", "Actor One", "confirmed", "authority", "", "2"),
        ],
    ),
    (
        "incidents-in-region",
        {"region": "Essonne"},
        [
            ("inc-2", "2022-08-21", "Hospital B", "Corbeil-Essonnes", "Essonne", "Île-de-France"),
        ],
    ),
    (
        "incidents-in-region",
        {"region": "Grand Est"},
        [
            ("inc-3", "2022-04", "Hospital C", "Vitry-le-François", "Marne", "Grand Est"),
        ],
    ),
    (
        "ght-exposure",
        {},
        [
            ("ght-1", "GHT One", "et-c", "Hospital C", "et-e", "Site E", "520000019", "associate"),
            ("ght-1", "GHT One", "et-c", "Hospital C", "ej-d", "Entity D", "520000001", "member"),
        ],
    ),
    ("ght-exposure", {"incident": "https://example.org/kg-test/inc-1"}, []),
    # The register queries: hospitals near an attacked site (B placed by its commune), attacks
    # per region per 100 hospital sites, GHTs' share of sites attacked, support establishments.
    (
        "unattacked-nearby",
        {},
        [
            (
                "et-a",
                "Hospital A",
                "et-f",
                "Hospital F",
                "780000055",
                "Le Chesnay-Rocquencourt",
                "3.486",
                "48.8313",
                "2.1272",
                "48.8",
                "2.13",
            ),
            (
                "et-b",
                "Hospital B",
                "et-g",
                "Hospital G",
                "910000025",
                "Corbeil-Essonnes",
                "0.71",
                "48.60603",
                "2.48757",
                "48.61",
                "2.48",
            ),
            (
                "et-c",
                "Hospital C",
                "et-c2",
                "Hospital C2",
                "510000029",
                "Vitry-le-François",
                "0.543",
                "48.7153",
                "4.598",
                "48.72",
                "4.6",
            ),
        ],
    ),
    (
        "attacks-per-region",
        {},
        [
            ("11", "Île-de-France", "4", "3", "75"),
            ("44", "Grand Est", "2", "1", "50"),
        ],
    ),
    ("ght-attacked-share", {}, [("ght-1", "GHT One", "3", "1", "1", "33.3")]),
    (
        "support-establishments-hit",
        {},
        [("ght-1", "GHT One", "ej-c", "510000003", "inc-3", "2022-04", "et-c", "Hospital C")],
    ),
    (
        "ght-exposure",
        {"incident": "https://example.org/kg-test/inc-3"},
        [
            ("ght-1", "GHT One", "et-c", "Hospital C", "et-e", "Site E", "520000019", "associate"),
            ("ght-1", "GHT One", "et-c", "Hospital C", "ej-d", "Entity D", "520000001", "member"),
        ],
    ),
    (
        "ransom-demands",
        {},
        [
            ("inc-3", "2022-04", "Actor Two", "1300000", "USD", "known", "inc-3-demand"),
            (
                "inc-2",
                "2022-08-21",
                "Actor One, Malware One",
                "10000000",
                "USD",
                "known",
                "inc-2-demand",
            ),
            (
                "inc-2",
                "2022-08-21",
                "Actor One, Malware One",
                "1000000",
                "EUR",
                "suspected",
                "inc-2-demand-eur",
            ),
        ],
    ),
    (
        "patient-impacts",
        {},
        [
            ("inc-4", "2021", "operations-cancelled", "suspected", "", "Perhaps."),
            ("inc-2", "2022-08-21", "operations-cancelled", "known", "", ""),
            (
                "inc-1",
                "2022-12-03T21:00:00+01:00",
                "patients-transferred",
                "known",
                "6",
                "Six patients.",
            ),
        ],
    ),
    ("data-published", {}, [("inc-2", "2022-08-21", "known", "2022-09-23", "", "")]),
    (
        "repeat-victims",
        {},
        [
            (
                "ej-a",
                "Entity A",
                "780000022",
                "legal entity",
                "2",
                "2021, 2022-12-03T21:00:00+01:00",
            ),
            (
                "et-a",
                "Hospital A",
                "780000014",
                "establishment",
                "2",
                "2021, 2022-12-03T21:00:00+01:00",
            ),
        ],
    ),
    (
        "conflicting-attributions",
        {},
        [
            ("inc-4", "Actor One", "claimed", "actor-claim", "Actor Two", "suspected", "media"),
        ],
    ),
    (
        "incidents-per-year-region",
        {},
        [
            ("2021", "Île-de-France", "1"),
            ("2022", "Grand Est", "1"),
            ("2022", "Île-de-France", "2"),
        ],
    ),
    (
        "incident-timeline",
        {"incident": "https://example.org/kg-test/inc-1"},
        [
            ("", "attribution", "ransomware-group (unnamed)", "suspected", ONE),
            ("", "data-stolen", "", "unknown", ONE),
            ("2022-12-02", "alternative start", "", "", TWO),
            ("2022-12-03T21:00:00+01:00", "start", "", "", f"{ONE}, {TWO}"),
            ("2022-12-04", "patients-transferred", "6", "known", f"{ONE}, {TWO}"),
        ],
    ),
    (
        "incident-timeline",
        {"incident": "https://example.org/kg-test/inc-2"},
        [
            ("", "attribution", "Actor One", "confirmed", f"{ONE}, {TWO}"),
            ("", "operations-cancelled", "", "known", f"{ONE}, {TWO}"),
            ("", "ransom-demanded", "1000000 EUR", "suspected", TWO),
            ("", "ransom-demanded", "10000000 USD", "known", f"{ONE}, {TWO}"),
            ("2022-08-21", "start", "", "", ONE),
            ("2022-09-12", "attribution", "Malware One", "claimed", f"{ONE}, {TWO}"),
            ("2022-09-23", "data-published", "", "known", f"{ONE}, {TWO}"),
        ],
    ),
    (
        "single-source-facts",
        {},
        [
            ("inc-1", "alternative start", "inc-1-alt", TWO),
            ("inc-1", "attribution", "inc-1-claim", ONE),
            ("inc-1", "impact", "inc-1-theft", ONE),
            ("inc-2", "impact", "inc-2-demand-eur", TWO),
            ("inc-3", "incident", "inc-3", ONE),
            ("inc-4", "attribution", "inc-4-two", TWO),
            ("inc-4", "impact", "inc-4-operations", TWO),
        ],
    ),
    (
        "actor-counts",
        {},
        [
            ("actor-one", "Actor One", "2", "2021", "2022-08-21"),
            ("actor-two", "Actor Two", "2", "2021", "2022-04"),
        ],
    ),
    (
        "actor-counts",
        {"min_certainty": "confirmed"},
        [
            ("actor-one", "Actor One", "1", "2022-08-21", "2022-08-21"),
        ],
    ),
    (
        "open-questions",
        {},
        [
            ("inc-1", "data-stolen", "unknown", ""),
            ("inc-2", "ransom-demanded", "suspected", ""),
            ("inc-4", "operations-cancelled", "suspected", "Perhaps."),
        ],
    ),
    # the incident type, by notation or by a label in either language
    ("attacks", {"kind": "ransomware", "from": "2022-09"}, [_INC1]),
    ("attacks", {"kind": "Fuite de données"}, [_INC3]),
    ("attacks", {"kind": "ddos"}, []),
    # an impact known or suspected: data published at inc-2; data stolen only 'unknown' at inc-1
    ("attacks", {"impact": "data-published"}, [_INC2]),
    ("attacks", {"impact": "Données volées"}, []),
    ("attacks", {"impact": "operations-cancelled", "kind": "ransomware"}, [_INC2]),
    # a region or a department by its INSEE code (issue 12: --region 53, --region 2A)
    ("attacks", {"region": "44"}, [_INC3]),
    ("attacks", {"region": "91", "kind": "ransomware"}, [_INC2]),
    ("find-incidents", {"text": "hospital b"}, [("inc-2", "2022-08-21", "Attack on Hospital B")]),
    ("find-incidents", {"text": "l'hôpital a"}, []),  # names are searched in English
]


@pytest.fixture(scope="module")
def fixture_engines():
    return engines(REPO)


def resolver(engine) -> Resolver:
    return Resolver(gazetteer=lambda: Gazetteer.load(REPO / "data" / "gazetteer"), engine=engine)


def test_the_catalogue_has_at_least_twelve_questions_each_tested():
    assert len(QUERIES) >= 12
    assert set(QUERIES) - {name for name, _, _ in CASES} == set()


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_each_query_parses_everywhere(name):
    from rdflib.plugins.sparql import prepareQuery

    query = QUERIES[name]
    prepareQuery(query.text)
    assert query.summary and query.description
    assert all(
        line.startswith("PREFIX")
        for line in query.text.splitlines()
        if line.upper().startswith("PREFIX")
    )
    for param in query.params:
        assert f"?_{param}" in query.text or query.params[param].type == "place"


@pytest.mark.parametrize("engine_name", ["memory", "oxigraph"])
@pytest.mark.parametrize(
    ("name", "given", "expected"), CASES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(CASES)]
)
def test_expected_rows(fixture_engines, engine_name, name, given, expected):
    engine = fixture_engines[engine_name]
    query = QUERIES[name]
    table = engine.select(query.text, bind(query, given, resolver(engine)))
    assert rows(table) == expected
