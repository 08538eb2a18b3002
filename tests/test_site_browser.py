"""The pages in a real browser: Debian's Chromium driven by Playwright (its own browser is never
downloaded: the executable is given), against kg serve on loopback and against `kg site`
output opened from disk. Rows, map markers, the click through to an incident and its sources,
the query page, no script run from a hostile phrase, and axe-core (vendored from npm, see
tests/vendor/) finding no serious or critical violation. Screenshots go to tests/out/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from kg.publishing.serve import Server, make_server
from tests.conftest import REPO
from tests.serve_client import running

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = REPO / "tests" / "vendor" / "axe.min.js"
SHOTS = REPO / "tests" / "out" / "screenshots"
PARIS_2022 = {"2022-08-21-chsf-corbeil-essonnes", "2022-12-03-ch-andre-mignot",
              "2022-10-09-maternite-des-bluets"}
CHSF = "2022-08-21-chsf-corbeil-essonnes"

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (scripts/test.sh "
                       "installs Debian's)"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    yield tab
    context.close()


@pytest.fixture(scope="module")
def server(project, built) -> Iterator[Server]:
    yield from running(make_server(project, port=0, timeout=60))


def root(server: Server) -> str:
    return server.url.removesuffix("/sparql")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def serious_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '));
    }""")
    return list(found)


def incident_keys(page) -> set[str]:
    hrefs = page.eval_on_selector_all("#results tbody a", "els => els.map(e => e.href)")
    return {h.rsplit("/", 1)[-1].removesuffix(".html") for h in hrefs}


def check_results_and_incident(page, url: str, name: str) -> None:
    page.goto(url)
    page.wait_for_selector("path.kg-marker")
    keys = incident_keys(page)
    assert keys >= PARIS_2022
    markers = page.locator("path.kg-marker").count()
    assert markers >= len(PARIS_2022)
    assert page.locator("svg.timeline circle").count() == len(keys)
    shot(page, f"{name}-home")
    assert serious_violations(page) == []
    page.click(f"#results a[href*='{CHSF}']")
    page.wait_for_selector("h1")
    assert "Sud Francilien" in page.inner_text("h1")
    sources = page.eval_on_selector_all("a.source", "els => els.map(e => e.href)")
    assert sources and all(s.startswith(("https://", "http://")) for s in sources)
    assert page.locator(".claim .certainty").count() >= 2  # the claims, side by side
    page.wait_for_selector("path.kg-marker")
    shot(page, f"{name}-incident")
    assert serious_violations(page) == []
    first = page.locator(".claim a.source").first
    url, title = first.get_attribute("href"), first.inner_text()
    page.locator(".claim a.about").first.click()  # the record of that source
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == title
    assert page.locator(f"a[href='{url}']").count() >= 1
    assert "/id/source/" in page.url
    shot(page, f"{name}-source")
    assert page.errors == []


def test_home_filters_map_and_incident_in_chromium(server, page):
    url = root(server) + "/?year=2022&region=" + quote("Île-de-France")
    check_results_and_incident(page, url, "serve-filters")


def test_the_phrase_from_the_issue_in_chromium(server, page):
    url = root(server) + "/?q=" + quote("attacks near Paris in 2022")
    check_results_and_incident(page, url, "serve-phrase")
    page.goto(url)
    assert "2022-04-ght-coeur-grand-est" not in incident_keys(page)


def test_resource_and_query_pages_pass_axe(server, page):
    for name, path in (("establishment", "/id/establishment/910020254"),
                       ("actor", "/id/actor/lockbit"), ("ght", "/id/ght/BRE-01"),
                       ("commune", "/id/commune/91174"), ("dataset", "/dataset"),
                       ("query", "/query")):
        page.goto(root(server) + path)
        shot(page, f"serve-{name}")
        assert serious_violations(page) == [], name
    assert page.errors == []


def test_the_query_page_runs_a_catalogue_query_in_yasgui(server, page):
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(root(server) + "/query")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert page.is_hidden("#plain-editor")
    page.select_option("#catalogue", "attacks")
    assert "SELECT" in page.evaluate(
        "document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr")
    assert page.locator(".yasr table tbody tr").count() > 10
    shot(page, "serve-query-yasgui")
    elsewhere = [url for url in asked if not url.startswith((root(server), "data:"))]
    assert elsewhere == []
    assert page.errors == []


def test_the_query_page_without_yasgui_runs_the_plain_form(server, page):
    page.route("**/vendor/yasgui/*", lambda route: route.abort())
    page.goto(root(server) + "/query")
    page.select_option("#catalogue", "attacks")
    page.click("button[type=submit]")
    page.wait_for_selector("#results-area table")
    assert page.locator("#results-area tbody tr").count() > 10
    assert "rows" in page.inner_text("#status")
    shot(page, "serve-query-run")


def test_a_hostile_phrase_runs_no_script(server, page):
    hostile = "<script>window.pwned=1</script>\"'><img src=x onerror=\"window.pwned=2\">"
    page.goto(root(server) + "/?q=" + quote(hostile))
    assert page.evaluate("window.pwned") is None
    assert page.input_value("#q") == hostile


def test_kg_site_opens_from_disk_with_its_map(static_site, page):
    out, result = static_site
    assert result.exit_code == 0
    page.goto((out / "index.html").as_uri())
    page.wait_for_selector("path.kg-marker")
    assert page.locator("path.kg-marker").count() > 40
    assert len(incident_keys(page)) > 40
    shot(page, "static-home")
    page.click(f"#results a[href*='{CHSF}']")
    page.wait_for_selector("path.kg-marker")
    assert Path(page.url.removeprefix("file://")).name == f"{CHSF}.html"
    assert page.locator("a.source").count() > 5
    page.click("text=Dataset")
    assert "hospital-cyber-kg" in page.inner_text("h1")
    shot(page, "static-dataset")
    assert page.errors == []
