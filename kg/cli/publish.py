"""kg push (the build into a SPARQL store) and kg serve (a read-only SPARQL endpoint)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg.cli.common import endpoint_option, project, reports_errors, say

if TYPE_CHECKING:
    from kg.publishing.client import Credentials

DEFAULT_GRAPH = "https://w3id.org/hospital-cyber-kg/graph/all"  # kg.publishing.push.DEFAULT_GRAPH


def credentials(endpoint: str) -> Credentials | None:
    """From KG_SPARQL_USER / KG_SPARQL_PASSWORD, else asked for on a terminal, else none."""
    from kg.publishing.client import Credentials, credentials_from_env

    found = credentials_from_env()
    if found is not None or not sys.stdin.isatty():
        return found
    user = typer.prompt(f"user for {endpoint} (empty: none)", default="", show_default=False)
    if not user:
        return None
    return Credentials(user, typer.prompt("password", hide_input=True))


@reports_errors
def push_command(
    ctx: typer.Context,
    endpoint: Annotated[
        str,
        typer.Option(
            callback=endpoint_option,
            help="The store's SPARQL endpoint, e.g. http://127.0.0.1:8890/sparql.",
        ),
    ],
    graph: Annotated[
        str, typer.Option(help="The named graph to replace with the whole build.")
    ] = DEFAULT_GRAPH,
    method: Annotated[
        str,
        typer.Option(
            help="gsp (Graph Store Protocol), update (SPARQL 1.1 Update) or bulk (Virtuoso's "
            "bulk loader and a graph group; needs --load-dir and a dba account)."
        ),
    ] = "gsp",
    batch: Annotated[
        int | None,
        typer.Option(help="Lines per GSP request (default 100000) or triples per INSERT (1000)."),
    ] = None,
    gsp_url: Annotated[
        str | None,
        typer.Option(help="The Graph Store Protocol URL, when it cannot be derived."),
    ] = None,
    load_dir: Annotated[
        Path | None,
        typer.Option(
            help="For --method bulk: a folder on the server's disk that Virtuoso may read "
            "(DirsAllowed); the build is written there as N-Triples, loaded, then removed."
        ),
    ] = None,
) -> None:
    """Publish the build to a SPARQL store: staged, counted, then swapped in.

    Credentials come from KG_SPARQL_USER and KG_SPARQL_PASSWORD (or a prompt on a terminal),
    never from the command line."""
    from kg.publishing.push import push
    from kg.store import require_build

    build = require_build(project(ctx))
    report = push(
        build,
        endpoint,
        graph,
        method,
        batch,
        gsp_url,
        credentials(endpoint),
        progress=say,
        load_dir=load_dir,
    )
    text, *warnings = report.summary().split("\nwarning: ")
    typer.echo(text)
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


@reports_errors
def serve_command(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on; anything but loopback exposes the data.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7878,
    timeout: Annotated[
        float, typer.Option(help="Seconds a query may run; past it its worker is killed (503).")
    ] = 30.0,
    max_rows: Annotated[
        int, typer.Option(help="Rows (or triples) per answer; longer answers are cut.")
    ] = 10_000,
    workers: Annotated[int, typer.Option(help="Worker processes: queries run at once.")] = 4,
    queue: Annotated[int, typer.Option(help="Queries that may wait for a worker (503 past).")] = 16,
    per_client: Annotated[
        int, typer.Option(help="Queries one client address may have running or waiting (429).")
    ] = 2,
    memory: Annotated[
        int, typer.Option(help="MiB of address space per worker process (RLIMIT_AS).")
    ] = 2048,
    max_query: Annotated[int, typer.Option(help="Characters of a query (413 past).")] = 100_000,
    allow_service: Annotated[
        list[str] | None,
        typer.Option(help="An endpoint SERVICE may query (repeatable; none by default)."),
    ] = None,
) -> None:
    """Serve the build: pages at /, every IRI by content negotiation, SPARQL at /sparql."""
    from kg.publishing.serve import Limits, make_server

    limits = Limits(
        timeout=timeout,
        max_rows=max_rows,
        workers=workers,
        queue=queue,
        per_client=per_client,
        memory_mb=memory,
        max_query=max_query,
        allow_service=frozenset(allow_service or ()),
    )
    server = make_server(project(ctx), host, port, limits, log=say)
    if host not in ("127.0.0.1", "::1", "localhost"):
        say(f"warning: listening on {host}: anyone who can reach this machine can query it")
    root = server.url.removesuffix("/sparql")
    say(f"serving {server.url} (pages at {root}/, VoID at {root}/void); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        say("stopped")


@reports_errors
def site_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="The folder to write the site into (created).")],
) -> None:
    """Write the pages of kg serve as static files (home, every resource, ontology, dataset)."""
    from kg.site.static_site import write_site

    written = write_site(project(ctx), out, progress=say)
    say(f"wrote {written.summary} in {out}; open {out / 'index.html'}")
