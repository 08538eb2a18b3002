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


GHT = "https://w3id.org/hospital-cyber-kg/id/ght/"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"


def _members(select, ght: str) -> dict[str, str]:
    """Each member of a GHT (FINESS number) with its role's notation."""
    rows = select(
        f"?m <{ORG}organization> <{GHT}{ght}> ; <{ORG}member> ?e ; <{ORG}role> ?r", "?e ?r"
    )
    return {r["e"].rsplit("/", 1)[-1]: r["r"].rsplit("/", 1)[-1] for r in rows}


def _end(select, ght: str, finess: str) -> dict[str, str]:
    """The end of a membership: its date, or the date it is known to come before."""
    membership = f"<{GHT}{ght}/membership/{finess}>"
    rows = select(
        f"{membership} <{ORG}memberDuring>/<{TIME}hasEnd> ?end . "
        f"OPTIONAL {{ ?end <{TIME}inXSDDate> ?on }} "
        f"OPTIONAL {{ ?end <{TIME}before>/<{TIME}inXSDDate> ?before }}",
        "?on ?before",
    )
    assert len(rows) == 1, (ght, finess, rows)
    return rows[0]


@pytest.mark.parametrize(
    ("ght", "finess", "end"),
    [
        # merged into the CH de Plaisir (780024113) on 1 January 2018 (TR78, La Gazette de SQY)
        ("IDF-04", "780110037", {"on": "2018-01-01"}),
        ("IDF-04", "780140026", {"on": "2018-01-01"}),
        # merged into the CH de Saint-Jean-de-Maurienne on 1 January 2021 (TecHopital; the
        # register of 2021-01-08 lists the Modane sites under 730780103)
        ("ARA-02", "730780566", {"on": "2021-01-01"}),
        # no source dates these: they have no site in the FINESS register of 2021-01-08
        ("ARA-12", "690031455", {"before": "2021-01-08"}),
        ("NA-07", "400790663", {"before": "2021-01-08"}),
        ("GE-11", "880780341", {"before": "2021-01-08"}),
        ("GE-11", "880780291", {"before": "2021-01-08"}),
        ("GE-11", "880780366", {"before": "2021-01-08"}),
    ],
)
def test_a_member_gone_by_the_2021_register_is_not_current(select, ght, finess, end):
    # audit: legal entities that had merged were recorded as current members
    assert _end(select, ght, finess) == end


def test_the_successors_are_members(select):
    # Plaisir since the merger; the CHI des 5 Vallées, whose register sites are Raon-l'Étape and
    # Senones, named among the GHT des Vosges's establishments (Remiremont Vallées, Dec. 2020);
    # Saint-Jean-de-Maurienne and Tarare hold the Modane and Grandris sites in 2021
    assert _members(select, "IDF-04")["780024113"] == "member"
    assert _members(select, "GE-11")["880008230"] == "member"
    assert _members(select, "ARA-02")["730780103"] == "member"
    assert _members(select, "ARA-12")["690782271"] == "member"
    since = select(
        f"<{GHT}IDF-04/membership/780024113> "
        f"<{ORG}memberDuring>/<{TIME}hasBeginning>/<{TIME}inXSDDate> ?d"
    )
    assert since == [{"d": "2018-01-01"}]


@pytest.mark.parametrize(
    ("ght", "support"),
    [
        ("BRE-05", "350005179"),  # CHU de Rennes, "établissement pivot" (Réseau CHU)
        ("ARA-02", "730000015"),  # CH Métropole Savoie, "établissement support" (TecHopital)
        ("HF-07", "590780193"),  # CHU de Lille, which "coordinates" the GHT (FHF Hauts-de-France)
    ],
)
def test_a_ght_support_that_a_source_names_is_recorded(select, ght, support):
    # audit: support establishments that a source names were recorded as plain members
    roles = _members(select, ght)
    assert {e for e, r in roles.items() if r == "support"} == {support}
