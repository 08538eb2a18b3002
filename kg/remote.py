"""A remote SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB, QLever...) as a query engine, through
SPARQLWrapper. Parameters travel in a VALUES block; the `kg:local` block of a catalogue query
(the great-circle distance, an extension function the endpoint does not have) is dropped from
the query and computed here on the rows, which are then ordered as the query says."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cached_property
from typing import Any

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
from kg.sparqltext import query_form, with_values

USER_ENV = "KG_SPARQL_USER"
PASSWORD_ENV = "KG_SPARQL_PASSWORD"  # noqa: S105 - the name of a variable, not a password
TRUNCATION_HEADERS = ("x-sparql-maxrows",)


class RemoteEngine:
    name = "remote"

    def __init__(self, endpoint: str, timeout: float = 120.0) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise EndpointError(
                f"'{endpoint}' is not an http(s) URL", "e.g. http://127.0.0.1:8890/sparql"
            )
        self.endpoint = endpoint
        self.timeout = timeout

    def _request(self, query: str, accept: str) -> tuple[bytes, dict[str, str]]:
        from urllib.error import URLError

        from SPARQLWrapper import POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setTimeout(int(self.timeout))
        client.setQuery(query)
        client.addCustomHttpHeader("Accept", accept)
        user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
        if user and password:
            client.setCredentials(user, password)
        try:
            response = client.query().response
            return response.read(), {k.lower(): v for k, v in response.headers.items()}
        except SPARQLWrapperException as exc:
            first = str(exc).splitlines()[0][:300]
            raise EndpointError(
                f"{self.endpoint} refused the query: {first}",
                "check the query against this endpoint's SPARQL dialect",
            ) from None
        except (URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EndpointError(
                f"cannot reach {self.endpoint}: {reason}",
                "check the URL and that the server is running",
            ) from None

    def select(self, text: str, bindings: Mapping[str, Node]) -> Table:
        stripped, binds, filters = split_local(text)
        body, headers = self._request(
            with_values(stripped, bindings), "application/sparql-results+json"
        )
        table = parse_results_json(body, self.endpoint)
        for header in TRUNCATION_HEADERS:
            if header in headers and len(table.rows) >= int(headers[header] or 0):
                raise EndpointError(
                    f"{self.endpoint} cut the answer at {headers[header]} rows",
                    "raise the server's result limit (Virtuoso: ResultSetMaxRows) or add LIMIT",
                )
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

    @cached_property
    def _names(self) -> dict[str, list[str]]:
        return _threat_names(self)

    def threat_names(self) -> dict[str, list[str]]:
        return self._names


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
