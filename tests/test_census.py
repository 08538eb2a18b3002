"""The shipped census (data/incidents/): its size and period, and each finding of the data audit
(issue 10) fixed for good: a regression test per finding, on the built graph."""

from __future__ import annotations

import json

import pytest

from kg.query import open_engine

INCIDENT = "https://w3id.org/hospital-cyber-kg/id/incident/"
PREFIXES = """
PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@pytest.fixture(scope="module")
def select(project, built):
    engine = open_engine(project)

    def run(where: str, variables: str = "*") -> list[dict[str, str]]:
        table = engine.select(f"{PREFIXES} SELECT {variables} WHERE {{ {where} }}", {})
        return [{k: str(v) for k, v in row.items() if v is not None} for row in table.rows]

    return run


def test_at_least_45_incidents_from_2019_to_2025(cli, project, built, select):
    counts = json.loads(cli("stats", "--json", project=project).stdout)["classes"]
    assert counts["hck:Incident"] >= 45
    years = {row["d"][:4] for row in select("?i a hck:Incident ; hck:startDate ?d")}
    assert years <= {str(y) for y in range(2019, 2026)}


def test_every_victim_is_named_and_sourced(select):
    victims = "?i hck:victim ?v FILTER NOT EXISTS"
    assert select(f"{victims} {{ ?v schema:name ?n }}", "DISTINCT ?v") == []
    assert select(f"{victims} {{ ?v dcterms:source ?s }}", "DISTINCT ?v") == []


def test_a_marketplace_is_not_an_actor(select):
    # audit: Industrial Spy, where the GHT Cœur Grand Est data were listed, is a marketplace
    assert select('?a a hck:ThreatActor ; skos:prefLabel "Industrial Spy"') == []
    coeur = f"<{INCIDENT}2022-04-ght-coeur-grand-est>"
    kinds = {
        (row["t"].rsplit("/", 1)[-1], row["s"].rsplit("/", 1)[-1])
        for row in select(f"{coeur} hck:impact ?m . ?m hck:impactType ?t ; hck:status ?s")
    }
    assert ("data-offered-for-sale", "known") in kinds
    assert ("data-published", "known") not in kinds


def test_the_start_is_not_a_listing_date(select):
    # audit: the sale listing of 18 April came before the discovery of 19 April, so the start
    # is April 2022, discovered on the 19th
    row = select(
        f"<{INCIDENT}2022-04-ght-coeur-grand-est> hck:startDate ?s ; hck:discoveredDate ?d"
    )
    assert row == [{"s": "2022-04", "d": "2022-04-19"}]


def test_a_detection_is_not_a_confirmation(select):
    # audit: ARS Corse said the Vice Society ransomware was detected at Castelluccio
    certainties = {
        row["c"].rsplit("/", 1)[-1]
        for row in select(
            f"<{INCIDENT}2022-03-28-ch-castelluccio> hck:attribution ?a . ?a hck:certainty ?c"
        )
    }
    assert "confirmed" not in certainties


def test_no_leak_detected_on_day_one_is_not_ruled_out(select):
    # audit: Oloron's undated "ruled-out" leak was a day-one "no leak detected"
    rows = select(
        f"<{INCIDENT}2021-03-08-ch-oloron-sainte-marie> hck:impact ?m . "
        "?m hck:impactType <https://w3id.org/hospital-cyber-kg/vocab/impact-type/data-stolen> ; "
        "hck:status ?s ; hck:date ?d"
    )
    assert [(r["s"].rsplit("/", 1)[-1], r["d"]) for r in rows] == [("unknown", "2021-03-09")]


def test_lockbit_denied_armentieres(cli, project, built):
    result = cli("attacks", "--year", "2024", "--format", "json", project=project)
    rows = {r["incident"].rsplit("/", 1)[-1]: r for r in json.loads(result.stdout)}
    assert rows["2024-02-11-ch-armentieres"]["actors"] == (
        "Blackout (claimed); LockBit (suspected, denied)"
    )


def test_a_ght_support_that_a_source_names_is_recorded(select):
    # audit: the CHU de Rennes is the "établissement pivot" (support) of the GHT Haute Bretagne
    rows = select(
        "?m <http://www.w3.org/ns/org#organization> "
        "<https://w3id.org/hospital-cyber-kg/id/ght/BRE-05> ; "
        "<http://www.w3.org/ns/org#member> ?e ; <http://www.w3.org/ns/org#role> ?r",
        "?e ?r",
    )
    supports = {r["e"].rsplit("/", 1)[-1] for r in rows if r["r"].endswith("/support")}
    assert supports == {"350005179"}
