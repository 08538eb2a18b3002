"""Property tests (Hypothesis) over what reads outside input: the data loaders (YAML and CSV),
the query parameters (`kg attacks` options, `--param`), and the importers (FINESS lines, STIX
bundles). Each input either loads or gives our own error (a KgError, which the CLI prints as one
line with exit 2): never another exception, which would be a traceback. Examples are few and
derandomised, so the suite stays fast and gives the same result on every run."""

from __future__ import annotations

import copy
import dataclasses
import json
import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import KgError
from tests.conftest import REPO

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
INCIDENT = REPO / "data" / "incidents" / "2022-08-21-chsf-corbeil-essonnes.yaml"
STIX = REPO / "tests" / "fixtures" / "stix" / "foreign-incident.json"
FINESS = REPO / "tests" / "fixtures" / "finess" / "etalab-real.csv"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["2022-13-45", "²", "1e30", ".inf", "0", "-1", "2022-02-30T25:61:00Z", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


# --- data loaders --------------------------------------------------------------------------


@FUZZ
@given(content=st.binary(max_size=400))
def test_any_bytes_as_a_yaml_file(tmp_path_factory, content):
    from kg.yamlio import load_yaml

    path = tmp_path_factory.mktemp("yaml") / "x.yaml"
    path.write_bytes(content)
    try:
        load_yaml(path)
    except KgError:
        pass


@pytest.fixture(scope="module")
def loaded_context():
    """The context the incident loader runs in: everything else of data/ already read."""
    from kg.loading import load_references

    ctx, _places = load_references(REPO)
    assert ctx.problems == []
    return ctx


def _mutations(doc: dict) -> st.SearchStrategy:
    """The real incident with one value replaced by anything, or one key removed."""
    keys = sorted(doc)
    impact_keys = sorted(doc["impacts"][0])
    replace = st.tuples(st.just("set"), st.sampled_from(keys), values)
    remove = st.tuples(st.just("del"), st.sampled_from(keys), st.none())
    impact = st.tuples(st.just("impact"), st.sampled_from(impact_keys), values)
    return st.one_of(replace, remove, impact)


REAL = yaml.safe_load(INCIDENT.read_text(encoding="utf-8"))


@FUZZ
@given(change=_mutations(REAL))
def test_an_incident_with_any_value_loads_or_is_a_problem(loaded_context, tmp_path_factory, change):
    from kg.loading import load_incidents

    action, key, value = change
    doc = copy.deepcopy(REAL)
    if action == "set":
        doc[key] = value
    elif action == "del":
        del doc[key]
    else:
        doc["impacts"][0][key] = value
    root = tmp_path_factory.mktemp("root")
    (root / "data" / "incidents").mkdir(parents=True)
    (root / "data" / "incidents" / INCIDENT.name).write_text(
        yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8"
    )
    ctx = dataclasses.replace(
        loaded_context, root=root, graphs={}, problems=[], origins={}, used_sources=set()
    )
    load_incidents(ctx)  # problems are collected; nothing else may be raised


@FUZZ
@given(rows=st.lists(st.lists(st.text(max_size=30), min_size=0, max_size=6), max_size=6))
def test_any_csv_rows_as_a_table(tmp_path_factory, rows):
    import csv
    import io

    from kg.loading import Context
    from kg.loading.threats import load_actors

    root = tmp_path_factory.mktemp("csv")
    (root / "data").mkdir()
    text = io.StringIO()
    csv.writer(text).writerows([["id", "name", "aliases", "kind"], *rows])
    (root / "data" / "actors.csv").write_text(text.getvalue(), encoding="utf-8")
    load_actors(Context(root=root))


# --- query parameters ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(built, project):
    from kg.query import open_engine

    return open_engine(project)


options = st.fixed_dictionaries(
    {},
    optional={
        "near": st.one_of(
            st.text(max_size=30), st.sampled_from(["Paris", "48.8,2.3", "75056", "Valence (26)"])
        ),
        "radius_km": st.floats(allow_nan=True, allow_infinity=True),
        "year": st.integers(min_value=-(10**6), max_value=10**6),
        "date_from": st.one_of(
            st.text(max_size=12), st.sampled_from(["2022", "2022-13", "2022-02-30"])
        ),
        "date_to": st.text(max_size=12),
        "actor": st.text(max_size=30),
        "region": st.one_of(st.text(max_size=30), st.just("Bretagne")),
        "min_certainty": st.one_of(st.text(max_size=12), st.just("claimed")),
    },
)


@FUZZ
@given(given_options=options)
def test_any_attacks_options(project, engine, given_options):
    from kg.query import attacks_params, prepare

    try:
        given = attacks_params(**given_options)
        prepare(project, "attacks", given, engine)
    except KgError:
        pass


@FUZZ
@given(
    name=st.sampled_from(["find-incidents", "attacks", "ght-exposure", "actor-counts"]),
    params=st.lists(st.text(max_size=40), max_size=4),
)
def test_any_param_list(project, engine, name, params):
    from kg.cli.query import _parse_params
    from kg.query import prepare

    try:
        prepare(project, name, _parse_params(params), engine)
    except KgError:
        pass


# --- importers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finess_places():
    from kg.importing.finess import _gazetteer

    return _gazetteer(REPO)


FINESS_LINES = FINESS.read_text(encoding="utf-8").split("\n")[1:12]
finess_lines = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda line, k, junk: ";".join(
            junk if i == k else cell for i, cell in enumerate(line.split(";"))
        ),
        st.sampled_from([line for line in FINESS_LINES if line]),
        st.integers(min_value=0, max_value=40),
        st.one_of(st.text(max_size=20), st.sampled_from(['"', '"x', "1e999", "nan", "-0", "9A"])),
    ),
)


@FUZZ
@given(lines=st.lists(finess_lines, min_size=1, max_size=6))
def test_any_finess_lines(finess_places, lines):
    from kg.importing.finess import _rows
    from kg.importing.finess_lines import LineReader
    from kg.importing.finess_report import FinessReport

    report = FinessReport(FINESS, "2026-05-12", False, "UTF-8")
    reader = LineReader(FINESS, report, finess_places, frozenset())
    try:
        for line, cells in _rows(FINESS, "\n".join(lines)):
            reader.read(line, cells)
        reader.locate()
    except KgError:
        pass
    for site in reader.sites.values():  # an accepted line has finite coordinates, if any
        for value in (site.latitude, site.longitude):
            assert value is None or math.isfinite(value)


BUNDLE = json.loads(STIX.read_text(encoding="utf-8"))


@FUZZ
@given(
    index=st.integers(min_value=0, max_value=len(BUNDLE["objects"]) - 1),
    key=st.text(max_size=15)
    | st.sampled_from(
        [
            "created",
            "modified",
            "lang",
            "name",
            "first_seen",
            "external_references",
            "confidence",
            "type",
            "id",
        ]
    ),
    value=values,
)
def test_any_stix_object_value(tmp_path_factory, index, key, value):
    from rdflib import Graph

    from kg.importing.stix import map_bundles
    from kg.importing.stix_bundles import read_bundles

    doc = copy.deepcopy(BUNDLE)
    doc["objects"][index][key] = value
    path = tmp_path_factory.mktemp("stix") / "bundle.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        map_bundles(read_bundles([path]), Graph())
    except KgError:
        pass
