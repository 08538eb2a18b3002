"""The hostile inputs of issue 17, kept: each gives one clear error naming the file (and line),
never a traceback, a hang or a silent loss. Loaders are called directly where that is enough;
a few cases go through `kg build` / `kg import` for the exit code."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from kg.errors import DataError
from kg.importing.finess import convert
from kg.importing.stix_bundles import StixErrors, read_bundles
from kg.yamlio import load_yaml
from tests.conftest import REPO

FINESS = REPO / "tests" / "fixtures" / "finess" / "etalab-real.csv"
STIX = REPO / "tests" / "fixtures" / "stix" / "foreign-incident.json"
INCIDENT = "data/incidents/2024-02-11-ch-armentieres.yaml"


def _yaml_error(path: Path) -> str:
    with pytest.raises(DataError) as caught:
        load_yaml(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "name: café\n".encode("latin-1"),
            ":1: is not UTF-8 (byte 10: invalid continuation byte) (save it as UTF-8)",
        ),
        (
            "name: x\n".encode("utf-16"),
            ":1: is not UTF-8 (byte 1: invalid start byte) (save it as UTF-8)",
        ),
        (
            b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
            ":1: nested more than 40 levels deep (write the values out in full)",
        ),
        (
            b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
            ":2: aliases (*name) are not allowed in data files (write the values out in full)",
        ),
    ],
    ids=["latin-1", "utf-16", "deeply nested", "billion laughs"],
)
def test_hostile_yaml(tmp_path, content, message):
    path = tmp_path / "incident.yaml"
    path.write_bytes(content)
    assert _yaml_error(path) == f"{path}{message}"


def test_yaml_symlink_loop_folder_and_device(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    assert _yaml_error(loop) == f"{loop}: is a broken or looping symbolic link (give a file)"
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    assert _yaml_error(folder) == f"{folder}: is a folder (give a file)"
    zero = Path("/dev/zero")
    assert (
        _yaml_error(zero) == "/dev/zero: is not a regular file (a device or a pipe?) (give a file)"
    )


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _build_errors(cli, project) -> list[str]:
    result = cli("build", "--quiet", project=project)
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and lines[0].endswith("; nothing was built")
    return lines[1:]


def test_data_files_in_latin_1_a_huge_cell_a_stray_quote(cli, project_copy):
    data = project_copy.data
    actors = data / "actors.csv"
    actors.write_bytes(actors.read_bytes() + "x,Café,,\n".encode("latin-1"))
    _replace(data / "malware.csv", "\n", "\n" + "m" * 200_000 + ",x,,,\n")
    ghts = data / "ghts.csv"
    lines = ghts.read_text(encoding="utf-8").splitlines()
    lines[2] = '"' + lines[2]
    ghts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = _build_errors(cli, project_copy)
    assert any(e.startswith("data/actors.csv:") and "is not UTF-8" in e for e in errors)
    assert any(
        e.startswith("data/malware.csv:2: not CSV: a cell is longer than 131,072 characters")
        for e in errors
    )
    assert any(
        e.startswith("data/ghts.csv:3: a quoted cell runs on to line") and "stray quote" in e
        for e in errors
    )


def test_non_numeric_coordinates_name_the_row(cli, project_copy):
    path = project_copy.data / "gazetteer" / "regions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[3], cells[4] = "north", "1e999"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _build_errors(cli, project_copy) == [
        "data/gazetteer/regions.csv:2: the coordinates 'north', '1e999' are not a latitude and a "
        "longitude (decimal degrees, latitude -90..90, longitude -180..180, or leave both empty)"
    ]


def test_an_incident_that_is_a_symlink_loop(cli, project_copy):
    loop = project_copy.data / "incidents" / "loop.yaml"
    loop.symlink_to(loop)
    assert _build_errors(cli, project_copy) == [
        "data/incidents/loop.yaml: is a broken or looping symbolic link (give a file)"
    ]


def test_a_malformed_query_header_names_the_file(cli, project_copy):
    path = project_copy.queries / "find-incidents.rq"
    original = path.read_text(encoding="utf-8")
    _replace(path, "#+ params:\n", "#+ junk: [\n#+ params:\n")
    result = cli("queries", project=project_copy)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: the #+ header is not YAML: ")
    assert len(result.stderr.splitlines()) == 1
    path.write_text(original, encoding="utf-8")
    _replace(path, "#+ params:\n", "#+ defaults:\n#+   - just-a-string\n#+ params:\n")
    result = cli("queries", project=project_copy)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: the #+ header is malformed")
    assert len(result.stderr.splitlines()) == 1


def test_a_stray_quote_in_a_finess_line_is_a_rejection(tmp_path):
    lines = FINESS.read_text(encoding="utf-8").split("\n")
    convert(FINESS, tmp_path / "before.nt", root=REPO)
    cells = lines[1].split(";")
    cells[3] = '"' + cells[3]
    lines[1] = ";".join(cells)
    source = tmp_path / "quote.csv"
    source.write_text("\n".join(lines), encoding="utf-8")
    report = convert(source, tmp_path / "after.nt", root=REPO)
    assert [(r.reason, r.line, r.message) for r in report.rejected][:1] == [
        ("quote", 2, "a quote opens a field and is not closed on this line")
    ]
    # one establishment less (its geolocalisation line is rejected too), not nine
    kind = "<https://w3id.org/hospital-cyber-kg/ontology#Establishment> ."
    counts = [
        sum(line.endswith(kind) for line in (tmp_path / name).read_text().splitlines())
        for name in ("before.nt", "after.nt")
    ]
    assert counts[1] == counts[0] - 1


def test_finess_output_never_overwrites_its_input(cli, project_copy, tmp_path):
    source = tmp_path / "extract.csv"
    source.write_bytes(FINESS.read_bytes())
    result = cli("import", "finess", str(source), "--output", str(source), project=project_copy)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --output {source} is one of the inputs (write the output to another file)\n"
    )
    assert source.read_bytes() == FINESS.read_bytes()


def test_dev_zero_as_an_input(cli, project_copy):
    for args in (["import", "finess", "/dev/zero"], ["validate", "--data", "/dev/zero"]):
        result = cli(*args, project=project_copy)
        assert result.exit_code == 2, result.stderr
        last = result.stderr.splitlines()[-1]
        assert last.startswith("error: /dev/zero: ")
        assert "is not a regular file" in last or "unknown RDF format" in last
        assert "Traceback" not in result.stderr


def test_output_into_a_folder_that_does_not_exist(cli, built, project, tmp_path):
    target = tmp_path / "missing" / "out.ttl"
    result = cli("export", "-o", str(target), project=project)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --output {target}: the folder {target.parent} does not exist (create it first)\n"
    )


def test_an_export_never_overwrites_an_input(cli, project_copy):
    build_result = cli("build", "--quiet", project=project_copy)
    assert build_result.exit_code == 0
    target = project_copy.data / "sources.csv"
    before = target.read_bytes()
    for args in (["export"], ["export", "stix"]):
        result = cli(*args, "-o", str(target), project=project_copy)
        assert result.exit_code == 2
        assert result.stderr == (
            f"error: --output {target} is one of the inputs (write the output to another file)\n"
        )
    assert target.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["query", "find-incidents", "--endpoint", "http://[::1"], "kg query"),
        (["sparql", "-", "--endpoint", "ftp://x/"], "kg sparql"),
        (["export", "--endpoint", 'http://x/a> <b> "c'], "kg export"),
        (["push", "--endpoint", "http://[::1", "--graph", "http://example.org/g"], "kg push"),
    ],
)
def test_endpoint_options_are_checked(cli, args, shown):
    result = cli(*args, input="ASK {}")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: Invalid value for '--endpoint': ")
    assert result.stderr.endswith(f" (see '{shown} --help')\n")
    assert len(result.stderr.splitlines()) == 1


def _bundle(tmp_path: Path, name: str, change) -> Path:
    doc = json.loads(STIX.read_text(encoding="utf-8"))
    change(doc["objects"][0])
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _stix_errors(paths: list[Path]) -> list[str]:
    with pytest.raises(StixErrors) as caught:
        read_bundles(paths)
    return caught.value.errors


def test_stix_impossible_timestamps_and_smuggling_languages(tmp_path):
    incident = "incident--c1f2e3d4-b5a6-4978-8a1b-2c3d4e5f6a7b"
    time = _bundle(tmp_path, "time", lambda o: o.update(first_seen="2022-02-30T25:61:00Z"))
    smuggled = 'en" .\n<http://evil/s> <http://evil/p> "x" <http://evil/g> .\n#'
    lang = _bundle(tmp_path, "lang", lambda o: o.update(lang=smuggled))
    errors = _stix_errors([time, lang])
    assert f"{time}: {incident}: 'first_seen' is '2022-02-30T25:61:00Z', not a STIX timestamp " \
        "(UTC, ...Z)" in errors  # fmt: skip
    assert f"{lang}: {incident}: the language {smuggled!r} is not a language tag (e.g. en, fr)" \
        in errors  # fmt: skip


def test_stix_bundle_nested_deeply(tmp_path):
    path = tmp_path / "nested.json"
    path.write_text('{"type": "bundle", "objects": [' + "[" * 100_000 + "]" * 100_000 + "]}")
    assert _stix_errors([path]) == [f"{path}: nested too deeply to be a STIX bundle"]


def test_stix_bundle_from_a_device():
    errors = _stix_errors([Path("/dev/zero")])
    assert errors == ["/dev/zero: is not a regular file (a device or a pipe?) (give a file)"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_incidents_folder_fails_the_build(cli, project_copy):
    folder = project_copy.data / "incidents"
    folder.chmod(0)
    try:
        errors = _build_errors(cli, project_copy)
    finally:
        folder.chmod(0o755)
    assert errors[0].startswith("data/incidents: the incidents folder cannot be read")


def test_copying_a_bundle_does_not_change_the_fixture():
    assert copy.deepcopy(json.loads(STIX.read_text(encoding="utf-8")))["type"] == "bundle"
