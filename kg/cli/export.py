"""kg export: the built dataset in a standard RDF serialisation (and `kg export stix`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import endpoint_option, project, reports_errors

export_app = typer.Typer(
    help="Export the built dataset: --format ttl|nt|nq|trig|jsonld|jsonld-dataset, "
    "or `kg export stix`.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@export_app.callback()
@reports_errors
def export_callback(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f",
            help="ttl, nt, nq, trig, jsonld (one graph) or jsonld-dataset (named graphs kept).",
        ),
    ] = "ttl",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write here (default stdout)."),
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            callback=endpoint_option, help="The SPARQL endpoint to name in the VoID description."
        ),
    ] = None,
) -> None:
    """Export the built dataset (with its VoID/DCAT description), deterministically."""
    if ctx.invoked_subcommand:
        return
    from kg.exporting.rdf import export
    from kg.store import require_build

    p = project(ctx)
    build = require_build(p)
    if output is None:
        export(p, build, fmt, sys.stdout.buffer, endpoint)
        return
    from kg.files import check_output
    from kg.loading import input_files

    check_output("--output", output, input_files(p.root))  # never over an input
    tmp = output.with_name(f".{output.name}.tmp")
    with tmp.open("wb") as out:
        export(p, build, fmt, out, endpoint)
    tmp.replace(output)


@reports_errors
def ontology_command(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", file_okay=False, help="The folder to write the release in."),
    ],
) -> None:
    """Release the ontology: hck.ttl and its modules merged, as Turtle, RDF/XML and JSON-LD,
    with its HTML documentation (index.html); alignments stay in ontology/alignment.ttl."""
    from kg.exporting.ontology import write_release

    for path in write_release(project(ctx).root, output):
        typer.echo(str(path))


@reports_errors
def dataset_command(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", file_okay=False, help="The folder to write the release in."),
    ],
    base_url: Annotated[
        str,
        typer.Option(help="Where the files will be downloaded from (their dcat:downloadURL)."),
    ],
    endpoint: Annotated[
        str | None,
        typer.Option(callback=endpoint_option, help="The SPARQL endpoint serving the dataset."),
    ] = None,
) -> None:
    """Release the dataset: every export format, and dcat.ttl describing them (DCAT-AP: a
    distribution per file with its media type, size and SHA-256, coverage, publisher, licences)."""
    from kg.exporting.dcat import write_release
    from kg.store import require_build

    p = project(ctx)
    for path in write_release(p, require_build(p), output, base_url, endpoint):
        typer.echo(str(path))
