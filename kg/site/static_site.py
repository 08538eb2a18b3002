"""`kg site OUT/`: the pages of kg serve written as files for a static host, with relative links
so that they also open from disk: the home page with every incident baked in (table, map,
timeline; the search itself needs kg serve), a page and the four RDF forms of every resource
of our namespace, the ontology (documentation and forms), the dataset description, the
exports (Turtle, N-Quads, JSON-LD), the attacks as CSV and JSON, and the scripts and shapes."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.namespaces import BASE, ID, VOCAB
from kg.site.links import Links
from kg.site.render import OX_FORMATS, Site, description, to_csv, to_json
from kg.site.view import RDF_TYPE, top_of

EXPORTS = ("ttl", "nq", "jsonld")


@dataclass
class Written:
    pages: int
    files: int

    @property
    def summary(self) -> str:
        return f"{self.pages} pages, {self.files} files"


def resources(store: Any) -> list[str]:
    """Every resource of our namespace that is not a part of another."""
    import pyoxigraph as ox

    found: set[str] = set()
    for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None):
        iri = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
        if iri.startswith((str(ID), str(VOCAB))) and top_of(iri) == iri:
            found.add(iri)
    return sorted(found)


MARKER = ".kg-site"  # in the folder of a site kg wrote: that folder may be replaced


def write_site(project: Any, out: Path, progress: Any = None) -> Written:
    """Write the site beside `out`, then put it in its place: an earlier kg site in `out` is
    replaced whole (no stale page stays), and if writing fails it is left as it was. A folder
    that holds anything else is refused, never emptied."""
    if out.exists() and not out.is_dir():
        raise KgError(f"{out} is not a folder", "give a folder (it is created if missing)")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise KgError(
            f"{out} is not empty and holds no site that kg wrote",
            "give a new or empty folder, or the folder of an earlier kg site (replaced whole)",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging, old = (out.with_name(f".{out.name}.kg-site-{part}") for part in ("new", "old"))
    shutil.rmtree(staging, ignore_errors=True)
    try:
        written = _write(project, staging, progress)
        (staging / MARKER).write_text("written by kg site; kg site replaces this folder whole\n",
                                      encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)
    return written


def _write(project: Any, out: Path, progress: Any) -> Written:
    from kg.engines import OxigraphEngine
    from kg.store import require_build

    build = require_build(project)
    engine = OxigraphEngine.open(str(build.oxigraph))
    site = Site(project, engine, Links(static=True))
    writer = _Writer(out)
    home = site.respond("/", {})
    writer.put("index.html", home.body)
    results = _all_attacks(site)
    writer.put("attacks.csv", to_csv(results))
    writer.put("attacks.json", to_json(results))
    for iri in resources(engine.store):
        path = iri[len(BASE):]
        for fmt in ("html", *OX_FORMATS):
            page = site.respond("/" + path, {"format": [fmt]})
            if page.status == 200:
                writer.put(f"{path}.{fmt}", page.body, fmt == "html")
    for fmt in ("html", *OX_FORMATS):
        writer.put(f"ontology.{fmt}", site.respond("/ontology", {"format": [fmt]}).body,
                   fmt == "html")
    _description(project, build, site, writer)
    _exports(project, build, writer, progress)
    shutil.copytree(Path(__file__).parent / "static", out / "static", dirs_exist_ok=True)
    return Written(writer.pages, writer.files)


def _all_attacks(site: Site) -> Any:
    from kg.site.home import search

    return search(site.project, site.engine, site.view(site.links.at("index.html")), {},
                  latest_by_default=False)


def _description(project: Any, build: Any, site: Site, writer: _Writer) -> None:
    from kg.exporting.rdf import describe

    turtle = describe(project, build).serialize(format="turtle").encode("utf-8")
    for fmt in ("html", *OX_FORMATS):
        page = description(turtle, "/dataset", {"format": [fmt]}, "", static=True)
        writer.put(f"dataset.{fmt}", page.body, fmt == "html")


def _exports(project: Any, build: Any, writer: _Writer, progress: Any) -> None:
    from kg.exporting.rdf import export

    for fmt in EXPORTS:
        target = writer.out / "exports" / f"dataset.{fmt}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if progress:
            progress(f"writing {target}")
        with open(target, "wb") as handle:
            export(project, build, fmt, handle)
        writer.files += 1


class _Writer:
    def __init__(self, out: Path) -> None:
        self.out, self.pages, self.files = out, 0, 0

    def put(self, name: str, body: bytes, page: bool = True) -> None:
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        self.files += 1
        self.pages += 1 if page and name.endswith(".html") else 0
