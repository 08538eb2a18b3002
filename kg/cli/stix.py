"""kg import stix and kg export stix: STIX 2.1 (and 2.0) bundles in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import project, reports_errors


@reports_errors
def import_command(
    ctx: typer.Context,
    bundles: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=False, help="STIX 2.1 or 2.0 bundle files (JSON)."),
    ],
) -> None:
    """Import STIX bundles: actors, malware, incidents, victims, relationships, references."""
    from kg.errors import KgError

    raise KgError("kg import stix is not built yet", f"{project(ctx).root} {bundles}")


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
    from kg.errors import KgError

    raise KgError("kg export stix is not built yet", f"{project(ctx).root} {output}")
