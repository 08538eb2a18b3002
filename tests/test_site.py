"""The pages and linked-data forms of kg serve (kg.site), over HTTP on loopback: every IRI by
content negotiation with its Link header, 406 with the list, the Service Description at
GET /sparql, CORS, DESCRIBE in JSON-LD, the home page's search and downloads, hostile input
answered by a 4xx page with everything escaped, and `kg site` writing the same pages."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from rdflib import Graph, URIRef

from kg.exporting.rdf import DATASET
from kg.namespaces import BASE
from kg.publishing.serve import Server, make_server
from tests.serve_client import running

INCIDENT = "id/incident/2022-08-21-chsf-corbeil-essonnes"
RESOURCES = [
    INCIDENT,
    "id/establishment/910020254",
    "id/actor/lockbit",
    "id/commune/91174",
    "id/ght/BRE-01",
    "vocab/certainty/claimed",
]
FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
HOSTILE = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>"
PARIS_2022 = {"2022-08-21-chsf-corbeil-essonnes", "2022-12-03-ch-andre-mignot",
              "2022-10-09-maternite-des-bluets"}


@pytest.fixture(scope="module")
def server(project, built) -> Iterator[Server]:
    yield from running(make_server(project, port=0, timeout=60))


def base(server: Server) -> str:
    return server.url.removesuffix("/sparql")


def get(server: Server, path: str, accept: str = "", method: str = "GET", **headers: str):
    request = urllib.request.Request(
        base(server) + path, method=method, headers={"Accept": accept, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class Html(HTMLParser):
    """Well-formed enough to parse; collects the text and the script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.lang: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))
        if tag == "html":
            self.lang = dict(attrs).get("lang")

    def handle_data(self, data):
        self.text.append(data)


def parse_html(body: bytes) -> Html:
    page = Html()
    page.feed(body.decode("utf-8"))
    return page


@pytest.mark.parametrize("path", RESOURCES)
@pytest.mark.parametrize("accept", FORMATS)
def test_each_iri_answers_in_each_rdf_form(server, path, accept):
    status, headers, body = get(server, "/" + path, accept)
    assert status == 200, body[:300]
    assert headers["Content-Type"].startswith(accept)
    g = Graph().parse(data=body, format=FORMATS[accept])
    assert (URIRef(BASE + path), None, None) in g
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", RESOURCES)
def test_each_iri_answers_a_browser_with_a_page_and_links_its_other_forms(server, path):
    status, headers, body = get(server, "/" + path, "text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    page = parse_html(body)
    assert page.lang == "en"
    assert BASE + path in "".join(page.text)
    links = headers["Link"]
    for media in FORMATS:
        assert f'rel="alternate"; type="{media}"' in links
    assert f"</{path}?format=ttl>" in links
    assert headers["Vary"] == "Accept"


def test_format_parameter_picks_the_form(server):
    status, headers, body = get(server, f"/{INCIDENT}?format=jsonld", "text/html")
    assert status == 200 and headers["Content-Type"] == "application/ld+json"
    assert json.loads(body)


def test_an_unoffered_type_is_406_with_the_list(server):
    status, _, body = get(server, f"/{INCIDENT}", "image/png")
    assert status == 406
    assert body.decode() == (
        "no acceptable format; this resource can give: text/html, text/turtle, "
        "application/n-triples, application/rdf+xml, application/ld+json\n"
    )


@pytest.mark.parametrize("accept", FORMATS)
def test_ontology_and_dataset_negotiate(server, accept):
    status, _, body = get(server, "/ontology", accept)
    assert status == 200
    g = Graph().parse(data=body, format=FORMATS[accept])
    assert (URIRef(BASE + "ontology#Incident"), None, None) in g
    status, _, body = get(server, "/dataset", accept)
    assert status == 200
    assert (DATASET, None, None) in Graph().parse(data=body, format=FORMATS[accept])


def test_dataset_and_ontology_pages_for_browsers(server):
    for path in ("/dataset", "/ontology"):
        status, headers, body = get(server, path, "text/html")
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert "Link" in headers
        parse_html(body)


def test_void_stays_turtle_by_default(server):
    status, headers, _ = get(server, "/void")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")


def test_an_unknown_iri_is_a_404_page(server):
    status, headers, body = get(server, "/id/incident/no-such-thing", "text/html")
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert f"nothing is known of &lt;{BASE}id/incident/no-such-thing&gt;" in body.decode()


def test_sparql_without_a_query_is_the_service_description(server):
    status, headers, body = get(server, "/sparql")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef(server.url)) in g
    assert (None, URIRef(sd + "feature"), URIRef(sd + "UnionDefaultGraph")) in g
    status, headers, _ = get(server, "/sparql", "text/html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")  # the query page


def test_sparql_allows_cross_origin_reads_and_stays_read_only(server):
    query = quote("ASK { ?s ?p ?o }")
    status, headers, _ = get(server, f"/sparql?query={query}", Origin="https://example.org")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = get(
        server, "/sparql", method="OPTIONS", Origin="https://example.org",
        **{"Access-Control-Request-Method": "POST"},
    )
    assert status == 204
    assert headers["Access-Control-Allow-Methods"] == "GET, POST, HEAD, OPTIONS"
    status, _, _ = get(server, f"/sparql?update={quote('CLEAR ALL')}")
    assert status == 403


def test_describe_in_json_ld(server):
    query = quote(f"DESCRIBE <{BASE}{INCIDENT}>")
    status, headers, body = get(server, f"/sparql?query={query}", "application/ld+json")
    assert status == 200 and headers["Content-Type"] == "application/ld+json"
    g = Graph().parse(data=body, format="json-ld")
    assert (URIRef(BASE + INCIDENT), None, None) in g


def test_home_lists_the_filtered_incidents_with_command_and_sparql(server):
    status, _, body = get(server, "/?year=2022&region=" + quote("Île-de-France"), "text/html")
    assert status == 200
    text = body.decode()
    for key in PARIS_2022:
        assert f'href="/id/incident/{key}"' in text
    assert "kg attacks --year 2022 --region &#39;Île-de-France&#39;" in text
    assert "PREFIX hck:" in text
    assert 'id="kg-points"' in text and "<svg class=\"timeline\"" in text


def test_home_downloads_csv_and_json(server):
    status, headers, body = get(server, "/?year=2022&format=csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert {r["iri"].rsplit("/", 1)[-1] for r in rows} >= PARIS_2022
    status, headers, body = get(server, "/?year=2022&format=json")
    assert status == 200
    assert json.loads(body)["command"] == "kg attacks --year 2022"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=" + quote(HOSTILE), "year &#39;&lt;script&gt;"),
        ("certainty=" + quote(HOSTILE), "certainty &#39;&lt;script&gt;"),
        ("region=" + quote(HOSTILE), "&lt;script&gt;"),
    ],
)
def test_hostile_filters_get_a_400_page_with_everything_escaped(server, query, message):
    status, headers, body = get(server, "/?" + query, "text/html")
    assert status == 400 and headers["Content-Type"].startswith("text/html")
    text = body.decode()
    assert message in text
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "Traceback" not in text


def test_a_hostile_phrase_is_echoed_escaped(server):
    status, _, body = get(server, "/?q=" + quote(HOSTILE), "text/html")
    assert status in (200, 400)
    text = body.decode()
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#34;&gt;" in text
    assert all(s.get("src") or s.get("type") == "application/json"
               for s in parse_html(body).scripts)


def test_a_hostile_path_is_a_404_page_escaped(server):
    status, headers, body = get(server, "/" + quote(HOSTILE), "text/html")
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert "<script>alert" not in body.decode()
    status, _, body = get(server, "/id/" + quote(HOSTILE), "text/html")
    assert status == 404 and "<script>alert" not in body.decode()
    status, _, body = get(server, "/static/../../serve.py")
    assert status == 404


def test_a_phrase_is_read_as_kg_attacks_options(server):
    status, _, body = get(server, "/?q=" + quote("attacks near Paris in 2022"), "text/html")
    assert status == 200
    text = body.decode()
    for key in PARIS_2022:
        assert f'href="/id/incident/{key}"' in text
    assert "vitry-le-francois" not in text
    assert "kg attacks --near Paris" in text


def test_an_unreadable_phrase_is_a_400_page_with_examples(server):
    status, _, body = get(server, "/?q=" + quote("colourless green ideas"), "text/html")
    assert status == 400
    assert "attacks near Paris in 2022" in body.decode()


def test_kg_site_writes_pages_that_link_to_files(static_site):
    out, result = static_site
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1].startswith("wrote ")
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="id/incident/2022-08-21-chsf-corbeil-essonnes.html"' in home
    incident = (out / f"{INCIDENT}.html").read_text(encoding="utf-8")
    assert 'href="../../static/site.css"' in incident
    assert 'href="/' not in incident and 'src="/' not in incident
    for fmt, parser in (("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")):
        g = Graph().parse(out / f"{INCIDENT}.{fmt}", format=parser)
        assert (URIRef(BASE + INCIDENT), None, None) in g
    for name in ("ontology.html", "dataset.html", "attacks.csv", "exports/dataset.nq",
                 "static/vendor/leaflet/leaflet.js", "static/shapes/france.js"):
        assert (out / name).is_file(), name


def test_a_legal_entity_page_names_its_ght_and_the_other_members(server):
    status, _, body = get(server, "/id/legal-entity/290000041", "text/html")
    assert status == 200
    text = body.decode()
    assert '<h2>GHT: <a href="/id/ght/BRE-01">GHT Bretagne Occidentale</a></h2>' in text
    assert '<a href="/id/legal-entity/290000017">CHRU BREST</a>' in text


def test_an_actor_page_lists_its_incidents_by_date_with_each_claims_certainty(server):
    status, _, body = get(server, "/id/actor/lockbit", "text/html")
    assert status == 200
    table = body.decode().split("<h2>Incidents over time</h2>", 1)[1].split("</table>", 1)[0]
    assert table.index("2022-08-21-chsf") < table.index("2023-01-17-elsan")
    assert '#attribution/lockbit-2">Denied</a>' in table


def test_the_type_filter_is_kg_attacks_kind_option(server):
    status, _, body = get(server, "/?type=ransomware&year=2022&format=json")
    assert status == 200
    answer = json.loads(body)
    assert answer["command"] == "kg attacks --year 2022 --kind ransomware"
    assert answer["rows"] and all("Ransomware" in r["type"] for r in answer["rows"])


@pytest.mark.parametrize("phrase", ["attacks near Paris in 2022", "data leaks in 2024",
                                    "attaques revendiquées par Vice Society",
                                    "ransomware in Île-de-France 2022-2023"])
def test_a_phrase_gives_the_rows_and_command_of_kg_ask(server, cli, project, phrase):
    """Same Question, same filters, same rows: the page's JSON against `kg ask` in CSV."""
    status, _, body = get(server, "/?q=" + quote(phrase) + "&format=json")
    assert status == 200
    page = json.loads(body)
    asked = cli("ask", phrase, "--format", "csv", project=project)
    assert asked.exit_code == 0, asked.stderr
    command, _, table = asked.stdout.partition("\n")
    assert page["command"] == command
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [r["iri"] for r in page["rows"]] == [r["incident"] for r in rows] != []


def test_the_examples_of_the_400_page_are_those_kg_ask_reads():
    from kg.asking import EXAMPLES, parse

    for phrase in EXAMPLES:
        assert parse(phrase).options, phrase


def test_a_page_is_made_once_and_kept_for_the_next_reader(server):
    path = "/?year=2020&certainty=suspected"  # asked by no other test
    first = get(server, path, "text/html")
    second = get(server, path, "text/html")
    assert first[0] == second[0] == 200
    assert (first[1]["X-Cache"], second[1]["X-Cache"]) == ("miss", "hit")
    assert first[2] == second[2]
    missing = "/id/incident/no-such-incident-kept"
    assert [get(server, missing, "text/html")[1]["X-Cache"] for _ in range(2)] == ["miss"] * 2


@pytest.fixture()
def site(project, built):
    from kg.engines import OxigraphEngine
    from kg.site.render import Site

    return Site(project, OxigraphEngine.open(str(built.oxigraph)))


def test_a_large_graph_opens_on_its_latest_year(site, monkeypatch):
    import kg.site.home as home

    def years(params: dict) -> set[str]:
        answer = json.loads(site.respond("/", {**params, "format": ["json"]}).body)
        return {row["date"][:4] for row in answer["rows"]}

    every = years({})
    assert len(every) > 1  # the shipped graph has fewer incidents than HOME_ALL: all listed
    latest = max(every)
    monkeypatch.setattr(home, "HOME_ALL", 10)
    assert years({}) == {latest}
    text = " ".join(parse_html(site.respond("/", {}).body).text)
    assert f"incidents: those of {latest}, the latest year, are shown" in text
    # a filter is answered as asked
    assert years({"year": ["2022"]}) == {"2022"}


def test_the_page_shows_the_first_incidents_and_the_downloads_hold_all(site, monkeypatch):
    import kg.site.home as home

    monkeypatch.setattr(home, "SHOWN", 3)
    page = site.respond("/", {"year": ["2022"]})
    body = page.body.decode()
    assert body.count('<tr data-year="') == 3
    assert "The first 3 of 14 incidents are shown" in body
    downloaded = list(csv.DictReader(io.StringIO(site.respond(
        "/", {"year": ["2022"], "format": ["csv"]}).body.decode())))
    assert len({r["incident"] for r in downloaded}) == 14


def fake_site(pages: dict[str, str]):
    """A stand-in for the site's writing (the swap is what these tests look at)."""
    from kg.site.static_site import Written

    def write(project, out, progress):
        for name, text in pages.items():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_text(text, encoding="utf-8")
        return Written(len(pages), len(pages))

    return write


def test_kg_site_replaces_its_earlier_site_whole(tmp_path, monkeypatch):
    import kg.site.static_site as static_site

    out = tmp_path / "site"
    monkeypatch.setattr(static_site, "_write", fake_site({"index.html": "1", "old.html": "x"}))
    static_site.write_site(None, out)
    monkeypatch.setattr(static_site, "_write", fake_site({"index.html": "2"}))
    static_site.write_site(None, out)
    assert sorted(p.name for p in out.iterdir()) == [".kg-site", "index.html"]
    assert (out / "index.html").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # nothing left beside it


def test_a_failed_kg_site_leaves_the_earlier_site_as_it_was(tmp_path, monkeypatch):
    import kg.site.static_site as static_site

    out = tmp_path / "site"
    monkeypatch.setattr(static_site, "_write", fake_site({"index.html": "1"}))
    static_site.write_site(None, out)

    def broken(project, folder, progress):
        (folder / "index.html").parent.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(static_site, "_write", broken)
    with pytest.raises(OSError):
        static_site.write_site(None, out)
    assert (out / "index.html").read_text() == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_kg_site_refuses_a_folder_that_holds_something_else(cli, project, built, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("keep me")
    result = cli("site", str(out), project=project)
    assert result.exit_code == 2
    assert "is not empty and holds no site that kg wrote" in result.stderr
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


def test_what_the_home_page_reads_once_is_read_for_each_store():
    """Cached per engine and forgotten with it: a later engine on another store, even one that
    reuses the address of the first, reads its own count, latest year and choices."""
    import gc

    import pyoxigraph as ox

    from kg.engines import OxigraphEngine
    from kg.site.choices import choices
    from kg.site.home import _extent

    def engine(year: str) -> OxigraphEngine:
        store = ox.Store()
        hck = "https://w3id.org/hospital-cyber-kg/ontology#"
        incident = ox.NamedNode(f"https://example.org/incident/{year}")
        graph = ox.NamedNode("https://example.org/graph")
        store.add(ox.Quad(incident, ox.NamedNode(hck + "startDate"),
                          ox.Literal(f"{year}-05-01", datatype=ox.NamedNode(
                              "http://www.w3.org/2001/XMLSchema#date")), graph))
        store.add(ox.Quad(incident, ox.NamedNode(
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(hck + "Incident"),
            graph))
        return OxigraphEngine(store)

    for year in ("2019", "2020", "2021", "2023"):
        e = engine(year)
        assert _extent(e) == (1, year)
        assert choices(e)["years"] == [year]
        del e
        gc.collect()
