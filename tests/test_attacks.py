"""`kg attacks`, `kg query`, `kg queries`, `kg sparql` on the shipped data: the headline
question, output formats, --explain, errors (one line, exit 2, no traceback) and hostile values."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib.plugins.sparql import prepareQuery

from kg.catalogue import catalogue
from kg.query import open_engine, prepare
from tests.conftest import REPO
from tests.query_fixture import rows

CHSF = "2022-08-21-chsf-corbeil-essonnes"
MIGNOT = "2022-12-03-ch-andre-mignot"
COEUR = "2022-04-ght-coeur-grand-est"


def attacks(cli, project, *args):
    result = cli("attacks", *args, "--format", "csv", project=project)
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_attacks_near_paris_in_2022(cli, project, built):
    found = attacks(cli, project, "--near", "Paris", "--radius", "50", "--year", "2022")
    incidents = [r["incident"].rsplit("/", 1)[-1] for r in found]
    assert CHSF in incidents and MIGNOT in incidents and COEUR not in incidents
    assert len(incidents) == len(set(incidents))  # one row per incident
    distances = [float(r["distance_km"]) for r in found]
    assert distances == sorted(distances) and all(d <= 50 for d in distances)
    mignot = next(r for r in found if r["incident"].endswith(MIGNOT))
    assert mignot["communes"] == "Le Chesnay-Rocquencourt" and mignot["finess"] == "780800256"
    assert 15 < float(mignot["distance_km"]) < 18
    assert list(found[0]) == [
        "incident",
        "date",
        "victims",
        "finess",
        "communes",
        "departments",
        "actors",
        "distance_km",
    ]


def test_the_table_closes_with_the_counts(cli, project, built):
    result = cli("attacks", "--near", "Paris", "--year", "2022", project=project)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    sites = attacks(cli, project, "--near", "Paris", "--year", "2022", "--per", "site")
    assert lines[-1] == f"{len(lines) - 3} incidents, {len(sites)} sites"
    assert len(lines) - 3 >= 3
    csv_result = cli("attacks", "--year", "2022", "--format", "csv", project=project)
    assert csv_result.stderr.splitlines()[-1].endswith(" sites")  # stdout stays plain CSV


def test_one_row_per_incident_with_its_victims_grouped(cli, project, built):
    found = attacks(cli, project, "--near", "Paris", "--radius", "250", "--year", "2022")
    coeur = [r for r in found if r["incident"].endswith(COEUR)]
    assert len(coeur) == 1
    assert set(coeur[0]["communes"].split("; ")) == {"Vitry-le-François", "Saint-Dizier", "Verdun"}
    assert set(coeur[0]["victims"].split("; ")) >= {
        "CENTRE HOSPITALIER VITRY LE FRANCOIS",
        "CH GENEVIEVE DE GAULLE ANTHONIOZ",
        "CH VERDUN/ST MIHIEL-HOP ST NICOLAS",
    }


def test_per_site_gives_a_row_per_victim(cli, project, built):
    found = attacks(cli, project, "--per", "site", "--year", "2022")
    coeur = [r for r in found if r["incident"].endswith(COEUR)]
    # the GHT as such (no commune: no source places a GHT) and its three sites
    communes = sorted(r["commune"] for r in coeur)
    assert communes == ["", "Saint-Dizier", "Verdun", "Vitry-le-François"]
    assert "GHT Cœur Grand Est" in {r["victim"] for r in coeur}
    assert list(found[0])[:7] == [
        "incident",
        "date",
        "victim",
        "finess",
        "commune",
        "department",
        "actors",
    ]


def test_a_victim_without_a_place_is_listed_not_dropped(cli, project, built):
    found = attacks(cli, project, "--per", "site", "--year", "2022")
    assert any(r["victim"] == "GHT Cœur Grand Est" and r["commune"] == "" for r in found)
    # a place filter keeps only victims that a source places
    near = attacks(cli, project, "--per", "site", "--near", "Vitry-le-François", "--year", "2022")
    assert "GHT Cœur Grand Est" not in {r["victim"] for r in near}


def test_each_actor_has_its_own_certainty(cli, project, built):
    # audit: Armentières' LockBit and Rennes' BianLian are suspected, never shown as claimed
    found = {r["incident"].rsplit("/", 1)[-1]: r for r in attacks(cli, project)}
    assert found["2024-02-11-ch-armentieres"]["actors"] == (
        "Blackout (claimed); LockBit (suspected, denied)"
    )
    assert found["2023-06-21-chu-rennes"]["actors"] == (
        "ransomware group (unnamed) (claimed); BianLian (suspected)"
    )


def test_min_certainty_filters_per_actor(cli, project, built):
    found = {
        r["incident"].rsplit("/", 1)[-1]: r["actors"]
        for r in attacks(cli, project, "--min-certainty", "claimed")
    }
    assert found["2024-02-11-ch-armentieres"] == "Blackout (claimed)"
    assert "BianLian" not in found["2023-06-21-chu-rennes"]
    by_lockbit = {
        r["incident"].rsplit("/", 1)[-1]
        for r in attacks(cli, project, "--actor", "LockBit", "--min-certainty", "claimed")
    }
    assert "2024-02-11-ch-armentieres" not in by_lockbit and CHSF in by_lockbit


def test_lockbit_3_is_the_malware_of_lockbit(cli, project, built):
    # audit: "LockBit 3.0" names the malware (LockBit Black) and is an alias of the actor too;
    # it is no ambiguity error, and answers the incidents of that malware
    found = attacks(cli, project, "--actor", "LockBit 3.0")
    assert {r["incident"].rsplit("/", 1)[-1] for r in found} >= {CHSF}
    assert all(r["actors"].startswith("LockBit") for r in found)
    assert "2024-04-16-ch-cannes-simone-veil" not in {r["incident"] for r in found}  # no malware
    assert attacks(cli, project, "--actor", "LockBit Black") == found


def test_per_must_be_incident_or_site(cli, project, built):
    result = cli("attacks", "--per", "victim", project=project)
    assert result.exit_code == 2
    assert result.stderr == "error: --per is 'victim' (give incident or site)\n"


def test_without_near_there_is_no_distance_column(cli, project, built):
    found = attacks(cli, project, "--actor", "LockBit", "--min-certainty", "claimed")
    assert "distance_km" not in found[0]
    assert {r["incident"].rsplit("/", 1)[-1] for r in found} >= {CHSF}
    assert all("LockBit" in r["actors"] for r in found)


def test_region_is_a_property_path(cli, project, built):
    found = attacks(cli, project, "--region", "Île-de-France", "--per", "site")
    assert {r["department"] for r in found} <= {
        "Paris",
        "Yvelines",
        "Essonne",
        "Hauts-de-Seine",
        "Seine-Saint-Denis",
        "Val-de-Marne",
        "Seine-et-Marne",
        "Val-d'Oise",
    }
    assert {r["incident"].rsplit("/", 1)[-1] for r in found} >= {CHSF, MIGNOT}


def test_a_region_named_like_communes_is_the_region(cli, project, built):
    # Communes named Bretagne exist in departments 36 and 90: --region looks among regions and
    # departments only, and Paris is the department, not the commune.
    found = attacks(cli, project, "--region", "Bretagne", "--per", "site")
    assert {r["incident"].rsplit("/", 1)[-1] for r in found} >= {
        "2023-03-09-chru-brest",
        "2023-06-21-chu-rennes",
    }
    assert {r["department"] for r in found} <= {
        "Finistère",
        "Ille-et-Vilaine",
        "Morbihan",
        "Côtes-d'Armor",
    }
    paris = attacks(cli, project, "--region", "Paris", "--per", "site")
    assert {r["department"] for r in paris} == {"Paris"}


def test_ght_exposure_lists_the_other_members_of_coeur_grand_est(cli, project, built):
    result = cli(
        "query", "ght-exposure", "--param", f"incident={COEUR}", "--format", "json", project=project
    )
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert {r["ghtName"] for r in answer} == {"GHT Cœur Grand Est"}
    members = {r["finess"] for r in answer}
    # the other members of GE-09 (data/ght_members.csv), seen from Vitry and from Saint-Dizier
    assert members >= {
        "550006795",
        "550003354",
        "520780040",
        "520780081",
        "520780065",
        "520780099",
        "550000095",
    }
    vitry = {r["finess"] for r in answer if "VITRY" in r["victimName"]}
    assert "510000078" not in vitry and "520780073" in vitry


def test_queries_lists_the_catalogue(cli, project):
    result = cli("queries", project=project)
    assert result.exit_code == 0
    for name, query in catalogue(REPO / "queries").items():
        assert f"{name}\n    {query.summary}" in result.stdout
    assert "--param actor=..." in result.stdout


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "sparql-json", "sparql-xml"])
def test_output_formats(cli, project, built, fmt):
    result = cli("query", "actor-counts", "--format", fmt, project=project)
    assert result.exit_code == 0
    out = result.stdout
    if fmt == "json":
        assert json.loads(out)[0].keys() == {"actor", "name", "incidents", "first", "last"}
    elif fmt == "sparql-json":
        doc = json.loads(out)
        assert doc["head"]["vars"] == ["actor", "name", "incidents", "first", "last"]
        assert doc["results"]["bindings"][0]["actor"]["type"] == "uri"
    elif fmt == "sparql-xml":
        assert out.startswith('<?xml version="1.0"?>\n<sparql xmlns=')
    elif fmt == "tsv":
        assert out.splitlines()[0] == "actor\tname\tincidents\tfirst\tlast"
    elif fmt == "csv":
        assert out.splitlines()[0] == "actor,name,incidents,first,last"
    else:
        assert out.splitlines()[0].split() == ["actor", "name", "incidents", "first", "last"]


def test_explain_prints_a_query_that_runs_anywhere(cli, project, built):
    result = cli(
        "attacks",
        "--near",
        "Paris",
        "--radius",
        "50",
        "--year",
        "2022",
        "--explain",
        project=project,
    )
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith('# _from = "2022-01-01"^^<http://www.w3.org/2001/XMLSchema#date>')
    # each group meets the values it uses: the period's group, and the WHERE group (box, radius)
    assert "VALUES (?_from ?_to) {" in text
    assert "VALUES (?_max_lat ?_max_lon ?_min_lat ?_min_lon ?_point ?_radius_km) {" in text
    assert "geof:distance(?point, ?_point, uom:metre)" in text and "hckfn:" not in text
    prepareQuery(text)  # it is a complete, valid query


def test_sparql_from_stdin_and_file(cli, project, built, tmp_path):
    ask = "ASK { ?i a <https://w3id.org/hospital-cyber-kg/ontology#Incident> }"
    result = cli("sparql", "-", "--format", "sparql-json", project=project, input=ask)
    assert json.loads(result.stdout) == {"head": {}, "boolean": True}
    construct = tmp_path / "q.rq"
    construct.write_text(
        "CONSTRUCT { ?a ?p ?o } WHERE { ?a a "
        "<https://w3id.org/hospital-cyber-kg/ontology#ThreatActor> ; ?p ?o }"
    )
    result = cli("sparql", str(construct), "--format", "nt", project=project)
    assert result.exit_code == 0 and "id/actor/lockbit>" in result.stdout
    describe = cli(
        "sparql",
        "-",
        project=project,
        input="DESCRIBE <https://w3id.org/hospital-cyber-kg/id/actor/lockbit>",
    )
    assert describe.exit_code == 0 and "LockBit" in describe.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "nope"], "error: no query named 'nope' in {queries} (`kg queries` lists them)"),
        (
            ["query", "attacks", "-p", "foo=1"],
            "error: query 'attacks' has no parameter 'foo' (it "
            "takes: near, radius_km, from, to, actor, region, kind, impact, min_certainty)",
        ),
        (
            ["query", "incidents-by-actor"],
            "error: query 'incidents-by-actor' needs the parameter "
            "'actor' (add --param actor=... (a threat actor or malware name, alias or slug))",
        ),
        (
            ["query", "attacks", "-p", "from"],
            "error: --param 'from' is not key=value (e.g. --param year=2022)",
        ),
        (
            ["attacks", "--year", "20222"],
            "error: --year is 20222, not a year (four digits, e.g. 2022)",
        ),
        (
            ["attacks", "--near", "Paris", "--radius", "-5"],
            "error: --radius is -5 km (give a distance above 0 and up to 20000)",
        ),
        (
            ["attacks", "--radius", "5"],
            "error: --radius needs --near (e.g. --near Paris --radius 50)",
        ),
        (
            ["attacks", "--from", "2022-13-40"],
            "error: --from is '2022-13-40', not a date of the "
            "calendar (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm)",
        ),
        (
            ["attacks", "--year", "2022", "--to", "2023"],
            "error: --year cannot be combined with --from or --to (use one or the other)",
        ),
        (
            ["attacks", "--min-certainty", "sure"],
            "error: 'min_certainty' is 'sure' (one of: unknown, suspected, claimed, confirmed)",
        ),
        (
            ["attacks", "--near", "Valence"],
            "error: 'Valence' is ambiguous: Valence (16, INSEE 16392); Valence (26, INSEE 26362); "
            "Valence (82, INSEE 82186) (add the department, e.g. 'Valence (16)', or give the "
            "INSEE code, e.g. 16392)",
        ),
        (  # the hint is built from the name as typed (issue 12.8)
            ["attacks", "--near", "saint-denis"],
            "error: 'saint-denis' is ambiguous: Saint-Denis (11, INSEE 11339); Saint-Denis (30, "
            "INSEE 30247); Saint-Denis (93, INSEE 93066); Saint-Denis (974, INSEE 97411) (add the "
            "department, e.g. 'saint-denis (11)', or give the INSEE code, e.g. 11339)",
        ),
        (
            ["attacks", "--near", "Pariss"],
            "error: unknown place 'Pariss' (did you mean: Paris "
            "(department 75); Paris (75, INSEE 75056); Prissé (71, INSEE 71360); Paissy (02, INSEE "
            "02582); Prissac (36, INSEE 36168); Prisces (02, INSEE 02623))",
        ),
        (
            ["attacks", "--actor", "Lockbitt"],
            "error: no actor or malware named 'Lockbitt' (did you "
            "mean: LockBit, LockBit 3.0, LockBit Black)",
        ),
        (
            ["attacks", "--region", "Brest"],
            "error: 'Brest' is Brest (29, INSEE 29019), not a region "
            "or a department (give a region or department name, e.g. Île-de-France or Essonne)",
        ),
    ],
)
def test_errors_are_one_line_and_exit_2(cli, project, built, args, message):
    result = cli(*args, project=project)
    assert result.exit_code == 2
    assert result.stderr.strip() == message.format(queries=REPO / "queries")
    assert result.stdout == ""


def test_no_match_where_one_is_required_exits_1(cli, project, built):
    result = cli("query", "incident-timeline", "-p", "incident=1999-01-01-nothing", project=project)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no match"


HOSTILE = [
    '"} ; DROP ALL ; #',
    "x' } } INSERT DATA { <a> <b> <c> } #",
    "line\nbreak\r\ttab",
    "back\\slash",
    '"""',
    "} UNION { ?s ?p ?o",
    "<http://evil/> .",
    "a" * 1999,
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_bound_not_pasted(cli, project, built, value):
    """A hostile search text finds nothing, and the query it runs has the structure of the
    query with a plain text: the value stayed one literal."""
    result = cli(
        "query", "find-incidents", "-p", f"text={value}", "--format", "csv", project=project
    )
    assert result.exit_code == 0 and result.stdout.strip() == "incident,date,name"
    engine = open_engine(project)
    query, bindings = prepare(project, "find-incidents", {"text": value}, engine)
    from kg.sparqltext import with_values

    def structure(v: str) -> str:
        from rdflib import Literal

        bound = with_values(query.text, {"_text": Literal(v)})
        return repr(prepareQuery(bound).algebra).replace(repr(Literal(v)), "VALUE")

    assert structure(value) == structure("benign")


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["query", "incident-timeline", "-p", "incident=x> } DROP ALL"], "error: 'incident' is "),
        (["query", "incident-timeline", "-p", "incident=http://a/ b"], "error: 'incident' is "),
        (["attacks", "--actor", '"} DROP ALL #'], "error: no actor or malware named "),
        (["attacks", "--near", "Paris\n} DROP ALL"], "error: unknown place "),
        (
            ["attacks", "--region", "x" * 5000],
            "error: the value of 'region' is 5000 characters long",
        ),
    ],
)
def test_hostile_values_of_other_types_are_refused(cli, project, built, args, start):
    result = cli(*args, project=project)
    assert result.exit_code == 2
    assert result.stderr.startswith(start) and "Traceback" not in result.stderr


def test_every_catalogue_query_gives_the_same_rows_on_both_embedded_engines(project, built):
    from kg.params import bind
    from kg.query import resolver

    samples = {
        "incidents-by-actor": {"actor": "LockBit"},
        "incidents-in-region": {"region": "Île-de-France"},
        "incident-timeline": {"incident": CHSF},
        "find-incidents": {"text": "hôpital"},
        "attacks": {"near": "Paris", "radius_km": "250"},
    }
    oxigraph, memory = open_engine(project, "oxigraph"), open_engine(project, "memory")
    for name, query in catalogue(REPO / "queries").items():
        if "register" in query.tags:
            # They join the register's thousands of hospitals, which rdflib's engine takes many
            # minutes over: both engines answer them alike on the fixture (test_queries.py),
            # Virtuoso as Oxigraph on this graph (test_push.py).
            continue
        bindings = bind(query, samples.get(name, {}), resolver(project, oxigraph))
        assert rows(oxigraph.select(query.text, bindings)) == rows(
            memory.select(query.text, bindings)
        ), name


def keys(found):
    return {r["incident"].rsplit("/", 1)[-1] for r in found}


def test_region_by_code_53_is_bretagne_and_the_choice_is_said(cli, project, built):
    by_name = attacks(cli, project, "--region", "Bretagne")
    result = cli("attacks", "--region", "53", "--format", "csv", project=project)
    assert result.exit_code == 0
    assert result.stdout == cli("attacks", "--region", "Bretagne", "--format", "csv",
                                project=project).stdout
    assert keys(by_name) >= {"2023-03-09-chru-brest", "2023-06-21-chu-rennes"}
    assert result.stderr.splitlines()[0] == (
        "note: 53 is read as the region Bretagne; for the department Mayenne give "
        "'department 53' or its name"
    )


def test_region_by_department_code_2a_and_overseas(cli, project, built):
    corsica = attacks(cli, project, "--region", "2A", "--per", "site")
    assert corsica and {r["department"] for r in corsica} == {"Corse-du-Sud"}
    assert attacks(cli, project, "--region", "2a", "--per", "site") == corsica
    for code in ("971", "972", "973", "974", "976"):
        found = attacks(cli, project, "--region", code, "--per", "site")
        assert {r["department"] for r in found} <= {
            "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"}, code


def test_near_bretagne_is_the_region_with_its_homonyms_named(cli, project, built):
    result = cli("attacks", "--near", "Bretagne", "--radius", "20", project=project)
    assert result.exit_code == 0
    assert "2023-06-21-chu-rennes" in result.stdout  # 20 km around the region's chef-lieu, Rennes
    assert result.stderr.strip() == (
        "note: 'Bretagne' is read as Bretagne (region 53); also named so: Bretagne (36, INSEE "
        "36024); Bretagne (90, INSEE 90019) (give e.g. 'Bretagne (36)' for another)"
    )


def test_kind_keeps_incidents_of_that_type(cli, project, built):
    ddos = attacks(cli, project, "--kind", "ddos")
    assert "2024-01-15-chu-nantes-ddos" in keys(ddos)
    assert keys(attacks(cli, project, "--kind", "Attaque par déni de service")) == keys(ddos)
    leaks = attacks(cli, project, "--kind", "data-breach", "--year", "2024")
    assert keys(leaks) == {"2024-11-aleo-sante-mediboard"}
    assert keys(ddos) & keys(attacks(cli, project, "--kind", "ransomware")) == set()


def test_impact_keeps_incidents_where_it_is_known_or_suspected(cli, project, built):
    published = keys(attacks(cli, project, "--impact", "data-published"))
    assert CHSF in published
    assert keys(attacks(cli, project, "--impact", "Données publiées")) == published
    # Nantes 2024: data theft ruled out, so not listed among thefts
    assert "2024-01-15-chu-nantes-ddos" not in keys(attacks(cli, project, "--impact",
                                                          "data-stolen"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["attacks", "--kind", "phishing"],
            "error: 'kind' is 'phishing' (one of: data-breach, ddos, intrusion, ransomware, "
            "supply-chain)",
        ),
        (
            ["attacks", "--region", "20"],
            "error: no region or department has the code 20 (departments are 01 to 95, 2A, 2B "
            "and 971 to 976; regions e.g. 11 (Île-de-France), 53 (Bretagne), 94 (Corse))",
        ),
    ],
)
def test_kind_and_code_errors(cli, project, built, args, message):
    result = cli(*args, project=project)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_ght_exposure_lists_the_members_at_the_time_of_the_attack(cli, project, built):
    """data/ght_members.csv: IDF-04's 780110037 and 780140026 merged into the CH de Plaisir on
    2018-01-01, before the attack on André-Mignot (2022-12-03); ARA-02's CH de Modane
    (730780566) left on 2021-01-01, after the attack on Albertville-Moûtiers (2020-12-21)."""

    def exposed(incident: str) -> set[str]:
        result = cli("query", "ght-exposure", "--param", f"incident={incident}",
                     "--format", "json", project=project)
        assert result.exit_code == 0
        return {r["finess"] for r in json.loads(result.stdout)}

    mignot = exposed("2022-12-03-ch-andre-mignot")
    assert "780024113" in mignot and not mignot & {"780110037", "780140026"}
    assert "730780566" in exposed("2020-12-21-ch-albertville-moutiers")
