"""Where a SPARQL query runs: the persisted Oxigraph store (default), rdflib's in-memory store
(the baseline), or a remote SPARQL 1.1 endpoint. Each binds parameters its own way and all give
the same rows; the great-circle distance function is registered where the engine allows it and
computed here for a remote endpoint."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.errors import QueryError
from kg.sparqltext import with_values

Row = dict[str, Node | None]

THREAT_NAMES = """
PREFIX hck: <https://w3id.org/hospital-cyber-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?x ?label WHERE {
  { ?x a hck:ThreatActor } UNION { ?x a hck:Malware }
  ?x skos:prefLabel|skos:altLabel ?label .
}"""


@dataclass
class Table:
    """The answer of a SELECT (or ASK: one row with ?ask)."""

    variables: list[str]
    rows: list[Row] = field(default_factory=list)


class Engine(Protocol):
    name: str

    def select(self, text: str, bindings: Mapping[str, Node]) -> Table: ...

    def graph(self, text: str, bindings: Mapping[str, Node]) -> Graph: ...

    def threat_names(self) -> dict[str, list[str]]: ...


def _threat_names(engine: Engine) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in engine.select(THREAT_NAMES, {}).rows:
        out.setdefault(str(row["x"]), []).append(str(row["label"]))
    return out


class OxigraphEngine:
    """pyoxigraph on the persisted store, opened read-only. Parameters go in a VALUES block at
    the head of the WHERE group: pyoxigraph's `substitutions` require the variable in the
    projection and mishandle BOUND() on it, so they are not used."""

    name = "oxigraph"

    def __init__(self, store: Any) -> None:
        import pyoxigraph as ox

        from kg.geo import oxigraph_functions

        self._ox = ox
        self.store = store
        self.functions = oxigraph_functions()

    @classmethod
    def open(cls, path: str) -> OxigraphEngine:
        """The engine on a persisted store, opened read-only."""
        import pyoxigraph as ox

        return cls(ox.Store.read_only(path))

    def _run(self, text: str, bindings: Mapping[str, Node]) -> Any:
        try:
            return self.store.query(
                with_values(text, bindings),
                use_default_graph_as_union=True,
                custom_functions=self.functions,
            )
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax: {exc}") from None

    def select(self, text: str, bindings: Mapping[str, Node]) -> Table:
        # Oxigraph sorts slowly (it decodes terms at each comparison: seconds for 60,000 rows);
        # a final ORDER BY of plain keys is applied here instead, with the same order.
        ordered = split_order(text)
        result = self._run(ordered[0] if ordered else text, bindings)
        if isinstance(result, self._ox.QueryBoolean):
            return Table(["ask"], [{"ask": Literal(bool(result))}])
        if not isinstance(result, self._ox.QuerySolutions):
            raise QueryError("this query builds a graph", "use it with --format ttl or nt")
        names = [v.value for v in result.variables]
        if ordered and any(k not in names for k, _ in ordered[1]):
            return self.select_unsorted(text, bindings)  # it orders by what it does not show
        table = Table(names, _rows(result, names))
        return sort_rows(table, ordered[1]) if ordered else table

    def select_unsorted(self, text: str, bindings: Mapping[str, Node]) -> Table:
        """The query as written, ORDER BY included, sorted by Oxigraph."""
        result = self._run(text, bindings)
        names = [v.value for v in result.variables]
        return Table(names, _rows(result, names))

    def graph(self, text: str, bindings: Mapping[str, Node]) -> Graph:
        result = self._run(text, bindings)
        if not isinstance(result, self._ox.QueryTriples):
            raise QueryError("this query does not build a graph")
        g = Graph()
        for t in result:
            g.add((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)))  # type: ignore[arg-type]
        return g

    @cached_property
    def _names(self) -> dict[str, list[str]]:
        return _threat_names(self)

    def threat_names(self) -> dict[str, list[str]]:
        return self._names


def _rows(solutions: Any, names: list[str]) -> list[Row]:
    """Solutions as rows of rdflib terms, each distinct term converted once."""
    seen: dict[Any, Node | None] = {}
    out = []
    for solution in solutions:
        row: Row = {}
        for n, term in zip(names, solution, strict=True):  # a solution iterates in `names` order
            if term is None:
                row[n] = None
                continue
            converted = seen.get(term)
            if converted is None:
                converted = seen[term] = _from_ox(term)
            row[n] = converted
        out.append(row)
    return out


def _from_ox(term: Any) -> Node | None:
    if term is None:
        return None
    kind = type(term).__name__
    if kind == "NamedNode":
        return URIRef(term.value)
    if kind == "BlankNode":
        from rdflib import BNode

        return BNode(term.value)
    if kind == "Literal":
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else datatype)
    raise QueryError(f"unexpected term {term!r}")


_GROUP_BY = re.compile(r"\bGROUP\s+BY\b", re.IGNORECASE)


class MemoryEngine:
    """rdflib's own SPARQL engine on an in-memory Dataset; parameters by initBindings."""

    name = "memory"

    def __init__(self, dataset: Graph) -> None:
        from kg.geo import register_rdflib

        register_rdflib()
        self.dataset = dataset

    def _run(self, text: str, bindings: Mapping[str, Node]) -> Any:
        from pyparsing import ParseException

        try:
            return self.dataset.query(
                text,
                initBindings={Variable(k): v for k, v in bindings.items()},  # type: ignore[misc]
            )
        except ParseException as exc:
            raise QueryError(f"SPARQL syntax: {exc}") from None

    def select(self, text: str, bindings: Mapping[str, Node]) -> Table:
        result = self._run(text, bindings)
        if result.type == "ASK":
            return Table(["ask"], [{"ask": Literal(bool(result.askAnswer))}])
        if result.type != "SELECT":
            raise QueryError("this query builds a graph", "use it with --format ttl or nt")
        names = [str(v) for v in result.vars or []]
        rows = [{n: _plain(row[i]) for i, n in enumerate(names)} for row in result]
        empty = len(rows) == 1 and not any(str(v or "") for v in rows[0].values())
        if empty and _GROUP_BY.search(text):
            # rdflib makes a group of no solutions (its keys unbound, a GROUP_CONCAT ""); with
            # GROUP BY there is none (SPARQL 1.1, 11.2), as Oxigraph answers
            rows = []
        return Table(names, rows)

    def graph(self, text: str, bindings: Mapping[str, Node]) -> Graph:
        result = self._run(text, bindings)
        if result.graph is None:
            raise QueryError("this query does not build a graph")
        return result.graph

    @cached_property
    def _names(self) -> dict[str, list[str]]:
        return _threat_names(self)

    def threat_names(self) -> dict[str, list[str]]:
        return self._names


def _plain(term: Any) -> Node | None:
    """xsd:string literals as plain literals, as the other engines give them."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


# The distance block of a catalogue query, run locally where the engine cannot: GeoSPARQL's
# geof:distance in metres between WKT points, each a variable of the rows or a point the block
# builds from a latitude and a longitude (or, in older queries, kg's hckfn:distanceKm).
_DISTANCE_BIND = re.compile(
    r"BIND\s*\(\s*hckfn:distanceKm\s*\(\s*\?(\w+)\s*,\s*\?(\w+)\s*,\s*\?(\w+)\s*,\s*\?(\w+)\s*\)"
    r"\s+AS\s+\?(\w+)\s*\)",
    re.IGNORECASE,
)
_GEOF_BIND = re.compile(
    r"BIND\s*\(\s*xsd:decimal\s*\(\s*STR\s*\(\s*ROUND\s*\(\s*geof:distance\s*\(\s*\?(\w+)\s*,"
    r"\s*\?(\w+)\s*,\s*uom:metre\s*\)\s*\)\s*\)\s*\)\s*/\s*1000\s+AS\s+\?(\w+)\s*\)",
    re.IGNORECASE,
)
_POINT_BIND = re.compile(
    r'BIND\s*\(\s*STRDT\s*\(\s*CONCAT\s*\(\s*"POINT\("\s*,\s*STR\s*\(\s*\?(\w+)\s*\)\s*,\s*" "\s*,'
    r'\s*STR\s*\(\s*\?(\w+)\s*\)\s*,\s*"\)"\s*\)\s*,\s*geo:wktLiteral\s*\)\s+AS\s+\?(\w+)\s*\)',
    re.IGNORECASE,
)
LOCAL_BLOCK = re.compile(r"^\s*# kg:local-begin.*?^\s*# kg:local-end[^\n]*\n", re.S | re.M)
Distance = tuple[tuple[str, ...], tuple[str, ...], str]  # (point a, point b, output variable)


def split_local(text: str) -> tuple[str, list[Distance], list[tuple[str, str]]]:
    """The query without its `# kg:local-begin ... # kg:local-end` block, the distances of
    that block (each point a ("wkt", var) or ("latlon", lat var, lon var)) and its
    `FILTER(?a <= ?b)`s."""
    binds: list[Distance] = []
    filters: list[tuple[str, str]] = []
    for found in LOCAL_BLOCK.findall(text):
        block = re.sub(r"#[^\n]*", "", found)  # a comment may stand between a BIND's lines
        for lat1, lon1, lat2, lon2, out in _DISTANCE_BIND.findall(block):
            binds.append((("latlon-double", lat1, lon1), ("latlon", lat2, lon2), out))
        points = {out: ("latlon", lat, lon) for lon, lat, out in _POINT_BIND.findall(block)}
        for a, b, out in _GEOF_BIND.findall(block):
            binds.append((points.get(a, ("wkt", a)), points.get(b, ("wkt", b)), out))
        for line in re.findall(r"FILTER\s*\(.*", block):
            filters += re.findall(r"\?(\w+)\s*<=\s*\?(\w+)", line)
    return LOCAL_BLOCK.sub("", text), binds, filters


def apply_local(
    table: Table,
    binds: list[Distance],
    filters: list[tuple[str, str]],
    bindings: Mapping[str, Node],
) -> Table:
    """Compute what the local block computes, on rows a remote endpoint returned."""
    from kg.geo import distance_km, point_of

    def value(row: Row, name: str) -> float | None:
        term = bindings.get(name, row.get(name))
        try:
            return float(term) if term is not None else None  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    def point(row: Row, spec: tuple[str, ...]) -> tuple[float, float] | None:
        if spec[0] == "wkt":
            return point_of(bindings.get(spec[1], row.get(spec[1])))
        # ("latlon", lat, lon) or ("latlon-double", ...) from the older distance function
        lat, lon = value(row, spec[1]), value(row, spec[2])
        return None if lat is None or lon is None else (lat, lon)

    rows = []
    for row in table.rows:
        row = dict(row)
        for a, b, out in binds:
            pa, pb = point(row, a), point(row, b)
            row[out] = _km(a[0], distance_km(*pa, *pb)) if pa and pb else None
        if all(
            value(row, a) is None or value(row, b) is None or value(row, a) <= value(row, b)  # type: ignore[operator]
            for a, b in filters
        ):
            rows.append(row)
    return Table(table.variables, rows)


def _km(form: str, km: float) -> Literal:
    """A distance as the query's own form gives it: hckfn:distanceKm an xsd:double to three
    decimals, geof:distance's kilometres to the metre an xsd:decimal."""
    if form == "latlon-double":
        return Literal(round(km, 3), datatype=XSD.double)
    from decimal import Decimal

    value = (Decimal(round(km * 1000)) / 1000).normalize()
    return Literal(format(value, "f"), datatype=XSD.decimal)


_ORDER = re.compile(r"ORDER\s+BY\s+(.+?)(?:\bLIMIT\b|\bOFFSET\b|\Z)", re.IGNORECASE | re.S)


def order_keys(text: str) -> list[tuple[str, bool]]:
    """(variable, descending) of a query's ORDER BY, for the simple forms ?v, ASC(?v), DESC(?v)."""
    m = _ORDER.search(LOCAL_BLOCK.sub("", text))
    if not m:
        return []
    return [
        (var, direction.upper() == "DESC")
        for direction, var in re.findall(r"(?:(ASC|DESC)\s*\(\s*)?\?(\w+)", m.group(1))
    ]


_KEY = re.compile(
    r"\s*(?:(ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+)|STR\s*\(\s*\?(\w+)\s*\)"
    r"|COALESCE\s*\(\s*STR\s*\(\s*\?(\w+)\s*\)\s*,\s*\"\"\s*\))",
    re.IGNORECASE,
)


def split_order(text: str) -> tuple[str, list[tuple[str, bool]]] | None:
    """(the query without its final ORDER BY, its keys) when every key is one of ?v, ASC(?v),
    DESC(?v), STR(?v) or COALESCE(STR(?v), "") and nothing (no LIMIT) follows; else None."""
    from kg.sparqltext import _tokens

    code = "".join(c for _, c in _tokens(text))
    offsets = [o for o, _ in _tokens(text)]
    m = list(re.finditer(r"\bORDER\s+BY\b", code, re.IGNORECASE))
    if not m:
        return None
    clause = code[m[-1].end() :]
    keys, at = [], 0
    while at < len(clause.rstrip()):
        k = _KEY.match(clause, at)
        if not k:
            return None
        direction, *names = k.groups()
        name = next(n for n in names if n)
        keys.append((name, (direction or "").upper() == "DESC"))
        at = k.end()
    return text[: offsets[m[-1].start()]], keys


def sort_rows(table: Table, keys: list[tuple[str, bool]]) -> Table:
    """Order rows as SPARQL does: unbound first, then IRIs, then literals (numbers by value,
    the others by their text)."""
    from decimal import Decimal

    def key(value: Node | None) -> tuple[int, float, str]:
        if value is None:
            return (0, 0.0, "")
        if isinstance(value, URIRef):
            return (1, 0.0, str(value))
        python = value.toPython() if isinstance(value, Literal) else None
        if isinstance(python, int | float | Decimal) and not isinstance(python, bool):
            return (2, float(python), "")
        return (3, 0.0, str(value))

    # Each distinct term is one object (rows share their converted terms): its key is
    # computed once, by identity.
    cache: dict[int, tuple[int, float, str]] = {}

    def cached(value: Node | None) -> tuple[int, float, str]:
        found = cache.get(id(value))
        if found is None:
            found = cache[id(value)] = key(value)
        return found

    rows = list(table.rows)
    if len({descending for _, descending in keys}) == 1:  # one sort on the whole key
        names = [var for var, _ in keys]
        rows.sort(key=lambda r: [cached(r.get(n)) for n in names], reverse=keys[0][1])
    else:  # stable sorts, the last key first
        for var, descending in reversed(keys):
            rows.sort(key=lambda r: cached(r.get(var)), reverse=descending)
    return Table(table.variables, rows)
