"""queries/federated/ (issue 12, links out): the federated example queries join this graph to
Wikidata by INSEE code (P374) and FINESS number (P4058). Their exact text is run by kg's engine
with the SERVICE IRI pointed at a local Oxigraph server holding a tiny Wikidata-shaped graph (a
stand-in: its items are example.org IRIs, no real Q-id), never at the internet."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.catalogue import read_query
from kg.query import open_engine
from tests.conftest import REPO
from tests.virtuoso import free_port

FEDERATED = REPO / "queries" / "federated"
WIKIDATA = "https://query.wikidata.org/sparql"
OXIGRAPH = Path(sys.executable).with_name("oxigraph")
ITEM = "https://example.org/wikidata-stand-in/item/"
CODES = """
PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>
SELECT DISTINCT ?insee ?finess WHERE {
  { ?i hck:victim/hck:commune/hck:inseeCode ?insee }
  UNION { ?i hck:victim/hck:finessNumber ?finess }
}"""
pytestmark = pytest.mark.skipif(not OXIGRAPH.exists(), reason="the oxigraph CLI is missing")


def victim_codes(project) -> tuple[set[str], set[str]]:
    rows = open_engine(project).select(CODES, {}).rows
    return (
        {str(r["insee"]) for r in rows if r["insee"] is not None},
        {str(r["finess"]) for r in rows if r["finess"] is not None},
    )


@pytest.fixture(scope="module")
def stand_in(project, built, tmp_path_factory) -> Iterator[str]:
    """The query URL of a local Oxigraph server with a Wikidata-shaped item per victim code, but
    for one commune and one establishment left out, and an item of a code no victim has."""
    communes, finess = victim_codes(project)
    lines = [
        f'<{ITEM}c{c}> <http://www.wikidata.org/prop/direct/P374> "{c}" .'
        for c in sorted(communes)[1:]
    ]
    lines += [
        f'<{ITEM}f{f}> <http://www.wikidata.org/prop/direct/P4058> "{f}" .'
        for f in sorted(finess)[1:]
    ]
    lines.append(f'<{ITEM}other> <http://www.wikidata.org/prop/direct/P374> "99999" .')
    folder = tmp_path_factory.mktemp("wikidata-stand-in")
    (folder / "wd.nt").write_text("\n".join(lines) + "\n")
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(folder / "db"), "--file", str(folder / "wd.nt")],
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            str(OXIGRAPH),
            "serve-read-only",
            "--location",
            str(folder / "db"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize(
    ("name", "column", "which"),
    [
        ("victim-communes-on-wikidata", "insee", 0),
        ("victim-establishments-on-wikidata", "finess", 1),
    ],
)
def test_a_federated_query_joins_by_code(project, built, stand_in, name, column, which):
    query = read_query(FEDERATED / f"{name}.rq")
    assert query.text.count(WIKIDATA) == 1
    text = query.text.replace(WIKIDATA, stand_in)
    rows = open_engine(project).select(text, {}).rows
    codes = sorted(victim_codes(project)[which])
    assert len(codes) >= 5
    found = sorted((str(r[column]), str(r["item"])) for r in rows)
    prefix = "c" if which == 0 else "f"
    assert found == [(c, f"{ITEM}{prefix}{c}") for c in codes[1:]]


def test_the_federated_queries_are_documented():
    readme = (FEDERATED / "README.md").read_text()
    names = sorted(p.name for p in FEDERATED.glob("*.rq"))
    assert names and all(n in readme for n in names)
    assert "P374" in readme and "P4058" in readme


LINKS = """
PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?thing ?link (GROUP_CONCAT(?title; separator=" | ") AS ?titles) WHERE {
  ?thing schema:sameAs ?link .
  FILTER(STRSTARTS(STR(?link), "http://www.wikidata.org/entity/")
         || STRSTARTS(STR(?link), "https://attack.mitre.org/"))
  OPTIONAL { ?thing dcterms:source ?source . ?source dcterms:title ?title }
} GROUP BY ?thing ?link"""


def test_links_out_to_wikidata_and_attack_are_sourced(project, built):
    rows = open_engine(project).select(LINKS, {}).rows
    assert len(rows) >= 10  # issue 12: at least 10 links to ATT&CK or Wikidata IRIs
    for row in rows:
        link = str(row["link"])
        if "wikidata.org" in link:
            # the Q-id is named by the title of a source of the thing (data/sources.csv)
            assert link.rsplit("/", 1)[1] in str(row["titles"]), (str(row["thing"]), link)
