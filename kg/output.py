"""Writing answers: a readable table (default), CSV, TSV, JSON, and the W3C SPARQL 1.1 results
formats (JSON and XML); graphs as Turtle or N-Triples."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.engines import Table
from kg.errors import QueryError
from kg.namespaces import ID, VOCAB

TABLE_FORMATS = ("table", "csv", "tsv", "json", "sparql-json", "sparql-xml")
GRAPH_FORMATS = ("ttl", "nt")


def short(value: Node | None) -> str:
    """For people: our resource IRIs as their key, concepts as their code, numbers trimmed."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, URIRef):
        for ns in (str(ID), str(VOCAB)):
            if text.startswith(ns):
                return text[len(ns) :].split("/", 1)[-1]
    return text


def plain(value: Node | None) -> object:
    """For JSON: numbers and booleans as such, everything else as its lexical form."""
    if value is None:
        return None
    if isinstance(value, Literal) and value.datatype in (
        XSD.integer,
        XSD.decimal,
        XSD.double,
        XSD.nonNegativeInteger,
        XSD.boolean,
    ):
        python = value.toPython()
        return float(python) if type(python).__name__ == "Decimal" else python
    return str(value)


def render_table(table: Table, columns: Sequence[str] | None = None) -> str:
    columns = list(columns or table.variables)
    cells = [[short(row.get(c)) for c in columns] for row in table.rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    widths = [min(w, 60) for w in widths]

    def line(values: Sequence[str]) -> str:
        parts = [
            (v if len(v) <= w else v[: w - 1] + "…").ljust(w)
            for v, w in zip(values, widths, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)


def render_delimited(table: Table, columns: Sequence[str] | None, delimiter: str) -> str:
    columns = list(columns or table.variables)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in table.rows:
        writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns])
    return buffer.getvalue().rstrip("\n")


def render_json(table: Table, columns: Sequence[str] | None) -> str:
    columns = list(columns or table.variables)
    rows = [{c: plain(row.get(c)) for c in columns} for row in table.rows]
    return json.dumps(rows, indent=2, ensure_ascii=False)


def _sparql_json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def render_sparql_json(table: Table, columns: Sequence[str] | None) -> str:
    columns = list(columns or table.variables)
    if columns == ["ask"] and len(table.rows) == 1:
        return json.dumps({"head": {}, "boolean": bool(table.rows[0]["ask"])})
    bindings = [
        {c: _sparql_json_term(v) for c in columns if (v := row.get(c)) is not None}
        for row in table.rows
    ]
    return json.dumps(
        {"head": {"vars": columns}, "results": {"bindings": bindings}}, indent=2, ensure_ascii=False
    )


def _sparql_xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    assert isinstance(term, Literal)
    attr = (
        f" xml:lang={quoteattr(term.language)}"
        if term.language
        else f" datatype={quoteattr(str(term.datatype))}"
        if term.datatype
        else ""
    )
    return f"<literal{attr}>{escape(str(term))}</literal>"


def render_sparql_xml(table: Table, columns: Sequence[str] | None) -> str:
    columns = list(columns or table.variables)
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if columns == ["ask"] and len(table.rows) == 1:
        value = "true" if bool(table.rows[0]["ask"]) else "false"
        return "\n".join([*out, "  <head/>", f"  <boolean>{value}</boolean>", "</sparql>"])
    out.append("  <head>" + "".join(f'<variable name="{c}"/>' for c in columns) + "</head>")
    out.append("  <results>")
    for row in table.rows:
        cells = "".join(
            f'<binding name="{c}">{_sparql_xml_term(v)}</binding>'
            for c in columns
            if (v := row.get(c)) is not None
        )
        out.append(f"    <result>{cells}</result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out)


_RENDERERS: dict[str, Callable[[Table, Sequence[str] | None], str]] = {
    "table": render_table,
    "csv": lambda t, c: render_delimited(t, c, ","),
    "tsv": lambda t, c: render_delimited(t, c, "\t"),
    "json": render_json,
    "sparql-json": render_sparql_json,
    "sparql-xml": render_sparql_xml,
}


def render(table: Table, fmt: str, columns: Sequence[str] | None = None) -> str:
    if fmt not in _RENDERERS:
        raise QueryError(
            f"unknown format '{fmt}' for a table", f"one of: {', '.join(TABLE_FORMATS)}"
        )
    return _RENDERERS[fmt](table, columns)


def render_graph(graph: Graph, fmt: str) -> str:
    if fmt not in ("ttl", "nt", "table"):
        raise QueryError(f"unknown format '{fmt}' for a graph", "ttl or nt")
    return graph.serialize(format="nt" if fmt == "nt" else "turtle")
