"""kg import finess: real lines of the etalab extract, spreadsheet-mangled and broken lines, the
projections, the model against the shapes, the store, and the synthetic register."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.errors import DataError, KgError
from kg.geo import distance_km
from kg.importing.finess import (
    SYNTHETIC_BASE,
    FinessReport,
    NothingImported,
    convert,
    import_finess,
    is_hospital,
    write_ntriples,
)
from kg.importing.finess_geo import insee_commune, projection, to_wgs84
from kg.namespaces import GEO, GRAPHS, HCK, SCHEMA, resource
from kg.project import Project
from kg.store import current_build
from kg.validation import load_ontology, load_shapes, validate_graph
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "finess"
REAL = FIXTURES / "etalab-real.csv"
SPREADSHEET = "the file was saved by a spreadsheet? use the original extract"
DOWNLOAD = (
    "download etalab-cs1100507-stock-*.csv from "
    "https://www.data.gouv.fr/fr/datasets/finess-extraction-du-fichier-des-etablissements/"
)


def converted(source: Path, tmp_path: Path, base: str | None = None) -> tuple[FinessReport, Graph]:
    """The report of converting `source` to N-Triples, and the N-Triples parsed by rdflib."""
    out = tmp_path / f"{source.stem}.nt"
    report = convert(source, out, root=REPO, base=base)
    return report, Graph().parse(out, format="nt")


def establishment(number: str) -> URIRef:
    return resource("establishment", number)


# --- real lines ------------------------------------------------------------------------------


def test_real_lines_are_imported_and_counted(tmp_path):
    report, g = converted(REAL, tmp_path)
    assert (report.extract_date, report.synthetic, report.encoding) == (
        "2026-05-12",
        False,
        "UTF-8",
    )
    assert report.lines == 17
    counts = (report.establishments, report.hospitals, report.geolocated)
    assert counts == (11, 4, 2)
    assert (report.legal_entities, report.communes, report.triples) == (10, 10, len(g))
    assert dict(report.by_reason) == {"unknown commune": 3, "overseas collectivity": 1}
    assert len(set(g.subjects(None, HCK.Establishment))) == 11


def test_real_lines_rejected_for_real_reasons(tmp_path):
    report, _g = converted(REAL, tmp_path)
    gone = (
        "the gazetteer holds today's INSEE communes; a commune merged or renamed since the "
        "register's entry has a new code"
    )
    assert [str(r) for r in report.rejected] == [
        f"{REAL}:3: commune 97123 ('departement' 9A, 'commune' 123) is not in "
        f"data/gazetteer/communes.csv ({gone})",
        f"{REAL}:4: commune 97127 ('departement' 9A, 'commune' 127) is not in "
        f"data/gazetteer/communes.csv ({gone})",
        f"{REAL}:5: commune 97127 ('departement' 9A, 'commune' 127) is not in "
        f"data/gazetteer/communes.csv ({gone})",
        f"{REAL}:13: commune 98613 (Uvea) is in Wallis et Futuna (986), an overseas "
        "collectivity, not a department (the graph places establishments in departments only)",
    ]


def test_a_real_line_becomes_the_curated_model(tmp_path):
    _report, g = converted(REAL, tmp_path)
    chu = establishment("970400024")
    assert set(g.objects(chu, RDF.type)) == {
        HCK.Establishment,
        SCHEMA.Hospital,
    }
    assert g.value(chu, HCK.finessNumber) == Literal("970400024")
    assert g.value(chu, SCHEMA.name) == Literal("CHU SITE FELIX GUYON (SAINT DENIS)")
    assert g.value(chu, HCK.legalEntity) == resource("legal-entity", "970408589")
    assert g.value(chu, HCK.category) == URIRef(
        "https://w3id.org/hospital-cyber-kg/vocab/finess-category/101"
    )
    address = g.value(chu, SCHEMA.address)
    assert g.value(address, SCHEMA.streetAddress) == Literal("ALL DES TOPAZES, CS 11021")
    assert g.value(address, SCHEMA.postalCode) == Literal("97405")
    assert g.value(address, SCHEMA.addressLocality) == Literal("ST DENIS CEDEX")
    # the doubled quotes of a quoted field
    assert g.value(establishment("980501506"), SCHEMA.name) == Literal(
        'LIEU DE VIE "MAVOUNA MEMA 1"'
    )


def test_department_codes_map_to_insee_communes(tmp_path):
    assert insee_commune("01", "451") == "01451"
    assert insee_commune("2A", "004") == "2A004"
    assert insee_commune("9D", "411") == "97411"
    assert insee_commune("9F", "606") == "97606"
    assert insee_commune("9J", "613") == "98613"
    assert insee_commune("9D", "311") is None  # not a commune of La Réunion
    assert insee_commune("20", "004") is None
    assert insee_commune("1", "451") is None
    assert insee_commune("9G", "101") is None
    _report, g = converted(REAL, tmp_path)
    assert g.value(establishment("970400024"), HCK.commune) == resource("commune", "97411")
    _report, g = converted(FIXTURES / "variants.csv", tmp_path)
    assert g.value(establishment("2A0000154"), HCK.commune) == resource("commune", "2A004")


def position(g: Graph, number: str) -> tuple[float, float]:
    node = establishment(number)
    return float(g.value(node, SCHEMA.latitude)), float(g.value(node, SCHEMA.longitude))


def test_real_coordinates_are_reprojected_to_their_known_position(tmp_path):
    _report, g = converted(REAL, tmp_path)
    # France-Monitor's control values for the same lines (tests/fixtures/finess/README.md)
    assert distance_km(*position(g, "010000024"), 46.22229, 5.20918) < 0.005
    assert distance_km(*position(g, "970100012"), 16.234, -61.52874) < 0.005
    geometry = URIRef(f"{establishment('010000024')}/geometry")
    assert str(g.value(geometry, GEO.asWKT)) == "POINT(5.209181 46.222286)"


def test_lambert93_origin_is_its_defining_point():
    # Lambert-93: false easting 700000, false northing 6600000 at 46°30'N 3°E (its definition)
    ((lat, lon),) = to_wgs84(2154, [700000.0], [6600000.0])
    assert (round(lat, 9), round(lon, 9)) == (46.5, 3.0)


@pytest.mark.parametrize(
    ("source", "epsg"),
    [
        ("1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)", 2154),
        ("2,ATLASANTE,96,BAN,EPSG:5490 RGAF09/UTM Zone 20N (Antilles)", 5490),
        ("2,ATLASANTE,100,BDADRESSE,EPSG:4471 RGM04/UTM zone 38S (Mayotte)", 4471),
        ("2,ATLASANTE,90,BAN,WGS84/UTM zone 21N (St-Pierre-et-Miquelon)", 32621),
        ("4,ATLASANTE,.,MAPS 06-11-2024,WGS84/UTM zone 1S (Wallis-et-Futuna)", 32701),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.1,LAMBERT_93", 2154),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N20", 4559),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N21", 4467),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_N22", 2972),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_S38", 4471),
        ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,UTM_S40", 2975),
        ("1,ATLASANTE,96,BAN,EPSG:9999 Unknown / Somewhere", None),
        ("", None),
    ],
)
def test_projection_is_read_from_sourcecoordet(source, epsg):
    assert projection(source) == epsg


def test_hospitals_are_the_category_groups_11xx():
    assert [is_hospital(g) for g in ("1101", "1102", "1109", "1110", "1203", "4401")] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]


def test_older_source_field_and_variants(tmp_path):
    report, g = converted(FIXTURES / "variants.csv", tmp_path)
    assert (report.establishments, report.geolocated, report.rejected) == (4, 3, [])
    assert distance_km(*position(g, "010000024"), 46.222745, 5.208596) < 0.001
    assert distance_km(*position(g, "970400024"), -20.88231, 55.45040) < 0.01  # UTM_S40
    assert distance_km(*position(g, "780800256"), 48.831264, 2.127224) < 0.01


def test_a_windows_1252_file_reads_the_same(tmp_path):
    folder = tmp_path / "cp1252"
    folder.mkdir()
    legacy = folder / REAL.name
    legacy.write_bytes(REAL.read_text(encoding="utf-8").encode("cp1252"))
    (tmp_path / "utf8").mkdir()
    report = convert(legacy, tmp_path / "cp1252.nt", root=REPO)
    assert report.encoding == "Windows-1252"
    convert(REAL, tmp_path / "utf8.nt", root=REPO)
    assert (tmp_path / "cp1252.nt").read_bytes() == (tmp_path / "utf8.nt").read_bytes()
    assert '"Centre Hospitalier Régional (C.H.R.)"@fr' in (tmp_path / "utf8.nt").read_text(
        encoding="utf-8"
    )


def test_the_same_extract_gives_the_same_bytes(tmp_path):
    convert(REAL, tmp_path / "a.nt", root=REPO)
    convert(REAL, tmp_path / "b.nt", root=REPO)
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()


def test_place_nodes_are_the_builds_own(tmp_path):
    """The commune, department and region triples are those of kg.loading.places."""
    from kg.loading.context import Context
    from kg.loading.places import COG_SOURCE, GEONAMES_SOURCE, load_places, read_places
    from kg.namespaces import source_iri

    _report, g = converted(REAL, tmp_path)
    ctx = Context(root=REPO)
    places = read_places(ctx)
    ctx.sources = {url: source_iri(url) for url in (COG_SOURCE, GEONAMES_SOURCE)}
    ctx.communes_used = {str(c).rsplit("/", 1)[1] for c in g.objects(None, HCK.commune)}
    load_places(ctx, places)
    expected = set(ctx.graph("places"))
    subjects = {s for s, _p, _o in expected}
    assert {t for t in g if t[0] in subjects} == expected


# --- bad lines -------------------------------------------------------------------------------


def test_each_bad_line_is_rejected_with_its_line_and_reason(tmp_path):
    bad = FIXTURES / "bad-lines.csv"
    report, g = converted(bad, tmp_path)
    far = "x and y swapped, or the wrong projection?"
    assert [str(r) for r in report.rejected] == [
        f"{bad}:5: 'siret' is '2,601E+13', not 14 digits ({SPREADSHEET})",
        f"{bad}:6: 'dateouv' is '12/06/1989', not YYYY-MM-DD ({SPREADSHEET})",
        f"{bad}:7: 30 fields where a structureet line has 32 ({SPREADSHEET})",
        f"{bad}:8: 'nofinesset' '010000025' fails the FINESS check key: its last digit should "
        "be 4; check the number against the register",
        f"{bad}:9: 'departement' is '1', not a FINESS department code "
        f"(01..95, 2A, 2B, 9A..9F, 9J) ({SPREADSHEET})",
        f"{bad}:10: establishment 010000024 is listed twice (first at line 2) (keep one line)",
        f"{bad}:12: unknown projection in 'sourcecoordet' '1,ATLASANTE,96,BAN,EPSG:9999 "
        "Unknown / Somewhere' (expected an EPSG code (EPSG:2154, 5490, 2972, 2975, 4471), a "
        "WGS84 UTM zone, or LAMBERT_93, UTM_N20, UTM_N21, UTM_N22, UTM_S38, UTM_S40)",
        f"{bad}:13: coordinates 544349.1, 353672.8 (EPSG:2972) fall at 3.19968, -50.60083, "
        f"273 km from Cayenne (97302) ({far})",
        f"{bad}:14: establishment 010000025 was not imported (line 8 was rejected)",
        f"{bad}:15: establishment 970100012 has no structureet line in this file (the "
        "geolocalisation lines follow the structureet lines of the same extract)",
        f"{bad}:16: coordinates '338811,2', '7690100,3' are not numbers ({SPREADSHEET})",
        f"{bad}:17: establishment 010000024 is geolocated twice (first at line 11) (keep one line)",
    ]
    assert (report.lines, report.establishments, report.geolocated) == (16, 3, 1)
    # a rejected geolocalisation line leaves its establishment imported, without coordinates
    assert g.value(establishment("970300026"), SCHEMA.latitude) is None
    assert g.value(establishment("970300026"), SCHEMA.name) is not None
    assert g.value(establishment("010000032"), SCHEMA.name) is None


def test_a_spreadsheet_copy_is_refused_whole(tmp_path):
    copy = FIXTURES / "spreadsheet-copy.csv"
    out = tmp_path / "out.nt"
    with pytest.raises(DataError) as raised:
        write_ntriples(copy, out, root=REPO)
    assert str(raised.value) == (
        f"{copy}:1: the first line is 'finess;nofinesset;nofinessej;rs;rslongue;complrs;"
        "compldis...', not 'finess;etalab;N;YYYY-MM-DD': this is not the FINESS extract "
        f"(a column header: {SPREADSHEET})"
    )
    assert list(tmp_path.iterdir()) == []


def test_spreadsheet_lines_are_rejected_one_by_one_and_nothing_is_written(tmp_path):
    lines = FIXTURES / "spreadsheet-lines.csv"
    with pytest.raises(NothingImported) as raised:
        write_ntriples(lines, tmp_path / "out.nt", root=REPO)
    assert str(raised.value) == (
        f"{lines}: no establishment could be imported (8 lines rejected); nothing was imported "
        "(fix the rejected lines listed above, or use the original extract)"
    )
    department = (
        "'departement' is '1', not a FINESS department code (01..95, 2A, 2B, 9A..9F, 9J) "
        f"({SPREADSHEET})"
    )
    fields = f"12 fields where a geolocalisation line has 6 ({SPREADSHEET})"
    assert [str(r) for r in raised.value.report.rejected] == [
        *(f"{lines}:{n}: {department}" for n in range(2, 7)),
        *(f"{lines}:{n}: {fields}" for n in range(7, 10)),
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "{path}: is empty, not a FINESS extract ({download})"),
        (
            "finess;etalab;111;12/05/2026\n",
            "{path}:1: the first line is 'finess;etalab;111;12/05/2026', not "
            "'finess;etalab;N;YYYY-MM-DD': this is not the FINESS extract ({download})",
        ),
        (
            "equipementsocial;010000024\n",
            "{path}:1: the first line is 'equipementsocial;010000024', not "
            "'finess;etalab;N;YYYY-MM-DD': this is not the FINESS extract ({download})",
        ),
        (
            "finess;synthetic;1;2026-01-01\n",
            "{path}:1: the first line 'finess;synthetic;1;2026-01-01' marks a synthetic "
            "register, not the published extract (import it under its own namespace: base "
            "https://w3id.org/hospital-cyber-kg/synthetic/id/)",
        ),
    ],
)
def test_not_an_extract(cli, project_copy, tmp_path, content, message):
    path = tmp_path / "etalab.csv"
    path.write_text(content, encoding="utf-8")
    result = cli("import", "finess", str(path), project=project_copy)
    assert result.exit_code == 2
    expected = message.format(path=path, download=DOWNLOAD)
    assert result.stderr.splitlines()[-1] == f"error: {expected}"
    assert result.stdout == ""
    assert current_build(project_copy) is None


def test_a_base_must_be_an_iri_prefix(tmp_path):
    with pytest.raises(KgError) as raised:
        convert(REAL, tmp_path / "x.nt", root=REPO, base="urn:x")
    assert str(raised.value) == (
        f"'urn:x' is not an IRI prefix for the resources of {REAL} (an http(s) IRI ending in "
        "'/', e.g. https://w3id.org/hospital-cyber-kg/synthetic/id/)"
    )


# --- the shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["etalab-real.csv", "bad-lines.csv", "variants.csv"])
def test_the_imported_graph_conforms_to_the_shapes(tmp_path, name):
    _report, g = converted(FIXTURES / name, tmp_path)
    data = load_ontology(REPO)
    data += g
    report = validate_graph(data, load_shapes(REPO))
    assert [r.message for r in report.results if r.severity == "Violation"] == []


# --- the command -----------------------------------------------------------------------------

SUMMARY = """\
etalab-real.csv: FINESS extract of 2026-05-12 (UTF-8), 17 lines read
       11  establishments imported
        4    of which hospitals (category group 11xx)
        2  geolocated
       10  legal entities
       10  communes
        4  lines rejected
        1    overseas collectivity
        3    unknown commune
"""


def test_output_writes_ntriples_that_rdflib_parses(cli, project, tmp_path):
    out = tmp_path / "finess.nt"
    result = cli("import", "finess", str(REAL), "--output", str(out), project=project)
    assert result.exit_code == 0, result.stderr
    g = Graph().parse(out, format="nt")
    assert result.stdout == SUMMARY + f"wrote {len(g)} triples to {out}\n"
    assert len(result.stderr.splitlines()) == 4
    assert [p.name for p in tmp_path.iterdir()] == ["finess.nt"]


def test_rejections_listed_up_to_a_limit(cli, project, tmp_path):
    out = tmp_path / "finess.nt"
    bad = FIXTURES / "bad-lines.csv"
    result = cli("import", "finess", str(bad), "-o", str(out), "--list", "2", project=project)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{bad}:5: 'siret' is '2,601E+13', not 14 digits ({SPREADSHEET})",
        f"{bad}:6: 'dateouv' is '12/06/1989', not YYYY-MM-DD ({SPREADSHEET})",
        "and 10 more",
    ]


def test_nothing_imported_exits_2_after_listing_the_rejections(cli, project_copy):
    lines = FIXTURES / "spreadsheet-lines.csv"
    result = cli("import", "finess", str(lines), "--list", "1", project=project_copy)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-3:] == [
        f"{lines}:2: 'departement' is '1', not a FINESS department code (01..95, 2A, 2B, "
        f"9A..9F, 9J) ({SPREADSHEET})",
        "and 7 more",
        f"error: {lines}: no establishment could be imported (8 lines rejected); nothing was "
        "imported (fix the rejected lines listed above, or use the original extract)",
    ]
    assert current_build(project_copy) is None


def without_sites(project: Project, numbers: set[str]) -> None:
    """Drop the curated rows of these sites, and the incidents that name them, so that an import
    of the fixture counts every one of its sites as imported (none kept as curated)."""
    path = project.data / "establishments.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(
        "".join(line for line in lines if line.split(",", 1)[0] not in numbers), encoding="utf-8"
    )
    for incident in (project.data / "incidents").glob("*.yaml"):
        if any(number in incident.read_text(encoding="utf-8") for number in numbers):
            incident.unlink()


def test_import_into_the_store_counts_and_validates(cli, project_copy):
    without_sites(project_copy, {"010000024"})  # the census has it: a curated row would win
    result = cli("import", "finess", str(REAL), project=project_copy)
    assert result.exit_code == 0, result.stderr
    build = current_build(project_copy)
    assert result.stdout.startswith(SUMMARY)
    assert result.stdout.splitlines()[-1].startswith(
        f"imported as graph {GRAPHS['finess']} ("
    ) and result.stdout.endswith(f"build {build.key}: {build.manifest['triples']} triples\n")
    assert (project_copy.imports / "finess.nq").is_file()
    stats = json.loads(cli("stats", "--json", project=project_copy).stdout)
    curated = sum(1 for _ in (project_copy.data / "establishments.csv").open()) - 1
    assert stats["classes"]["hck:Establishment"] == curated + 11
    written = int(result.stdout.splitlines()[-1].split(" (")[1].split(" ")[0])
    assert stats["graphs"][str(GRAPHS["finess"])] == written  # every triple written is distinct
    validated = cli("validate", project=project_copy)
    assert validated.exit_code == 0, validated.stdout
    assert validated.stdout.splitlines()[-1].startswith("Conforms")


def test_curated_rows_win_over_the_register(project_copy):
    without_sites(project_copy, {"010000024"})  # only André-Mignot is curated among these
    report, build = import_finess(project_copy, FIXTURES / "variants.csv")
    assert (report.curated, report.establishments, report.geolocated) == (1, 3, 2)
    from kg.store import open_dataset

    ds = open_dataset(build)
    mignot = establishment("780800256")
    assert list(ds.objects(mignot, SCHEMA.latitude)) == [Literal("48.831264", datatype=XSD.decimal)]
    from kg.validation import validate_build

    assert validate_build(project_copy).conforms


def test_a_failed_import_leaves_the_previous_build_in_use(cli, project_copy, monkeypatch):
    assert cli("import", "finess", str(REAL), project=project_copy).exit_code == 0
    before = current_build(project_copy)
    imported = (project_copy.imports / "finess.nq").read_bytes()
    for bad in ("spreadsheet-copy.csv", "spreadsheet-lines.csv"):
        assert cli("import", "finess", str(FIXTURES / bad), project=project_copy).exit_code == 2
        assert current_build(project_copy).key == before.key
    import kg.store

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(kg.store, "load_oxigraph", broken)
    with pytest.raises(OSError, match="disk full"):
        import_finess(project_copy, FIXTURES / "variants.csv")
    assert current_build(project_copy).key == before.key
    assert (project_copy.imports / "finess.nq").read_bytes() == imported


# --- the synthetic register ------------------------------------------------------------------


def test_synthetic_register_is_seeded_and_needs_its_namespace(tmp_path):
    from kg.synthetic.register import write_register

    first = write_register(tmp_path / "a.csv", 200, seed=7)
    again = write_register(tmp_path / "b.csv", 200, seed=7)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_text(encoding="utf-8").splitlines()[0] == "finess;synthetic;7;2026-01-01"
    with pytest.raises(DataError, match="marks a synthetic register"):
        convert(first, tmp_path / "x.nt", root=REPO)
    report, g = converted(first, tmp_path, base=SYNTHETIC_BASE)
    assert (report.establishments, report.rejected, report.curated) == (200, [], 0)
    assert report.geolocated + report.without_coordinates == 200
    numbers = {str(o) for o in g.objects(None, HCK.finessNumber)}
    nodes = {str(s) for s in g.subjects(HCK.finessNumber, None)}
    assert all(n.startswith(SYNTHETIC_BASE) for n in nodes) and len(numbers) == len(nodes)
    communes = set(g.objects(None, HCK.commune))
    assert all(str(c).startswith(str(resource("commune", ""))) for c in communes)
    data = load_ontology(REPO)
    data += g
    assert validate_graph(data, load_shapes(REPO)).conforms


def test_synthetic_points_lie_near_their_commune(tmp_path):
    from kg.synthetic.register import write_register

    report, g = converted(
        write_register(tmp_path / "r.csv", 300, seed=3), tmp_path, base=SYNTHETIC_BASE
    )
    assert report.rejected == []
    with (REPO / "data" / "gazetteer" / "communes.csv").open(encoding="utf-8") as handle:
        gazetteer = {row["insee"]: row for row in csv.DictReader(handle)}
    for node, commune in g.subject_objects(HCK.commune):
        lat, lon = g.value(node, SCHEMA.latitude), g.value(node, SCHEMA.longitude)
        if lat is None:
            continue
        row = gazetteer[str(commune).rsplit("/", 1)[1]]
        place = float(row["latitude"]), float(row["longitude"])
        assert distance_km(float(lat), float(lon), *place) < 10
