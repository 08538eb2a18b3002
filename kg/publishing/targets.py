"""Where `kg push` sends what: the query, update and Graph Store URLs of a store, derived from its
SPARQL endpoint and the `Server` header it answers with (without one, a root `/sparql` is taken
for Virtuoso's), or given explicitly (--gsp-url).

    store      endpoint given                update                  Graph Store Protocol
    Virtuoso   /sparql                       /sparql-auth (digest)   /sparql-graph-crud-auth
    Fuseki     /DS/sparql, /DS/query, /DS    /DS/update              /DS/data
    GraphDB    /repositories/R               .../R/statements        .../R/rdf-graphs/service
    other      the endpoint                  the endpoint            --gsp-url (for --method gsp)

Every Graph Store request names its graph with the standard `?graph=<IRI>` (Virtuoso takes it as
well as its own `graph-uri`).
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from kg.errors import EndpointError
from kg.publishing.client import Http, check_url, unreachable


@dataclass(frozen=True)
class Target:
    store: str  # virtuoso, fuseki, graphdb or sparql
    query_url: str
    update_url: str
    gsp_url: str | None

    def gsp(self, graph: str) -> str:
        if self.gsp_url is None:
            raise EndpointError(
                f"no Graph Store Protocol URL known for {self.query_url}",
                "give it with --gsp-url, or push with --method update",
            )
        separator = "&" if "?" in self.gsp_url else "?"
        return f"{self.gsp_url}{separator}graph={quote(graph, safe='')}"


def server_of(client: Http, endpoint: str) -> str:
    """The `Server` header of the endpoint (plus `fuseki` when Fuseki's own header is there)."""
    try:
        answer = client.send("HEAD", endpoint, b"", {})
    except (OSError, http.client.HTTPException) as exc:
        raise unreachable(endpoint, exc) from None
    server = answer.headers.get("server", "")
    if "fuseki-request-id" in answer.headers:
        server += " fuseki"
    return server


def target_for(endpoint: str, server: str = "", gsp_url: str | None = None) -> Target:
    check_url(endpoint)
    if gsp_url is not None:
        check_url(gsp_url, "--gsp-url")
    parts = urlsplit(endpoint)
    base = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    query_url = base + parts.path
    if "virtuoso" in server.lower() or (not server and path in ("/sparql", "/sparql-auth")):
        return Target(
            "virtuoso",
            base + "/sparql",
            base + "/sparql-auth",
            gsp_url or base + "/sparql-graph-crud-auth",
        )
    if "fuseki" in server.lower():
        dataset = re.sub(r"/(sparql|query|update|data|get)$", "", path)
        return Target(
            "fuseki", query_url, base + dataset + "/update", gsp_url or base + dataset + "/data"
        )
    m = re.fullmatch(r"(.*/repositories/[^/]+)", path)
    if m:
        repository = base + m.group(1)
        return Target(
            "graphdb",
            query_url,
            repository + "/statements",
            gsp_url or repository + "/rdf-graphs/service",
        )
    return Target("sparql", query_url, query_url, gsp_url)
