"""Bad input: each mistake a curator can make gives one clear message naming the file and line
and the fix, exit code 2, no traceback, and the previous build stays in use and answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.store import build, current_build


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, line: str) -> int:
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + "\n" + line + "\n", encoding="utf-8")
    return text.count("\n") + 2


@pytest.fixture
def previous(project_copy):
    """A project built once, so each test can check the build survives the bad input."""
    return project_copy, build(project_copy)


def assert_rejected(cli, project, previous_build, *messages: str) -> None:
    result = cli("build", project=project)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith("error: ")) :]
    n = len(messages)
    assert lines[0] == f"error: {n} error{'s' if n != 1 else ''} in the input; nothing was built"
    assert lines[1:] == list(messages)
    assert "Traceback" not in result.stderr
    assert current_build(project).key == previous_build.key
    answer = cli(
        "query", "find-incidents", "--param", "text=Corbeil", "--format", "csv", project=project
    )
    assert answer.exit_code == 0 and "chsf-corbeil-essonnes" in answer.stdout


def test_malformed_turtle(cli, previous):
    project, before = previous
    path = project.root / "ontology" / "place.ttl"
    line = append(path, 'hck:Broken rdfs:label "no end .')
    assert_rejected(
        cli,
        project,
        before,
        f"ontology/place.ttl:{line}: Turtle syntax: newline found in string literal "
        "(close the string, or use triple quotes for text over several lines)",
    )


def test_a_row_with_a_missing_field(cli, previous):
    project, before = previous
    line = append(project.data / "actors.csv", "conti,Conti,,,")
    assert_rejected(
        cli,
        project,
        before,
        f"data/actors.csv:{line}: 5 fields where the header has 6 "
        "(slug,name,aliases,wikidata,attack,source) (quote a cell that holds a comma; "
        "leave an empty cell for a missing value)",
    )


def test_a_row_with_an_extra_field(cli, previous):
    project, before = previous
    line = append(
        project.data / "actors.csv", "conti,Conti,,,,https://example.org/a,https://example.org/b"
    )
    assert_rejected(
        cli,
        project,
        before,
        f"data/actors.csv:{line}: 7 fields where the header has 6 "
        "(slug,name,aliases,wikidata,attack,source) (quote a cell that holds a comma; "
        "leave an empty cell for a missing value)",
    )


def test_an_impossible_date(cli, previous):
    project, before = previous
    path = project.data / "incidents" / "2022-12-03-ch-andre-mignot.yaml"
    replace(path, 'start: "2022-12-03T21:00:00+01:00"', 'start: "2022-13-03"')
    line = line_of(path, 'start: "2022-13-03"')
    assert_rejected(
        cli,
        project,
        before,
        f"data/incidents/2022-12-03-ch-andre-mignot.yaml:{line}: 'start' is "
        "'2022-13-03', not a date of the calendar (YYYY, YYYY-MM, YYYY-MM-DD or "
        "YYYY-MM-DDThh:mm[:ss]+hh:mm)",
    )


def test_an_impossible_bound_of_a_membership_end(cli, previous):
    # `until: ..DATE` (ended before DATE) is read as a date like any other
    project, before = previous
    path = project.data / "ght_members.csv"
    replace(path, "GE-11,880780341,member,,..2021-01-08,", "GE-11,880780341,member,,..2021-13-08,")
    line = line_of(path, "..2021-13-08")
    assert_rejected(
        cli,
        project,
        before,
        f"data/ght_members.csv:{line}: 'until' is '2021-13-08', not a date of the calendar "
        "(YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm)",
    )


def test_a_bound_is_not_a_start(cli, previous):
    # only an end may be known as a bound: `since: ..DATE` is not a date
    project, before = previous
    path = project.data / "ght_members.csv"
    replace(path, "IDF-04,780024113,member,2018-01-01,", "IDF-04,780024113,member,..2018-01-01,")
    line = line_of(path, "..2018-01-01")
    assert_rejected(
        cli,
        project,
        before,
        f"data/ght_members.csv:{line}: 'since' is '..2018-01-01', not a date "
        "(YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]+hh:mm)",
    )


def test_a_duration_in_two_units(cli, previous):
    project, before = previous
    path = project.data / "incidents" / "2021-02-09-ch-dax.yaml"
    replace(path, "duration: P4M", "duration: P4M2D")
    line = line_of(path, "duration: P4M2D")
    assert_rejected(
        cli,
        project,
        before,
        f"data/incidents/2021-02-09-ch-dax.yaml:{line}: 'duration' is 'P4M2D', not an "
        "ISO 8601 duration in one unit (e.g. P3W (three weeks), P2M (two months), PT36H)",
    )


def test_a_wrong_finess_check_key(cli, previous):
    project, before = previous
    path = project.data / "establishments.csv"
    replace(path, "780800256,780110078,", "780800257,780110078,")
    line = line_of(path, "780800257,")
    victims = line_of(project.data / "incidents" / "2022-12-03-ch-andre-mignot.yaml", "780800256")
    assert_rejected(
        cli,
        project,
        before,
        f"data/establishments.csv:{line}: 'finess_et' '780800257' fails the FINESS "
        "check key: its last digit should be 6; check the number against the register",
        # the victim of the seed's first incident is now unknown, and says so
        f"data/incidents/2022-12-03-ch-andre-mignot.yaml:{victims}: victim 780800256 is "
        "not in data/establishments.csv nor data/legal_entities.csv "
        "(add the site (or the legal entity) there first)",
    )


def test_an_unknown_establishment(cli, previous):
    project, before = previous
    path = project.data / "incidents" / "2024-02-11-ch-armentieres.yaml"
    replace(path, 'victims: ["590000758"]', 'victims: ["590000766"]')
    line = line_of(path, "590000766")
    assert_rejected(
        cli,
        project,
        before,
        f"data/incidents/2024-02-11-ch-armentieres.yaml:{line}: victim 590000766 is "
        "not in data/establishments.csv nor data/legal_entities.csv "
        "(add the site (or the legal entity) there first)",
    )


def test_a_victim_that_is_no_known_organisation(cli, previous):
    project, before = previous
    path = project.data / "incidents" / "2024-02-11-ch-armentieres.yaml"
    replace(path, 'victims: ["590000758"]', 'victims: ["590000758", ramsey-group]')
    line = line_of(path, "ramsey-group")
    assert_rejected(
        cli,
        project,
        before,
        f"data/incidents/2024-02-11-ch-armentieres.yaml:{line}: victim 'ramsey-group' is not a "
        "FINESS number, a GHT of data/ghts.csv or an organisation of data/organisations.csv "
        "(add it to one of those tables first)",
    )


def test_an_unknown_actor(cli, previous):
    project, before = previous
    path = project.data / "incidents" / "2024-04-16-ch-cannes-simone-veil.yaml"
    replace(path, "actor: lockbit", "actor: lokbit")
    line = line_of(path, "actor: lokbit")
    assert_rejected(
        cli,
        project,
        before,
        f"data/incidents/2024-04-16-ch-cannes-simone-veil.yaml:{line}: actor 'lokbit' "
        "is not in data/actors.csv (did you mean lockbit? else add it there first)",
    )


def test_an_unknown_source(cli, previous):
    project, before = previous
    line = append(project.data / "actors.csv", "conti,Conti,,,,https://example.org/not-listed")
    assert_rejected(
        cli,
        project,
        before,
        f"data/actors.csv:{line}: source 'https://example.org/not-listed' is not in "
        "data/sources.csv (add a row for it (url, title, publisher, language, "
        "published))",
    )


def test_yaml_syntax(cli, previous):
    project, before = previous
    path = project.data / "incidents" / "2021-02-09-ch-dax.yaml"
    replace(path, "slug: ch-dax", "slug: [ch-dax")
    assert_rejected(
        cli,
        project,
        before,
        "data/incidents/2021-02-09-ch-dax.yaml:2: YAML syntax: expected ',' or ']', "
        "but got ':' (check indentation and quoting)",
    )


def test_an_unknown_key_is_a_typo(cli, previous):
    project, before = previous
    path = project.data / "incidents" / "2021-02-09-ch-dax.yaml"
    replace(path, "impacts:", "impcts:")
    line = line_of(path, "impcts:")
    allowed = (
        "alternative-starts, attributions, date-sources, description, discovered, end, impacts, "
        "name, outcome, slug, sources, start, type, victims"
    )
    assert_rejected(
        cli,
        project,
        before,
        f"data/incidents/2021-02-09-ch-dax.yaml:{line}: unknown key 'impcts' in an "
        f"incident (allowed: {allowed})",
    )


def test_several_mistakes_are_reported_together(cli, previous):
    project, before = previous
    first = append(project.data / "actors.csv", "Conti,Conti,,,,")
    path = project.data / "incidents" / "2021-02-09-ch-dax.yaml"
    replace(path, "type: ransomware", "type: ransomwear")
    line = line_of(path, "type: ransomwear")
    result = cli("build", project=project)
    assert result.exit_code == 2
    assert "error: 2 errors in the input; nothing was built" in result.stderr.splitlines()
    assert f"data/actors.csv:{first}: empty source (every row needs a value there)" in result.stderr
    assert (
        f"data/incidents/2021-02-09-ch-dax.yaml:{line}: 'type' is 'ransomwear', not one of: "
        "data-breach, ddos, intrusion, ransomware, supply-chain (see "
        "ontology/vocab/incident-type.ttl)"
    ) in result.stderr
    assert current_build(project).key == before.key


def test_one_publisher_spelt_two_ways(cli, previous):
    # two spellings would give one publisher IRI two names
    project, before = previous
    path = project.data / "sources.csv"
    replace(path, ",MLyon,", ",Mlyon,")  # the first of two rows
    line = line_of(path, ",MLyon,")
    assert_rejected(
        cli,
        project,
        before,
        f"data/sources.csv:{line}: publisher 'MLyon' is spelt 'Mlyon' on another row "
        "(write one publisher the same way everywhere)",
    )


def test_a_wikidata_cell_that_is_not_a_q_id(cli, previous):
    project, before = previous
    path = project.data / "legal_entities.csv"
    replace(path, ",Q3140953,", ",Q3140953x,")
    line = line_of(path, "Q3140953x")
    assert_rejected(
        cli,
        project,
        before,
        f"data/legal_entities.csv:{line}: 'wikidata' 'Q3140953x' is not a Wikidata item id "
        "(Q then digits, e.g. Q2867205) (give the Q-id that a source of the row names, or "
        "leave the cell empty)",
    )
