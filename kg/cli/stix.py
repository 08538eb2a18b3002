"""kg import stix and kg export stix: STIX 2.1 (and 2.0) bundles in and out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import project, reports_errors, say


@reports_errors
def import_command(
    ctx: typer.Context,
    bundles: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=False, help="STIX 2.1 or 2.0 bundle files (JSON)."),
    ],
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the summary line.")
    ] = False,
) -> None:
    """Import STIX bundles: actors, malware, incidents, victims, relationships, references.

    All bundles are checked first (exit 2 and nothing imported on any error); the import
    replaces the previous STIX import. Prints what became of each object."""
    from kg.importing.stix import import_bundles

    report = import_bundles(project(ctx), bundles, progress=None if quiet else say)
    lines = report.lines()
    typer.echo("\n".join(lines[:1] if quiet else lines))


@reports_errors
def export_command(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", dir_okay=False, help="Write the bundle here (default stdout)."
        ),
    ] = None,
) -> None:
    """Export incidents, victims, actors, malware, places and sources as a STIX 2.1 bundle."""
    from kg.exporting.stix import export
    from kg.store import require_build

    p = project(ctx)
    build = require_build(p)
    if output is None:
        export(p, build, sys.stdout.buffer)
        return
    from kg.files import check_output
    from kg.loading import input_files

    check_output("--output", output, input_files(p.root))  # never over an input
    tmp = output.with_name(f".{output.name}.tmp")
    with tmp.open("wb") as out:
        export(p, build, out)
    tmp.replace(output)
