"""kg export ontology: the ontology as a release, one merged file per format, the same graph in
each, OWL 2 DL for the OWL API; its HTML documentation with one anchor per term, English and
French apart; LICENSE, CHANGELOG.md and CITATION.cff agree with the ontology's version."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, SKOS

from kg.exporting.ontology import merged_ontology, version_of
from tests.owl_check import compile_checker, run_checker, why_not

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def release(tmp_path_factory, project):
    from typer.testing import CliRunner

    from kg.cli.main import app

    folder = tmp_path_factory.mktemp("release")
    result = CliRunner().invoke(
        app,
        [
            "--root",
            str(project.root),
            "--home",
            str(project.home),
            "export",
            "ontology",
            "-o",
            str(folder),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    return folder, result.stdout.splitlines()


@pytest.fixture(scope="module")
def merged(project) -> Graph:
    return merged_ontology(project.root)


def test_one_file_per_format_named_by_the_version(release, merged):
    folder, printed = release
    version = version_of(merged)
    names = [f"hck-{version}.ttl", f"hck-{version}.rdf", f"hck-{version}.jsonld", "index.html"]
    assert printed == [str(folder / n) for n in names]


@pytest.mark.parametrize("ext,fmt", [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")])
def test_each_format_holds_the_same_merged_graph(release, merged, ext, fmt):
    folder, _ = release
    g = Graph().parse(folder / f"hck-{version_of(merged)}.{ext}", format=fmt)
    assert isomorphic(g, merged)


def test_the_merged_file_has_one_ontology_header_and_no_imports(merged):
    assert len(set(merged.subjects(RDF.type, OWL.Ontology))) == 1
    assert list(merged.triples((None, OWL.imports, None))) == []


@pytest.mark.skipif(why_not() is not None, reason=why_not() or "")
def test_the_merged_rdfxml_is_owl2_dl_and_consistent(release, merged, tmp_path):
    folder, _ = release
    outcome = run_checker(compile_checker(tmp_path), root=folder / f"hck-{version_of(merged)}.rdf")
    assert (outcome.violations, outcome.consistent, outcome.unsatisfiable) == ([], True, [])


def test_the_documentation_has_one_anchor_per_term_and_concept(release, merged):
    folder, _ = release
    html = (folder / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<section class="term" id="([^"]+)"', html)
    hck = "https://w3id.org/hospital-cyber-kg/ontology#"
    terms = {
        str(t)[len(hck) :]
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for t in merged.subjects(RDF.type, kind)
        if str(t).startswith(hck)
    }
    concepts = set(merged.subjects(RDF.type, SKOS.Concept))
    schemes = set(merged.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(ids) == len(set(ids)) == len(terms) + len(concepts) + len(schemes)
    assert terms <= set(ids)


def test_the_documentation_shows_english_and_french_apart(release):
    folder, _ = release
    html = (folder / "index.html").read_text(encoding="utf-8")
    incident = html[html.index('<section class="term" id="Incident">') :]
    incident = incident[: incident.index("</section>")]
    assert '<div lang="en" class="en"><h4>English</h4>' in incident
    assert '<div lang="fr" class="fr"><h4>Français</h4>' in incident
    assert "Une cyberattaque ou un incident cyber" in incident.split('lang="fr"')[1]
    assert "Une cyberattaque" not in incident.split('lang="fr"')[0]


def test_licence_changelog_and_citation_carry_the_ontology_version(merged):
    version = version_of(merged)
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert f"## {version}" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    citation = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert f'version: "{version}"' in citation and "cff-version: 1.2.0" in citation


def chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


def headless(*args: str) -> subprocess.CompletedProcess:
    command = [chromium() or "chromium", "--headless", "--no-sandbox", "--disable-gpu"]
    command += ["--hide-scrollbars", "--window-size=1200,1600", *args]
    return subprocess.run(command, capture_output=True, timeout=120, check=False)


@pytest.mark.skipif(
    chromium() is None, reason="chromium not installed (scripts/test.sh installs Debian's)"
)
def test_the_documentation_opens_in_a_real_browser(release, tmp_path):
    folder, _ = release
    page = (folder / "index.html").as_uri()
    shot = tmp_path / "top.png"
    done = headless(f"--screenshot={shot}", page)
    assert done.returncode == 0, done.stderr[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000  # a blank page: 9 kB
    dom = headless("--dump-dom", page)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout.decode("utf-8")
    assert text.count('<section class="term"') > 100
    assert '<div lang="fr" class="fr"><h4>Français</h4>' in text


def test_the_diagram_of_docs_model_md_is_the_ontology_of_today(merged):
    """python scripts/model_diagram.py rewrites it after a change of the ontology."""
    from kg.exporting.ontology_diagram import BEGIN, embedded

    doc = (REPO / "docs" / "model.md").read_text(encoding="utf-8")
    assert BEGIN in doc and "```mermaid\nclassDiagram" in doc
    assert embedded(doc, merged) == doc
