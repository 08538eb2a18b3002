"""Answers written by the store itself: a SELECT on the embedded Oxigraph store, asked for as
CSV, TSV, SPARQL JSON or SPARQL XML, is serialised by Oxigraph (`QuerySolutions.serialize`),
with no Python object made per cell. The rows are the same as those of the rows path
(kg.engines + kg.output); tests/test_query_native.py holds them equal on every catalogue query.

- SPARQL JSON and XML: the store's bytes as they are (compact: the same results as
  kg.output's, without its indentation).
- kg's CSV and TSV (plain values, one line per row, "\\n" line ends) from the store's SPARQL CSV:
  line ends and delimiters changed on the bytes when no value needed quoting; otherwise the
  CSV is read and written again by Python's csv module, which is what the rows path does.
- A final ORDER BY of plain keys (kg.engines.split_order), in CSV or TSV: the query runs
  without it, the store writes SPARQL TSV, and the lines are sorted here on the terms as
  written, in the order of kg.engines.sort_rows (unbound, IRIs, literals by their text). Each
  distinct cell is read once. Oxigraph's own sort of the 64,000 rows of ght-exposure at 3M
  triples took 12.7 s where the query unsorted takes 2.4 s (measured on the bench's 3M store).
- The rows path is kept for what only it does: ASK, graphs, kg's JSON and the table, a blank
  node in CSV or TSV (kg writes its label without `_:`), a sorted answer in SPARQL JSON or XML,
  and a sort key that holds a number (kg.engines compares numbers by value).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from rdflib.term import Node

from kg.engines import OxigraphEngine, split_order
from kg.sparqltext import query_form

FORMATS = {"csv": "CSV", "tsv": "CSV", "sparql-json": "JSON", "sparql-xml": "XML"}


def bounded_answer(
    engine: Any, text: str, bindings: Mapping[str, Node], fmt: str, timeout: float | None
) -> tuple[str, bool] | None:
    """store_answer within the same checks and time limit as kg.query.execute."""
    from kg.query import bounded
    from kg.sparqltext import check_size_and_nesting

    if fmt not in FORMATS or not isinstance(engine, OxigraphEngine):
        return None
    check_size_and_nesting(text)
    return bounded(lambda: store_answer(engine, text, bindings, fmt), timeout)


def store_answer(
    engine: Any, text: str, bindings: Mapping[str, Node], fmt: str
) -> tuple[str, bool] | None:
    """(the answer in `fmt`, whether it has no row) serialised by the store, or None when
    this answer takes the rows path."""
    if fmt not in FORMATS or not isinstance(engine, OxigraphEngine):
        return None
    ordered = split_order(text)
    if query_form(text) != "SELECT" or (ordered and fmt not in ("csv", "tsv")):
        return None
    import pyoxigraph as ox

    result = engine._run(ordered[0] if ordered else text, bindings)
    if not isinstance(result, ox.QuerySolutions):
        return None
    names = [v.value for v in result.variables]
    if ordered:
        if any(name not in names for name, _ in ordered[1]):
            return None  # it orders by what it does not show: Oxigraph sorts it
        data = result.serialize(format=ox.QueryResultsFormat.TSV) or b""
        return _sorted_delimited(data, names, ordered[1], "\t" if fmt == "tsv" else ",")
    data = result.serialize(format=getattr(ox.QueryResultsFormat, FORMATS[fmt])) or b""
    if fmt == "sparql-json":
        return data.decode("utf-8"), b'"bindings":[]' in data
    if fmt == "sparql-xml":
        return data.decode("utf-8"), b"<result>" not in data
    return _delimited(data, names, "\t" if fmt == "tsv" else ",")


def _delimited(data: bytes, names: list[str], delimiter: str) -> tuple[str, bool] | None:
    """kg's CSV or TSV (as kg.output.render_delimited writes it) from the store's SPARQL CSV."""
    body = data.split(b"\r\n", 1)[1] if b"\r\n" in data else b""
    if b"_:" in body:  # a blank node, or a value with `_:` in it: the rows path tells them apart
        return None
    empty = not body
    plain = b'"' not in data and (delimiter == "," or b"\t" not in data)
    if plain and len(names) > 1:  # (Python quotes a lone empty field: "")
        out = data.replace(b"\r\n", b"\n")
        if delimiter != ",":
            out = out.replace(b",", delimiter.encode())
        return out.decode("utf-8").rstrip("\n"), empty
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    writer.writerows(row or [""] for row in rows)  # a lone empty field is an empty line
    return buffer.getvalue().rstrip("\n"), empty


XSD = "http://www.w3.org/2001/XMLSchema#"
# The datatypes whose values rdflib's Literal.toPython makes numbers (int, Decimal, float), which
# kg.engines.sort_rows compares by value (tests/test_query_native.py checks the list on rdflib).
NUMBER_TYPES = frozenset(
    XSD + name
    for name in (
        "integer nonPositiveInteger negativeInteger long int short byte nonNegativeInteger "
        "unsignedLong unsignedInt unsignedShort unsignedByte positiveInteger decimal float double"
    ).split()
)
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPED = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f"}


def _sorted_delimited(
    data: bytes, names: list[str], keys: list[tuple[str, bool]], delimiter: str
) -> tuple[str, bool] | None:
    """kg's CSV or TSV of a sorted answer from the store's SPARQL TSV (one term per cell, in
    Turtle syntax, its tabs and line ends escaped), sorted as kg.engines.sort_rows sorts rows.
    None (the rows path) for a blank node, a number in a sort key, or a single column."""
    text = data.decode("utf-8")
    if "_:" in text.partition("\n")[2] or len(names) < 2:
        return None  # (a blank node; a lone empty field, which Python's csv module quotes)
    cells = _Cells(delimiter)
    rows = [list(map(cells.__getitem__, line.split("\t"))) for line in text.split("\n")[1:-1]]
    columns = [names.index(name) for name, _ in keys]
    if any(row[c][0] is None for c in columns for row in rows):
        return None  # a number: compared by value on the rows path
    # A cell is (its key, its value, its text in the output); two cells with the same key are
    # the same cell, so comparing cells is comparing keys.
    if len({descending for _, descending in keys}) == 1:  # one sort on the whole key
        rows.sort(key=lambda row: [row[c] for c in columns], reverse=keys[0][1])
    else:  # stable sorts, the last key first
        for column, (_, descending) in reversed(list(zip(columns, keys, strict=True))):
            rows.sort(key=itemgetter(column), reverse=descending)
    head = delimiter.join(names)  # (variable names: letters, digits and _)
    lines = [delimiter.join([cell[2] for cell in row]) for row in rows]
    return "\n".join([head, *lines]), not rows


class _Cells(dict[str, tuple[tuple[int, str] | None, str, str]]):
    """Each distinct TSV field read once: its sort key (kg.engines.sort_rows's, None for a
    number, which it compares by value), its value, and its text in kg's CSV or TSV (as
    Python's csv module quotes it)."""

    def __init__(self, delimiter: str) -> None:
        super().__init__()
        self.delimiter = delimiter
        self.special = re.compile(f'["\\r\\n{re.escape(delimiter)}]')

    def __missing__(self, field: str) -> tuple[tuple[int, str] | None, str, str]:
        key, value = _term(field)
        written = value
        if self.special.search(value):
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=self.delimiter, lineterminator="\n").writerow([value])
            written = buffer.getvalue()[:-1]
        self[field] = (key, value, written)
        return self[field]


def _term(field: str) -> tuple[tuple[int, str] | None, str]:
    """A TSV term's sort key and value."""
    if not field:
        return (0, ""), ""  # unbound
    if field[0] == "<":
        return (1, field[1:-1]), field[1:-1]
    if field[0] != '"':  # a number or a boolean, written as Turtle writes them
        return (None if field not in ("true", "false") else (3, field)), field
    end = field.rindex('"')
    value = field[1:end]
    if "\\" in value:
        value = _ESCAPE.sub(_unescape, value)
    datatype = field[end + 3 : -1] if field.startswith("^^", end + 1) else None
    return (None if datatype in NUMBER_TYPES else (3, value)), value


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) > 1:
        return chr(int(code[1:], 16))
    return _ESCAPED.get(code, code)
