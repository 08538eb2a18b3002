"""kg import finess: the FINESS register's etalab extract into the graph."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import project, reports_errors, say


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
) -> None:
    """Import the FINESS register (etalab CSV extract): establishments, legal entities, places."""
    from kg.errors import KgError

    raise KgError(
        "kg import finess is not built yet", f"{project(ctx).root}, {file}, {output}, {say}"
    )
