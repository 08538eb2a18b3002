"""kg import stix: our own bundle back into a project without incidents gives the same bundle;
MITRE ATT&CK's LockBit entries are linked to our malware, not duplicated; a partner's bundle is
mapped where the model allows and kept otherwise; invalid bundles are refused whole."""

from __future__ import annotations

import csv
import json

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg.exporting.stix import bundle, dumps
from kg.importing.stix import existing_graph, map_bundles
from kg.importing.stix_bundles import read_bundles
from kg.loading.places import COG_SOURCE, GEONAMES_SOURCE
from kg.namespaces import GRAPHS, HCK, ID, SCHEMA, concept, resource
from kg.project import Project
from kg.store import build, current_build, open_dataset
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "stix"
ATTACK = sorted((FIXTURES / "mitre-cti").glob("malware--*.json"))
S1202 = "malware--71fe9df1-1c6f-430c-ab9b-ff3c11074e52"
S1199 = "malware--a4578560-42cf-4075-9fa2-056f0058c881"
REGISTER = (
    "finess_categories.csv",
    "legal_entities.csv",
    "establishments.csv",
    "ghts.csv",
    "ght_members.csv",
    "organisations.csv",
)
NOT_IMPORTED = "error: 1 error in the STIX bundles; nothing was imported"


def empty(project: Project) -> None:
    """Keep the reference data (ontology, gazetteer, FINESS register, GHTs and organisations,
    and the sources they cite), drop incidents, actors and malware: what victims and places need
    to round-trip."""
    data = project.data
    for name in ("actors.csv", "malware.csv"):
        header = (data / name).read_text(encoding="utf-8").splitlines()[0]
        (data / name).write_text(header + "\n", encoding="utf-8")
    for path in (data / "incidents").glob("*.yaml"):
        path.unlink()
    cited = {COG_SOURCE, GEONAMES_SOURCE}
    for name in REGISTER:
        with (data / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for column in ("source", "geo_source", "beds_source"):
                    cited |= {u.strip() for u in (row.get(column) or "").split(" | ") if u.strip()}
    with (data / "sources.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with (data / "sources.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [rows[0], *(r for r in rows[1:] if r and r[0] in cited)]
        )


def select(project: Project, query: str) -> list[tuple]:
    ds = open_dataset(current_build(project))  # type: ignore[arg-type]
    prefixes = (
        "PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "PREFIX schema: <http://schema.org/>\n"
    )
    return sorted(tuple(str(term) for term in row) for row in ds.query(prefixes + query))


# --- round trip ---------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_bundle(cli, built, project_copy, tmp_path):
    from kg.validation import validate_build

    first = dumps(bundle(built))
    shipped = tmp_path / "shipped.json"
    shipped.write_bytes(first)
    empty(project_copy)
    before = build(project_copy)
    assert HCK.Incident not in {URIRef(c) for c in before.manifest["classes"]}
    result = cli("import", "stix", str(shipped), project=project_copy)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{len(json.loads(first)['objects'])} STIX objects from 1 ")
    again = tmp_path / "again.json"
    assert cli("export", "stix", "-o", str(again), project=project_copy).exit_code == 0
    assert again.read_bytes() == first
    assert validate_build(project_copy).conforms


def test_reimporting_our_own_bundle_changes_nothing(cli, built, project_copy, tmp_path):
    first = dumps(bundle(built))
    shipped = tmp_path / "shipped.json"
    shipped.write_bytes(first)
    assert cli("import", "stix", str(shipped), project=project_copy).exit_code == 0
    again = cli("export", "stix", project=project_copy)
    assert again.stdout.encode() == first
    lines = (project_copy.imports / "stix.nq").read_text(encoding="utf-8").splitlines()
    assert all("/id/stix/" in line for line in lines)  # only the provenance of each object


# --- MITRE ATT&CK -------------------------------------------------------------------------------


def test_attack_lockbit_is_linked_to_our_malware_not_duplicated(cli, project_copy):
    before = build(project_copy)
    result = cli("import", "stix", *map(str, ATTACK), project=project_copy)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2 STIX objects from 2 bundle(s): 1 created, 1 matched; ")
    assert lines[1].startswith(
        f"{S1202}  matched 'LockBit 3.0' -> <{resource('malware', 'lockbit-3')}>: "
        "matched by ATT&CK id S1202 (kept as JSON: "
    )
    assert lines[2].startswith(
        f"{S1199}  created 'LockBit 2.0' -> <{resource('malware', 'lockbit-2-0')}> (kept as JSON: "
    )
    named = select(
        project_copy,
        "SELECT DISTINCT ?m WHERE { ?m a hck:Malware ; skos:prefLabel|skos:altLabel ?l "
        "FILTER(LCASE(STR(?l)) IN ('lockbit 3.0', 'lockbit black')) }",
    )
    assert named == [(str(resource("malware", "lockbit-3")),)]
    links = select(
        project_copy,
        "SELECT DISTINCT ?m ?id ?match WHERE { ?m hck:attackId ?id ; schema:sameAs ?match "
        "FILTER(STRSTARTS(STR(?match), 'https://attack.mitre.org/')) "
        "FILTER(STRSTARTS(?id, 'S11') || STRSTARTS(?id, 'S12')) }",
    )
    assert links == [
        (
            str(resource("malware", "lockbit-2-0")),
            "S1199",
            "https://attack.mitre.org/software/S1199/",
        ),
        (
            str(resource("malware", "lockbit-3")),
            "S1202",
            "https://attack.mitre.org/software/S1202/",
        ),
    ]
    actors = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a hck:ThreatActor }"
    assert int(select(project_copy, actors)[0][0]) == len(
        list(open_dataset(before).subjects(RDF.type, HCK.ThreatActor, unique=True))
    )
    lockbit_3 = resource("malware", "lockbit-3")
    used = f"SELECT DISTINCT ?a WHERE {{ <{lockbit_3}> hck:usedBy ?a }}"
    assert select(project_copy, used) == [(str(resource("actor", "lockbit")),)]


def test_attack_properties_without_a_place_are_kept_as_json(project_copy):
    from kg.importing.stix import import_bundles

    import_bundles(project_copy, ATTACK)
    lines = (project_copy.imports / "stix.nq").read_text(encoding="utf-8").splitlines()
    assert all(line.endswith(f"<{GRAPHS['stix']}> .") for line in lines)
    ds = open_dataset(current_build(project_copy))  # type: ignore[arg-type]
    node = ID[f"stix/{S1199}"]
    assert str(ds.value(node, DCTERMS.identifier)) == S1199
    assert ds.value(node, RDFS.seeAlso) == resource("malware", "lockbit-2-0")
    kept = ds.value(node, RDFS.comment)
    assert kept.datatype == RDF.JSON  # type: ignore[union-attr]
    rest = json.loads(str(kept))
    assert rest["x_mitre_platforms"] == ["Windows"]
    assert rest["description"].startswith("[LockBit 2.0](https://attack.mitre.org/software/S1199)")
    assert {"name", "x_mitre_aliases", "type", "id"}.isdisjoint(rest)
    matched = json.loads(str(ds.value(ID[f"stix/{S1202}"], RDFS.comment)))
    cited = {r.get("url") for r in matched["external_references"]}
    assert "https://attack.mitre.org/software/S1202" not in cited  # it became schema:sameAs
    assert len(cited) > 1  # ATT&CK's citations: our node has its own sources


# --- a partner's bundle -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def foreign(built):
    bundles = read_bundles([FIXTURES / "foreign-incident.json"])
    report, graph = map_bundles(bundles, existing_graph(built))
    return {e.id: e for e in report.entries}, graph


PARTNER = resource(
    "incident", "2022-08-20-ransomware-at-the-corbeil-essonnes-hospital-as-a-partner-rep"
)


def test_a_partner_incident_is_mapped(foreign):
    entries, g = foreign
    entry = entries["incident--c1f2e3d4-b5a6-4978-8a1b-2c3d4e5f6a7b"]
    assert (entry.status, entry.iri) == ("created", str(PARTNER))
    chsf = resource("incident", "2022-08-21-chsf-corbeil-essonnes")
    assert entry.notes == [
        "start from first_seen",
        f"the graph has <{chsf}> with the same victim and start: the same incident?",
    ]
    assert (
        g.value(PARTNER, HCK.startDate).toPython()
        == Literal(  # type: ignore[union-attr]
            "2022-08-20T23:00:00Z", datatype=XSD.dateTime
        ).toPython()
    )
    assert g.value(PARTNER, HCK.incidentType) == concept("incident-type", "ransomware")
    assert g.value(PARTNER, HCK.victim) == resource("establishment", "910020254")
    impact = URIRef(f"{PARTNER}/impact/ransom-demanded")
    assert g.value(PARTNER, HCK.impact) == impact
    assert g.value(impact, HCK.date) == Literal("2022-08-22", datatype=XSD.date)
    money = g.value(impact, HCK.amount)
    assert (str(g.value(money, SCHEMA.value)), str(g.value(money, SCHEMA.currency))) == (
        "10000000", "USD"
    )  # fmt: skip
    claim = URIRef(f"{PARTNER}/attribution/lockbit")
    assert g.value(claim, HCK.attributedTo) == resource("actor", "lockbit")
    assert g.value(claim, HCK.certainty) == concept("certainty", "confirmed")  # confidence 75
    assert g.value(claim, SKOS.note) == Literal(
        "The partner's analysts attribute the attack to LockBit.", lang="en"
    )
    matched = entries["intrusion-set--8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b"]
    assert (matched.status, matched.notes) == ("matched", ["matched by name or alias 'LOCKBIT'"])
    assert (resource("actor", "lockbit"), SKOS.altLabel, Literal("LockBitSupp")) in g


def test_what_has_no_place_is_kept_and_reported(foreign):
    entries, g = foreign
    kept = {k: e.notes for k, e in entries.items() if e.status == "kept"}
    assert kept == {
        "identity--1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b": [
            "FINESS 750000010 is not in the register (add the establishment to "
            "data/establishments.csv)"
        ],
        "incident--9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d": [
            "no incident type we know (incident_types, e.g. ransomware); no 'targets' "
            "victim of the graph (an identity with its FINESS number, or our IRI of a GHT or "
            "an organisation)"
        ],
        "location--7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2f1e": [
            "no INSEE code of a commune of the graph"
        ],
        "relationship--5e4d3c2b-1a0f-4e9d-8c7b-a6f5e4d3c2b1": [
            "no mapping for a 'targets' relationship between these objects"
        ],
        "x-partner-case--2b1a0f9e-8d7c-4b6a-95f4-e3d2c1b0a9f8": [
            "no mapping for type 'x-partner-case'"
        ],
    }
    source = json.loads((FIXTURES / "foreign-incident.json").read_text(encoding="utf-8"))
    for obj in source["objects"]:
        kept_json = g.value(ID[f"stix/{obj['id']}"], RDFS.comment)
        if obj["id"] in kept:  # kept whole: everything but type, id and spec_version
            rest = {k: v for k, v in obj.items() if k not in ("type", "id", "spec_version")}
            assert json.loads(str(kept_json)) == rest
    partner = json.loads(str(g.value(ID["stix/incident--c1f2e3d4-b5a6-4978-8a1b-2c3d4e5f6a7b"],
                                     RDFS.comment)))  # fmt: skip
    assert partner["x_partner_ticket"] == "CERT-2022-0815"
    assert partner["extensions"] == {
        "extension-definition--ef765651-680c-498d-9894-99799f2fa126": {"criticality": 80}
    }
    assert partner["external_references"] == [
        {"source_name": "partner-ticketing", "external_id": "CERT-2022-0815"}
    ]


# --- invalid bundles ----------------------------------------------------------------------------


INVALID = {
    "missing-id": "{path}: object 2 (malware) has no 'id'",
    "wrong-type": "{path}: malware--7d3c2b1a-5e4f-4a3b-8c2d-1e0f9a8b7c6d: 'type' is "
    "'threat-actor' but the id is of type 'malware'",
    "unknown-target": "{path}: relationship--2a6b1f0e-9d8c-4b7a-a6e5-d4c3b2a19f08: target_ref "
    "'malware--9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b' is not an object of the bundles (import "
    "the bundle that defines it in the same command)",
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_an_invalid_bundle_is_refused_whole(cli, project_copy, name):
    before = build(project_copy)
    path = FIXTURES / "invalid" / f"{name}.json"
    result = cli("import", "stix", str(FIXTURES / "foreign-incident.json"), str(path),
                 project=project_copy)  # fmt: skip
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [NOT_IMPORTED, INVALID[name].format(path=path)]
    assert not (project_copy.imports / "stix.nq").exists()
    assert current_build(project_copy).key == before.key  # type: ignore[union-attr]


def test_errors_of_several_bundles_are_listed_together_and_the_last_import_stays(
    cli, project_copy, tmp_path
):
    assert cli("import", "stix", *map(str, ATTACK), project=project_copy).exit_code == 0
    kept = (project_copy.imports / "stix.nq").read_bytes()
    not_json = tmp_path / "notes.json"
    not_json.write_text("{'type': 'bundle'}", encoding="utf-8")
    paths = [FIXTURES / "invalid" / "missing-id.json", not_json]
    result = cli("import", "stix", *map(str, paths), project=project_copy)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: 2 errors in the STIX bundles; nothing was imported",
        f"{paths[0]}: object 2 (malware) has no 'id'",
        f"{not_json}: not JSON (Expecting property name enclosed in double quotes at line 1)",
    ]
    assert (project_copy.imports / "stix.nq").read_bytes() == kept


def test_a_file_that_is_not_a_bundle(tmp_path):
    from kg.importing.stix_bundles import StixErrors

    path = tmp_path / "object.json"
    path.write_text(json.dumps({"type": "malware", "id": S1199}), encoding="utf-8")
    with pytest.raises(StixErrors) as caught:
        read_bundles([path])
    assert caught.value.errors == [
        f"{path}: not a STIX bundle (its 'type' is 'malware', not 'bundle')"
    ]


def test_our_extension_dates_and_other_values_are_checked(tmp_path):
    from kg.exporting.stix_mapping import HCK_EXTENSION
    from kg.importing.stix_bundles import StixErrors

    ident = "incident--3d2c1b0a-9f8e-4d7c-b6a5-f4e3d2c1b0a9"
    obj = {
        "type": "incident",
        "id": ident,
        "name": "x",
        "confidence": 101,
        "created": "2024-05-02",
        "extensions": {HCK_EXTENSION: {"extension_type": "property-extension", "start": "2022-13"}},
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"type": "bundle", "objects": [obj]}), encoding="utf-8")
    with pytest.raises(StixErrors) as caught:
        read_bundles([path])
    assert caught.value.errors == [
        f"{path}: {ident}: 'created' is '2024-05-02', not a STIX timestamp (UTC, ...Z)",
        f"{path}: {ident}: 'confidence' is 101, not an integer from 0 to 100",
        f"{path}: {ident}: 'start' of the hospital-cyber-kg extension: '2022-13' is not a date: "
        "there is no month 13 (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm)",
    ]


def test_the_newest_version_of_an_object_wins(tmp_path):
    obj = json.loads(ATTACK[0].read_text(encoding="utf-8"))["objects"][0]
    older = {**obj, "modified": "2020-01-01T00:00:00.000Z", "name": "Old name"}
    paths = []
    for n, version in enumerate((older, obj)):
        paths.append(tmp_path / f"{n}.json")
        paths[-1].write_text(json.dumps({"type": "bundle", "objects": [version]}), encoding="utf-8")
    bundles = read_bundles(paths)
    assert bundles.objects[obj["id"]]["name"] == obj["name"]
    assert bundles.superseded == [(obj["id"], "2020-01-01T00:00:00.000Z")]


def test_docs_cover_the_mapping():
    docs = (REPO / "docs" / "stix.md").read_text(encoding="utf-8")
    for needed in ("extension-definition--ef765651-680c-498d-9894-99799f2fa126",
                   "Appendix A", "Lossy", "monetary-ext", "first_seen"):  # fmt: skip
        assert needed in docs, needed


def test_fixtures_are_verbatim_attack_files():
    import hashlib

    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for path in ATTACK:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in readme
        assert (
            f"421deacb77191b38bdd1bf63268954e93da91365/enterprise-attack/malware/{path.name}"
            in readme
        )
