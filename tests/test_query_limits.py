"""Queries that would run forever, crash the parser or exhaust memory end with one line: Ctrl-C
stops `kg sparql` at once, --timeout abandons a query, deep nesting and huge or non-UTF-8 query
files are refused before parsing. Long-running cases run in a child process that ends."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }\n"


def kg(project, *args: str, **kwargs) -> subprocess.Popen:
    command = [sys.executable, "-m", "kg", "--root", str(project.root), "--home", str(project.home)]
    return subprocess.Popen(
        [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs
    )


def test_ctrl_c_stops_a_long_query(built, project, tmp_path):
    query = tmp_path / "cartesian.rq"
    query.write_text(CARTESIAN)
    child = kg(project, "sparql", str(query))
    try:
        # wait until the query runs: the child has read its arguments and opened the store
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(3)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)  # a guard against a hang, not a timing
    finally:
        child.kill()
    assert child.returncode == 130
    assert err == "error: interrupted\n"


def test_timeout_abandons_a_long_query(built, project, tmp_path):
    query = tmp_path / "cartesian.rq"
    query.write_text(CARTESIAN)
    child = kg(project, "sparql", "--timeout", "0.5", str(query))
    try:
        out, err = child.communicate(timeout=120)
    finally:
        child.kill()
    assert child.returncode == 2
    assert err == (
        "error: the query ran past its time limit (0.5 s) and was abandoned "
        "(narrow it, or give a longer --timeout)\n"
    )


@pytest.mark.parametrize("value", ["nan", "0", "-1", "inf"])
def test_a_timeout_must_be_seconds_above_zero(cli, built, project, value):
    result = cli("sparql", "--timeout", value, "-", project=project, input="ASK {}")
    if value == "inf":  # no limit at all is allowed
        assert result.exit_code == 0
        return
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"error: --timeout is {float(value):g} (give a number of seconds above 0)\n"
    )


@pytest.mark.parametrize("opening", ["(", "{", "["])
def test_deep_nesting_is_refused_before_parsing(cli, built, project, opening):
    closing = {"(": ")", "{": "}", "[": "]"}[opening]
    text = "SELECT * WHERE { FILTER(" + opening * 5000 + "1" + closing * 5000 + ") }"
    result = cli("sparql", "-", project=project, input=text)
    assert result.exit_code == 2
    assert (
        result.stderr == "error: the query nests brackets more than 100 deep (flatten the query)\n"
    )


def test_brackets_in_strings_and_comments_do_not_count(cli, built, project):
    text = "# " + "(" * 500 + '\nASK { FILTER("' + "(" * 500 + '" != "") }'
    result = cli("sparql", "-", project=project, input=text)
    assert result.exit_code == 0, result.stderr


def test_a_query_file_in_latin_1(cli, built, project, tmp_path):
    path = tmp_path / "latin1.rq"
    path.write_bytes('SELECT ?x WHERE { ?x ?p "café" }'.encode("latin-1"))
    result = cli("sparql", str(path), project=project)
    assert result.exit_code == 2
    assert result.stderr == f"error: {path} is not UTF-8 (byte 29) (save it as UTF-8)\n"


def test_an_endless_stdin_is_read_up_to_a_bound(cli, built, project):
    result = cli("sparql", "-", project=project, input="\0" * 4_000_001)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: the query on stdin is larger than 4,000,000 bytes (is it a SPARQL query?)\n"
    )


def test_a_device_is_not_a_query_file(cli, built, project):
    result = cli("sparql", "/dev/zero", project=project)
    assert result.exit_code == 2
    assert result.stderr == "error: /dev/zero is not a file (give a .rq file or - for stdin)\n"
