"""kg import finess: the FINESS register's etalab extract into the graph."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kg.cli.common import project, reports_errors, say

if TYPE_CHECKING:
    from kg.importing.finess import FinessReport


@reports_errors
def import_command(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="The etalab extract (etalab-cs1100507-stock-*.csv)."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write N-Triples here instead of adding the register to the store.",
        ),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="IRI prefix of the establishments, legal entities and source, instead of "
            "https://w3id.org/hospital-cyber-kg/id/ (a synthetic register needs "
            "https://w3id.org/hospital-cyber-kg/synthetic/id/).",
        ),
    ] = None,
    listed: Annotated[
        int, typer.Option("--list", min=0, help="List at most this many rejected lines.")
    ] = 20,
) -> None:
    """Import the FINESS register (etalab CSV extract): establishments, legal entities, places.

    Rejected lines go to stderr with their line number and reason, the counts to stdout.
    Exit 2, importing nothing, if the file is not an extract or no line can be imported."""
    from kg.importing.finess import (
        NothingImported,
        format_summary,
        import_finess,
        write_ntriples,
    )

    p = project(ctx)
    try:
        if output is not None:
            report = write_ntriples(file, output, root=p.root, base=base)
            done = f"wrote {report.triples} triples to {output}"
        else:
            report, build = import_finess(p, file, base=base, progress=say)
            done = (
                f"imported as graph {report.graph} ({report.triples} triples); "
                f"build {build.key}: {build.manifest['triples']} triples"
            )
    except NothingImported as exc:
        _rejections(exc.report, listed)
        raise
    _rejections(report, listed)
    typer.echo(format_summary(report))
    typer.echo(done)


def _rejections(report: FinessReport, listed: int) -> None:
    from kg.importing.finess import format_rejections

    for line in format_rejections(report, listed):
        typer.echo(line, err=True)
