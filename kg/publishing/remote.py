"""A remote SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB, QLever...) as a query engine, over
kg.publishing.client (the push's HTTP client: its deadlines, its response cap, no redirect
followed, messages scrubbed of credentials). Parameters travel in a VALUES block; the
`kg:local` block of a catalogue query (the great-circle distance, an extension function the
endpoint does not have) is dropped from the query and computed here on the rows, which are then
ordered as the query says.

What Virtuoso needs (docs/virtuoso.md): only the Accept header chooses the result format
(SPARQLWrapper's `format=xml` parameters make it answer 406, so none is sent); an answer of
exactly ResultSetMaxRows rows carries `X-SPARQL-MaxRows` whether or not it was cut, so such an
answer is checked by asking for row N+1; the `timeout` parameter is never sent (Virtuoso then
returns partial answers with 200); `X-SQL-State` marks a partial answer and is an error.

Parameters in the endpoint URL are kept and sent with every request, e.g.
`http://127.0.0.1:8890/sparql?default-graph-uri=https://w3id.org/hospital-cyber-kg/graph/all`
restricts the queries to the graph `kg push` writes. Credentials (KG_SPARQL_USER,
KG_SPARQL_PASSWORD) answer the server's HTTP Basic or Digest challenge (kg.publishing.client).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.engines import (
    Row,
    Table,
    _threat_names,
    apply_local,
    order_keys,
    sort_rows,
    split_local,
)
from kg.errors import EndpointError, QueryError
from kg.publishing.client import (
    PASSWORD_ENV,
    USER_ENV,
    Credentials,
    Http,
    check_url,
    credentials_from_env,
    scrub,
)
from kg.sparqltext import query_form, where_group_start, with_values

__all__ = ["PASSWORD_ENV", "USER_ENV", "RemoteEngine", "parse_results_json"]

TRUNCATION_HEADER = "x-sparql-maxrows"
PARTIAL_HEADER = "x-sql-state"
_FROM_ENV = object()


class RemoteEngine:
    name = "remote"

    def __init__(
        self,
        endpoint: str,
        timeout: float = 120.0,
        credentials: Credentials | None | object = _FROM_ENV,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        check_url(endpoint)
        parts = urlsplit(endpoint)
        self.endpoint = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        self.params = parse_qsl(parts.query, keep_blank_values=True)
        chosen = credentials_from_env() if credentials is _FROM_ENV else credentials
        assert chosen is None or isinstance(chosen, Credentials)
        self.http = Http(chosen, timeout=timeout, retries=retries, sleep=sleep)
        self.timeout = timeout

    # --- one request -------------------------------------------------------------------------

    def _request(
        self, text: str, accept: str, update: bool = False
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a 200 answer to the query (or update) POSTed as a form, as
        the SPARQL 1.1 Protocol says; 401s, redirects and transient failures are handled by
        kg.publishing.client, any other status is an EndpointError with the server's words."""
        form = urlencode([*self.params, ("update" if update else "query", text)])
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": accept,
            "User-Agent": "hospital-cyber-kg",
        }
        response = self.http.request("POST", self.endpoint, form.encode("utf-8"), headers)
        if response.status == 200:
            return response.body, response.headers
        words = response.message() or "no message"
        if response.status == 500:
            raise EndpointError(f"{self.endpoint} failed: {words}")
        if response.status in (400, 404, 414):
            raise EndpointError(
                f"{self.endpoint} refused the query: {words}",
                "check the query against this endpoint's SPARQL dialect",
            )
        raise EndpointError(
            f"{self.endpoint} answered HTTP {response.status} {scrub(response.reason)}".rstrip()
        )

    # --- the Engine protocol -----------------------------------------------------------------

    def select(self, text: str, bindings: Mapping[str, Node]) -> Table:
        stripped, binds, filters = split_local(text)
        query = with_values(stripped, bindings)
        body, headers = self._request(query, "application/sparql-results+json")
        table = parse_results_json(body, self.endpoint)
        _check_complete(self, query, table, headers)
        if binds or filters:
            table = apply_local(table, binds, filters, bindings)
            table = sort_rows(table, order_keys(text))
        return table

    def graph(self, text: str, bindings: Mapping[str, Node]) -> Graph:
        if query_form(text) not in ("CONSTRUCT", "DESCRIBE"):
            raise QueryError("this query does not build a graph")
        body, _ = self._request(with_values(text, bindings), "application/n-triples")
        g = Graph()
        try:
            g.parse(data=body.decode("utf-8"), format="nt")
        except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise several types
            raise EndpointError(
                f"{self.endpoint} sent a graph that is not N-Triples: {exc}"
            ) from None
        return g

    def update(self, text: str) -> str:
        """Run a SPARQL 1.1 Update; the server's report (Virtuoso: `MOVE <s> to <t> -- done`)."""
        body, _ = self._request(text, "application/sparql-results+json", update=True)
        try:
            table = parse_results_json(body, self.endpoint)
        except EndpointError:
            return body[:300].decode("utf-8", "replace").strip()
        return "; ".join(str(v) for row in table.rows for v in row.values() if v is not None)

    def count(self, graph: str) -> int:
        """The number of triples in the named graph `graph` (0 when it does not exist)."""
        # FROM, not GRAPH <g> { }: Virtuoso counts the latter by scanning every graph (25 s for
        # 440k triples among 450k), the former on its graph index (milliseconds).
        query = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"
        table = self.select(query, {})
        value = table.rows[0].get("n") if table.rows else None
        return int(str(value)) if value is not None else 0

    @cached_property
    def _names(self) -> dict[str, list[str]]:
        return _threat_names(self)

    def threat_names(self) -> dict[str, list[str]]:
        return self._names


def _check_complete(
    engine: RemoteEngine, query: str, table: Table, headers: dict[str, str]
) -> None:
    """Refuse a partial answer. X-SPARQL-MaxRows comes with every answer of exactly that many
    rows, complete or not: then ask for one row past it to tell."""
    if PARTIAL_HEADER in headers:
        raise EndpointError(
            f"{engine.endpoint} sent a partial answer: {headers[PARTIAL_HEADER]} "
            f"{headers.get('x-sql-message', '')}".strip(),
            "the server interrupted the query; raise its time limit",
        )
    limit = headers.get(TRUNCATION_HEADER, "")
    if not limit.strip().isdigit() or len(table.rows) < int(limit):
        return
    beyond = beyond_query(query, int(limit))
    body, _ = engine._request(beyond, "application/sparql-results+json")
    if parse_results_json(body, engine.endpoint).rows:
        raise EndpointError(
            f"{engine.endpoint} cut the answer at {limit} rows",
            "raise the server's result limit (Virtuoso: ResultSetMaxRows) or add LIMIT",
        )


def beyond_query(query: str, n: int) -> str:
    """A query that returns a row only if `query` has more than `n` rows: the query as a
    sub-select, OFFSET n LIMIT 1 (its own PREFIX lines moved ahead)."""
    start = where_group_start(query)
    code_before = query[:start]
    form_at = _form_offset(code_before)
    prologue, body = query[:form_at], query[form_at:]
    return f"{prologue}SELECT * WHERE {{\n{{\n{body}\n}}\n}}\nOFFSET {n} LIMIT 1\n"


def _form_offset(text: str) -> int:
    """Offset of the SELECT keyword (outside comments, strings and IRIs)."""
    from kg.sparqltext import _tokens

    chars = list(_tokens(text))
    code = "".join(c for _, c in chars)
    at = code.upper().find("SELECT")
    if at < 0:
        raise QueryError("not a SELECT query")
    return chars[at][0]


def parse_results_json(body: bytes, endpoint: str = "") -> Table:
    """W3C SPARQL 1.1 Query Results JSON into a Table of rdflib terms."""
    try:
        doc = json.loads(body)
    except ValueError:
        raise EndpointError(
            f"{endpoint} did not answer in SPARQL JSON", body[:200].decode("utf-8", "replace")
        ) from None
    if "boolean" in doc:
        return Table(["ask"], [{"ask": Literal(bool(doc["boolean"]))}])
    names = list(doc.get("head", {}).get("vars", []))
    rows: list[Row] = []
    for binding in doc.get("results", {}).get("bindings", []):
        rows.append({n: _term(binding[n]) if n in binding else None for n in names})
    return Table(names, rows)


def _term(cell: dict[str, Any]) -> Node:
    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in cell:
        return Literal(value, lang=cell["xml:lang"])
    datatype = cell.get("datatype")
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        datatype = None
    return Literal(value, datatype=URIRef(datatype) if datatype else None)
