"""The whole territory (issue 12): every region, department and commune of the gazetteer in
the named graph graph/territory, with its INSEE code and its point where known, so that "near X"
and "in region Y" can be asked in plain SPARQL; builds without it when KG_TERRITORY=0."""

from __future__ import annotations

import csv

from kg.identifiers import department_problem
from kg.query import open_engine
from tests.conftest import REPO

GAZETTEER = REPO / "data" / "gazetteer"
COUNTS = """
PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>
SELECT ?kind (COUNT(DISTINCT ?place) AS ?n) WHERE {
  GRAPH <https://w3id.org/hospital-cyber-kg/graph/territory> { ?place a ?kind ; hck:inseeCode ?c }
} GROUP BY ?kind"""


def _rows(name: str) -> list[dict[str, str]]:
    with (GAZETTEER / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_place_of_the_gazetteer_is_in_the_territory_graph(territory):
    project, made = territory
    departments = {r["code"] for r in _rows("departments.csv") if not department_problem(r["code"])}
    communes = [r for r in _rows("communes.csv") if r["department"] in departments]
    counts = {
        str(r["kind"]).rsplit("#", 1)[1]: int(r["n"])  # type: ignore[arg-type]
        for r in open_engine(project).select(COUNTS, {}).rows
    }
    assert counts == {"Commune": len(communes), "Department": len(departments), "Region": 18}
    assert len(communes) > 34_000
    assert made.manifest["territory"] is True


def test_a_commune_without_coordinates_is_listed_without_a_point(territory):
    project, _ = territory
    bare = next(r for r in _rows("communes.csv") if not r["latitude"])
    query = f"""
    PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>
    PREFIX geo: <http://www.opengis.net/ont/geosparql#>
    PREFIX schema: <http://schema.org/>
    SELECT ?name ?dept ?wkt WHERE {{
      ?c hck:inseeCode "{bare["insee"]}" ; a hck:Commune ; schema:name ?name ;
         geo:sfWithin/hck:inseeCode ?dept .
      OPTIONAL {{ ?c geo:hasGeometry/geo:asWKT ?wkt }}
    }}"""
    rows = open_engine(project).select(query, {}).rows
    assert [(str(r["name"]), str(r["dept"]), r["wkt"]) for r in rows] == [
        (bare["name"], bare["department"], None)
    ]


def test_a_commune_with_coordinates_has_its_point_as_wkt(territory):
    project, _ = territory
    row = next(r for r in _rows("communes.csv") if r["insee"] == "35238")  # Rennes
    query = """
    PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>
    PREFIX geo: <http://www.opengis.net/ont/geosparql#>
    SELECT ?wkt WHERE { ?c hck:inseeCode "35238" ; geo:hasGeometry/geo:asWKT ?wkt }"""
    rows = open_engine(project).select(query, {}).rows
    lat, lon = float(row["latitude"]), float(row["longitude"])
    assert [str(r["wkt"]) for r in rows] == [f"POINT({lon:.6f} {lat:.6f})"]


def test_the_territory_conforms_to_the_shapes(territory):
    import json

    _, made = territory
    results = json.loads((made.path / "validation.json").read_text())
    text = json.dumps(results)
    assert "graph/territory" not in text and "/commune/" not in text


def test_without_the_territory_the_build_has_no_such_graph(project, built):
    assert built.manifest["territory"] is False
    assert not built.territory.exists()
    assert "https://w3id.org/hospital-cyber-kg/graph/territory" not in built.manifest["graphs"]
