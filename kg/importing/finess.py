"""kg import finess: the FINESS register's etalab extract into the graph.

The extract is published on data.gouv.fr as "FINESS Extraction du Fichier des établissements"
(etalab-cs1100507-stock-YYYYMMDD-HHMM.csv, Licence Ouverte). It has no header row: its first
line is `finess;etalab;N;YYYY-MM-DD` (the extract's date), then one `structureet` line per
establishment (32 `;`-separated fields, a field quoted with doubled quotes where it needs it),
then one `geolocalisation` line per establishment (projected coordinates and the projection's
name). Each line is imported whole or rejected with its line number and reason; a file that is
not an extract is refused whole, and nothing is written.

    report = write_ntriples(Path("etalab.csv"), Path("finess.nt"), root=project.root)
    report, build = import_finess(project, Path("etalab.csv"))   # the store's graph/finess
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import DataError, KgError
from kg.importing.finess_lines import SPREADSHEET, UNCLOSED_QUOTE, LineReader, is_hospital, iso_date
from kg.importing.finess_rdf import Extract, Writer
from kg.importing.finess_report import (
    FinessReport,
    NothingImported,
    Rejected,
    format_rejections,
    format_summary,
)
from kg.namespaces import GRAPH, GRAPHS, ID

if TYPE_CHECKING:
    from kg.loading.places import Place
    from kg.project import Project
    from kg.store import Build

__all__ = [
    "SYNTHETIC_BASE",
    "FinessReport",
    "NothingImported",
    "Rejected",
    "convert",
    "decode",
    "format_rejections",
    "format_summary",
    "import_finess",
    "is_hospital",
    "write_ntriples",
]

SOURCE_URL = "https://www.data.gouv.fr/fr/datasets/finess-extraction-du-fichier-des-etablissements/"
PUBLISHER = "data.gouv.fr (ministère chargé de la santé, Licence Ouverte)"  # as data/sources.csv
SYNTHETIC = "https://w3id.org/hospital-cyber-kg/synthetic/"
SYNTHETIC_BASE = SYNTHETIC + "id/"
DOWNLOAD = f"download etalab-cs1100507-stock-*.csv from {SOURCE_URL}"
_BASE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+/$")


def write_ntriples(
    source: Path, output: Path, *, root: Path, base: str | None = None
) -> FinessReport:
    """The extract as N-Triples in `output` (written aside, renamed into place when complete)."""
    from kg.files import check_output

    check_output("--output", output, [source])
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        report = convert(source, tmp, root=root, base=base)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return report


def import_finess(
    project: Project,
    source: Path,
    *,
    base: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[FinessReport, Build]:
    """The extract into the store as its own named graph (graph/finess), then rebuilt. The
    establishments of data/establishments.csv keep their curated rows: their lines are counted,
    not imported (under another `base` the IRIs differ, so nothing clashes and all are
    imported). If anything fails, the build in use stays the previous one."""
    from kg.store import add_import

    say = progress or (lambda _msg: None)
    with tempfile.TemporaryDirectory(prefix="kg-finess-") as folder:
        nquads = Path(folder) / "finess.nq"
        say(f"reading {source}")
        report = convert(
            source,
            nquads,
            root=project.root,
            base=base,
            quads=True,
            curated=curated_establishments(project.root) if base in (None, str(ID)) else (),
        )
        build = add_import(project, report.import_name, nquads, progress)
    return report, build


def curated_establishments(root: Path) -> frozenset[str]:
    path = root / "data" / "establishments.csv"
    if not path.is_file():
        return frozenset()
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(row.get("finess_et") or "" for row in csv.DictReader(handle)) - {""}


def convert(
    source: Path,
    target: Path,
    *,
    root: Path,
    base: str | None = None,
    quads: bool = False,
    curated: Collection[str] = (),
) -> FinessReport:
    """Read the extract `source`, write its graph to `target` (N-Triples, or N-Quads in the
    import's named graph with `quads`), return the report. `base` replaces the IRI prefix
    https://w3id.org/hospital-cyber-kg/id/ of the establishments, legal entities and source
    (places keep theirs: they are the real communes); a synthetic register needs one."""
    prefix = _check_base(source, base)
    text, encoding = decode(source)
    rows = _rows(source, text)
    date, synthetic = _check_header(source, next(rows, None), prefix)
    report = FinessReport(source, date, synthetic, encoding)
    reader = LineReader(source, report, _gazetteer(root), frozenset(curated))
    for line, cells in rows:
        reader.read(line, cells)
    reader.locate()
    report.rejected.sort(key=lambda r: r.line or 0)
    if not reader.sites:
        raise NothingImported(report)
    graph = None
    if quads:
        graph = str(GRAPH["finess-synthetic"] if synthetic else GRAPHS["finess"])
        report.graph = graph
    with target.open("w", encoding="utf-8", newline="\n") as handle:
        writer = Writer(handle, graph, prefix)
        _write(writer, reader, _extract(source, date, synthetic))
    report.triples = writer.count
    return report


MAX_EXTRACT_BYTES = 4 * 1024 * 1024 * 1024


def decode(path: Path) -> tuple[str, str]:
    """The file's text: UTF-8, else Windows-1252 for the lines that are not UTF-8 (older
    extracts were Windows-1252)."""
    from kg.files import read_bytes

    data = read_bytes(path, path, MAX_EXTRACT_BYTES)
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    lines, legacy, utf8 = [], 0, 0
    for raw in data.splitlines(keepends=True):
        try:
            lines.append(raw.decode("utf-8"))
            utf8 += not raw.isascii()
        except UnicodeDecodeError:
            lines.append(raw.decode("cp1252", errors="replace"))
            legacy += 1
    text = "".join(lines).removeprefix("\ufeff")
    return text, f"UTF-8 and Windows-1252 ({legacy} lines)" if utf8 else "Windows-1252"


def _rows(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank line, read as `;`-separated CSV. Each line is
    read on its own (a record of the extract is one line), so a stray quote cannot swallow the
    lines after it: a quote left open gives [UNCLOSED_QUOTE], which the reader rejects."""
    for line, raw in enumerate(text.split("\n"), 1):
        raw = raw.removesuffix("\r")
        if not raw.strip():
            continue
        try:
            cells = next(csv.reader([raw], delimiter=";", quotechar='"', strict=True), [])
        except csv.Error:
            cells = [UNCLOSED_QUOTE]
        if cells and any(cells):
            yield line, cells


def _check_base(source: Path, base: str | None) -> str:
    if base is None:
        return str(ID)
    if not _BASE.match(base):
        raise KgError(
            f"'{base}' is not an IRI prefix for the resources of {source}",
            f"an http(s) IRI ending in '/', e.g. {SYNTHETIC_BASE}",
        )
    return base


def _check_header(path: Path, first: tuple[int, list[str]] | None, prefix: str) -> tuple[str, bool]:
    """(extract date, synthetic?) from the first line, or the reason this is not an extract."""
    if first is None:
        raise DataError(path, None, "is empty, not a FINESS extract", DOWNLOAD)
    line, cells = first
    shown = ";".join(cells)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    if line != 1 or not _is_header(cells):
        hint = DOWNLOAD
        if cells[:2] == ["finess", "nofinesset"] or cells[:1] == ["nofinesset"]:
            hint = f"a column header: {SPREADSHEET}"
        raise DataError(
            path,
            line,
            f"the first line is '{shown}', not 'finess;etalab;N;YYYY-MM-DD': "
            "this is not the FINESS extract",
            hint,
        )
    synthetic = cells[1] == "synthetic"
    if synthetic and prefix == str(ID):
        raise DataError(
            path,
            1,
            f"the first line '{shown}' marks a synthetic register, not the published extract",
            f"import it under its own namespace: base {SYNTHETIC_BASE}",
        )
    return cells[3], synthetic


def _is_header(cells: list[str]) -> bool:
    ok = (
        len(cells) == 4
        and cells[0] == "finess"
        and cells[1] in ("etalab", "synthetic")
        and cells[2].isdigit()
    )
    return ok and iso_date(cells[3])


def _gazetteer(root: Path) -> dict[str, dict[str, Place]]:
    from kg.errors import DataErrors
    from kg.loading.context import Context
    from kg.loading.places import read_places

    ctx = Context(root=root)
    places = read_places(ctx)
    if ctx.problems:
        raise DataErrors(ctx.problems)
    return places


def _extract(path: Path, date: str, synthetic: bool) -> Extract:
    if synthetic:
        title = f"Synthetic FINESS register {path.name} ({date}), generated by kg.synthetic"
        return Extract(f"finess-synthetic-{date}", SYNTHETIC, title, date, publisher="")
    title = f"FINESS Extraction du Fichier des établissements, {path.name}, extract of {date}"
    return Extract(f"finess-{date}", SOURCE_URL, title, date, PUBLISHER)


def _write(writer: Writer, reader: LineReader, extract: Extract) -> None:
    report = reader.report
    sites = [reader.sites[n] for n in sorted(reader.sites)]
    source = writer.source(extract)
    labels: dict[str, str] = {}
    for site in sites:
        labels.setdefault(site.category, site.category_label)
    writer.categories(labels, source)
    legal_entities = {site.legal_entity for site in sites}
    writer.legal_entities(legal_entities, source)
    for site in sites:
        writer.establishment(site, source)
    communes = {site.commune for site in sites}
    writer.places(reader.places, communes)
    report.establishments = len(sites)
    report.hospitals = sum(site.hospital for site in sites)
    report.legal_entities = len(legal_entities)
    report.communes = len(communes)
