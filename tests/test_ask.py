"""`kg ask`: the grammar (kg.asking) phrase by phrase, word for word, without a store; then the
command on the shipped data, whose table is the very table of the `kg attacks` it prints."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.namespace import SKOS

from kg.asking import EXAMPLES, Lexicon, parse
from kg.asking.lexicon import IMPACT_WORDS, KIND_WORDS
from kg.errors import KgError, PhraseError, QueryError
from tests.conftest import REPO

CHSF = "2022-08-21-chsf-corbeil-essonnes"
MIGNOT = "2022-12-03-ch-andre-mignot"
BLUETS = "2022-10-09-maternite-des-bluets"
HINT = (
    'phrases it reads: "attacks near Paris in 2022"; "attaques près de Paris en 2022"; '
    '"attacks within 100 km of Lyon since 2021"; "LockBit attacks in 2024"; "cyberattaques en '
    'Bretagne en 2023"; more in docs/asking.md'
)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.of(REPO)


@pytest.mark.parametrize(
    ("phrase", "command"),
    [
        ("attacks near Paris in 2022", "kg attacks --near Paris --radius 50 --year 2022"),
        ("attaques près de Paris en 2022", "kg attacks --near Paris --radius 50 --year 2022"),
        ("attacks within 100 km of Lyon since 2021",
         "kg attacks --near Lyon --radius 100 --from 2021"),
        ("LockBit attacks in 2024", "kg attacks --year 2024 --actor LockBit"),
        ("cyberattaques en Bretagne en 2023", "kg attacks --year 2023 --region Bretagne"),
        ("ransomware in Île-de-France 2022-2023",
         "kg attacks --from 2022 --to 2023 --region 'Île-de-France' --kind ransomware"),
        ("data leaks in 2024", "kg attacks --year 2024 --kind data-breach"),
        ("attaques revendiquées par Vice Society",
         "kg attacks --actor 'Vice Society' --min-certainty claimed"),
        # beyond the eight
        ("attacks within 30km of Brest", "kg attacks --near Brest --radius 30"),
        ("à moins de 20 km de Rennes", "kg attacks --near Rennes --radius 20"),
        ("attacks since March 2023", "kg attacks --from 2023-03"),
        ("attaques dans le Finistère depuis janvier 2023",
         "kg attacks --from 2023-01 --region 'Finistère'"),
        ("attaques entre 2021 et 2022", "kg attacks --from 2021 --to 2022"),
        ("attacks before 2020", "kg attacks --to 2019"),
        ("attacks after 2023", "kg attacks --from 2024"),
        ("attacks until 2021", "kg attacks --to 2021"),
        ("attacks in 53", "kg attacks --region Bretagne"),
        ("attacks in 2A", "kg attacks --region Corse-du-Sud"),
        ("attaques en Provence-Alpes-Côte d'Azur",
         "kg attacks --region 'Provence-Alpes-Côte d'\"'\"'Azur'"),
        ("attacks in Paris", "kg attacks --region Paris"),
        ("attaques à Lyon", "kg attacks --near Lyon --radius 50"),
        ("LockBit Black attacks", "kg attacks --actor 'LockBit 3.0'"),
        ("attacks with data published in 2023", "kg attacks --year 2023 --impact data-published"),
        ("attaques avec plan blanc en 2024", "kg attacks --year 2024 --impact crisis-plan"),
        ("DDoS attacks on hospitals", "kg attacks --kind ddos"),
        ("confirmed attacks near Valence (26)",
         "kg attacks --near 'Valence (26)' --radius 50 --min-certainty confirmed"),
        ("attacks near 48.85,2.35", "kg attacks --near 48.85,2.35 --radius 50"),
        ("attacks", "kg attacks"),
    ],
)
def test_phrases_read_as_kg_attacks_options(lexicon, phrase, command):
    assert parse(phrase, lexicon).command == command


def test_the_choices_made_are_said(lexicon):
    assert parse("attaques à Lyon", lexicon).notes == [
        "'Lyon' is Lyon (69, INSEE 69123), a commune: read as near it"
    ]
    assert parse("attacks near Bretagne", lexicon).notes == [
        "'Bretagne' is read as Bretagne (region 53); also named so: Bretagne (36, INSEE 36024); "
        "Bretagne (90, INSEE 90019) (give e.g. 'Bretagne (36)' for another)"
    ]
    assert parse("attacks near Paris in 2022", lexicon).notes == []


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("colourless green ideas",
         "cannot read 'colourless green ideas' in 'colourless green ideas'"),
        ("attacks near Pariss", "cannot read 'near Pariss' in 'attacks near Pariss'"),
        ("   ", "an empty phrase"),
        ("attacks within 30 km",
         "'within 30 km' needs a place after it, e.g. within 30 km of Lyon"),
        ("attacks in 2022 since 2021", "two periods in 'attacks in 2022 since 2021'"),
        ("LockBit attacks claimed by Vice Society",
         "two actors in 'LockBit attacks claimed by Vice Society': 'LockBit' and 'Vice Society'"),
        ("x" * 301, "the phrase is 301 characters long, at most 300"),
        ("ransomware in Île-de-France 2022-2023 on Mars",  # the phrase as typed, not as read
         "cannot read 'Mars' in 'ransomware in Île-de-France 2022-2023 on Mars'"),
    ],
)
def test_unreadable_phrases_say_why_with_examples(lexicon, phrase, message):
    with pytest.raises(PhraseError) as caught:
        parse(phrase, lexicon)
    assert isinstance(caught.value, KgError) and caught.value.exit_code == 2
    assert caught.value.message == message
    assert caught.value.hint == HINT


def test_an_ambiguous_place_is_said_as_kg_attacks_says_it(lexicon):
    with pytest.raises(QueryError) as caught:
        parse("attacks near Valence in 2022", lexicon)
    assert str(caught.value) == (
        "'Valence' is ambiguous: Valence (16, INSEE 16392); Valence (26, INSEE 26362); Valence "
        "(82, INSEE 82186) (add the department, e.g. 'Valence (16)', or give the INSEE code, e.g. "
        "16392)"
    )


def test_every_example_reads(lexicon):
    for phrase in EXAMPLES:
        assert parse(phrase, lexicon).options, phrase


def test_the_synonyms_name_notations_of_the_vocabularies():
    for scheme, table in (("incident-type", KIND_WORDS), ("impact-type", IMPACT_WORDS)):
        graph = Graph().parse(REPO / "ontology" / "vocab" / f"{scheme}.ttl")
        notations = {str(n) for n in graph.objects(None, SKOS.notation)}
        assert set(table) - notations == set(), scheme


def table_after_command(result) -> tuple[str, str]:
    command, _, table = result.stdout.partition("\n")
    return command, table


def test_kg_ask_prints_the_command_then_the_same_table(cli, project, built):
    asked = cli("ask", "attacks near Paris in 2022", project=project)
    assert asked.exit_code == 0, asked.stderr
    command, table = table_after_command(asked)
    assert command == "kg attacks --near Paris --radius 50 --year 2022"
    attacks = cli("attacks", "--near", "Paris", "--radius", "50", "--year", "2022",
                  project=project)
    assert table == attacks.stdout
    for key in (CHSF, MIGNOT, BLUETS):
        assert key in table
    assert "vitry" not in table.lower()
    french = cli("ask", "attaques", "près", "de", "Paris", "en", "2022", project=project)
    assert french.stdout == asked.stdout


@pytest.mark.parametrize("phrase", EXAMPLES)
def test_each_example_gives_the_table_of_its_command(cli, project, built, phrase):
    import shlex

    asked = cli("ask", phrase, "--format", "csv", project=project)
    assert asked.exit_code == 0, asked.stderr
    command, table = table_after_command(asked)
    attacks = cli(*shlex.split(command)[1:], "--format", "csv", project=project)
    assert table == attacks.stdout and table.count("\n") >= 2, phrase


def test_nonsense_exits_2_with_examples(cli, project, built):
    result = cli("ask", "colourless", "green", "ideas", project=project)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        f"error: cannot read 'colourless green ideas' in 'colourless green ideas' ({HINT})"
    )


WORDS = ["attacks", "near", "in", "en", "près", "de", "Paris", "2022", "-", "2023", "since",
         "within", "100", "km", "of", "LockBit", "claimed", "by", "Bretagne", "53", "2A", "(",
         ")", "data", "leaks", "à", "'", '"', "}", "DROP", "ALL", "mars", "entre", "et"]


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=80),
                 st.lists(st.sampled_from(WORDS), max_size=10).map(" ".join)))
def test_any_text_is_a_question_or_a_kg_error(lexicon, text):
    try:
        question = parse(text, lexicon)
    except KgError:
        return
    assert question.command.startswith("kg attacks")


def test_a_hostile_phrase_is_refused_in_one_line(cli, project, built):
    result = cli("ask", 'attacks near Paris"} ; DROP ALL ; #', project=project)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: cannot read 'DROP' in 'attacks near Paris\"} ; DROP")
    assert len(result.stderr.splitlines()) == 1


def test_per_site_and_explain_are_passed_on(cli, project, built):
    asked = cli("ask", "LockBit attacks in 2024", "--per", "site", "--format", "csv",
                project=project)
    command, _, table = asked.stdout.partition("\n")
    same = cli("attacks", "--year", "2024", "--actor", "LockBit", "--per", "site", "--format",
               "csv", project=project)
    assert table == same.stdout and "victim" in table.splitlines()[0].split(",")
    explained = cli("ask", "data leaks in 2024", "--explain", project=project)
    assert explained.exit_code == 0
    assert "# _kind = <https://w3id.org/hospital-cyber-kg/vocab/incident-type/data-breach>" in (
        explained.stdout)
