"""Answers written by the store itself: a SELECT on the embedded Oxigraph store, asked for as
CSV, TSV, SPARQL JSON or SPARQL XML, is serialised by Oxigraph (`QuerySolutions.serialize`),
with no Python object made per cell. The rows are the same as those of the rows path
(kg.engines + kg.output); tests/test_query_native.py holds them equal on every catalogue query.

- SPARQL JSON and XML: the store's bytes as they are (compact: the same results as
  kg.output's, without its indentation).
- kg's CSV and TSV (plain values, one line per row, "\\n" line ends) from the store's SPARQL CSV:
  line ends and delimiters changed on the bytes when no value needed quoting; otherwise the
  CSV is read and written again by Python's csv module, which is what the rows path does.
- The rows path is kept for what only it does: ASK, graphs, kg's JSON and the table, a blank
  node in CSV or TSV (kg writes its label without `_:`), and a final ORDER BY of plain keys,
  which kg.engines sorts in Python: Oxigraph's own sort of the 64,000 rows of ght-exposure at
  3M triples took 13 s where the query unsorted takes 2.6 s and the rows path 4.6 s in all
  (measured; bench/out/results.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
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
    if query_form(text) != "SELECT" or split_order(text) is not None:
        return None  # (a final ORDER BY that kg.engines sorts: Oxigraph's sort is slower)
    import pyoxigraph as ox

    result = engine._run(text, bindings)
    if not isinstance(result, ox.QuerySolutions):
        return None
    names = [v.value for v in result.variables]
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
