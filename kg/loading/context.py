"""What every reader of data/ shares: the graphs being filled, the indexes of what exists so far,
the problems found, and where each resource was written (for error and validation reports)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from kg.dates import DateProblem, parse_date
from kg.errors import DataError
from kg.files import read_text
from kg.namespaces import GRAPHS, PREFIXES

MULTI = " | "
MAX_TABLE_BYTES = 256 * 1024 * 1024


@dataclass
class Context:
    root: Path
    graphs: dict[str, Graph] = field(default_factory=dict)
    problems: list[DataError] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)
    sources: dict[str, URIRef] = field(default_factory=dict)
    used_sources: set[str] = field(default_factory=set)
    vocab: dict[str, set[str]] = field(default_factory=dict)
    categories: dict[str, bool] = field(default_factory=dict)
    legal_entities: set[str] = field(default_factory=set)
    establishments: set[str] = field(default_factory=set)
    ghts: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    actors: set[str] = field(default_factory=set)
    malware: set[str] = field(default_factory=set)
    communes: dict[str, str] = field(default_factory=dict)
    departments: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    communes_used: set[str] = field(default_factory=set)
    # the register snapshot (kg/loading/snapshot.py): its N-Quads lines, the legal entities it
    # added, its counts, and the notices of the build (disagreements with the curated tables)
    lines: list[str] = field(default_factory=list)
    snapshot_entities: set[str] = field(default_factory=set)
    snapshot: dict[str, int | str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    def graph(self, name: str) -> Graph:
        if name not in self.graphs:
            g = Graph(identifier=GRAPHS[name])
            for prefix, ns in PREFIXES.items():
                g.bind(prefix, ns, replace=True)
            self.graphs[name] = g
        return self.graphs[name]

    def shown(self, path: Path) -> Path:
        try:
            return path.relative_to(self.root)
        except ValueError:
            return path

    def problem(self, path: Path, line: int | None, message: str, hint: str | None = None) -> None:
        self.problems.append(DataError(self.shown(path), line, message, hint))

    def origin(self, iri: URIRef, path: Path, line: int) -> None:
        self.origins.setdefault(str(iri), f"{self.shown(path)}:{line}")

    def source_refs(self, text: str | Iterable[str], path: Path, line: int) -> list[URIRef]:
        """The Source IRIs of URLs; a URL without a row in data/sources.csv is a problem."""
        urls = [u.strip() for u in text.split(MULTI)] if isinstance(text, str) else list(text)
        out = []
        for url in (u for u in urls if u):
            if url not in self.sources:
                self.problem(
                    path,
                    line,
                    f"source '{url}' is not in data/sources.csv",
                    "add a row for it (url, title, publisher, language, published)",
                )
                continue
            self.used_sources.add(url)
            out.append(self.sources[url])
        return out

    def date(self, text: object, path: Path, line: int, what: str) -> Literal | None:
        try:
            return parse_date(str(text))
        except DateProblem as exc:
            self.problem(path, line, f"'{what}' is '{exc.text}', {exc.reason}")
            return None

    def code(self, scheme: str, code: object, path: Path, line: int, what: str) -> str | None:
        known = self.vocab.get(scheme, set())
        if str(code) in known:
            return str(code)
        self.problem(
            path,
            line,
            f"'{what}' is '{code}', not one of: {', '.join(sorted(known))}",
            f"see ontology/vocab/{scheme}.ttl",
        )
        return None


def add_sources(g: Graph, subject: URIRef, sources: list[URIRef]) -> None:
    for src in sources:
        g.add((subject, DCTERMS.source, src))


def decimal(value: float | str, places: int = 6) -> Literal:
    """An xsd:decimal in its XSD 1.1 canonical form (no trailing zeros; 3, not 3.0), as
    Oxigraph writes it, so that every engine gives the same text for the same value."""
    text = f"{float(value):.{places}f}" if isinstance(value, float) else str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Literal("0" if text in ("-0", "") else text, datatype=XSD.decimal)


@dataclass
class Row:
    """One line of a CSV table, with where it was written."""

    path: Path
    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()


def read_table(ctx: Context, path: Path, columns: list[str], required: set[str]) -> Iterator[Row]:
    """Rows of a CSV table whose header must be exactly `columns`; bad rows become problems."""
    if not path.exists() and not path.is_symlink():
        ctx.problem(path, None, "is missing", f"create it with the header {','.join(columns)}")
        return
    try:
        text = read_text(path, ctx.shown(path), MAX_TABLE_BYTES)
    except DataError as exc:
        ctx.problems.append(exc)
        return
    yield from _rows(ctx, path, text, columns, required)


def _rows(
    ctx: Context, path: Path, text: str, columns: list[str], required: set[str]
) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from _checked_rows(ctx, path, reader, columns, required)
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = f"a cell is longer than {csv.field_size_limit():,} characters"
        ctx.problem(path, reader.line_num or None, f"not CSV: {reason}", "check the quoting")


def _checked_rows(
    ctx: Context, path: Path, reader: Any, columns: list[str], required: set[str]
) -> Iterator[Row]:
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != columns:
        ctx.problem(
            path,
            1,
            f"the header is {','.join(header or [])!r}",
            f"it must be exactly {','.join(columns)}",
        )
        return
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if any("\n" in c or "\r" in c for c in cells):
            ctx.problem(
                path,
                line,
                f"a quoted cell runs on to line {reader.line_num}: a stray quote?",
                'close the quote, or double a quote inside a cell ("")',
            )
            continue
        if len(cells) != len(columns):
            ctx.problem(
                path,
                line,
                f"{len(cells)} fields where the header has {len(columns)} ({','.join(columns)})",
                "quote a cell that holds a comma; leave an empty cell for a missing value",
            )
            continue
        row = Row(path, line, dict(zip(columns, cells, strict=True)))
        missing = [c for c in columns if c in required and not row[c]]
        if missing:
            ctx.problem(path, line, f"empty {', '.join(missing)}", "every row needs a value there")
            continue
        yield row
