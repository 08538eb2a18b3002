"""kg build, kg validate, kg stats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import project, reports_errors, say


def notice(text: str) -> None:
    typer.echo(f"notice: {text}", err=True)


@reports_errors
def build_command(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even if nothing changed.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
    allow_invalid: Annotated[
        bool,
        typer.Option(
            "--allow-invalid",
            help="Switch the new build in even if it violates the shapes (exit 1 otherwise).",
        ),
    ] = False,
    register: Annotated[
        str | None,
        typer.Option(
            help="The part of the FINESS register snapshot (data/register/) to hold: hospitals "
            "(default, or $KG_REGISTER), all (every site) or none (the curated sites only).",
        ),
    ] = None,
) -> None:
    """Build the dataset from ontology/ and data/ into the persisted store, if they changed."""
    from kg.store import build

    result = build(
        project(ctx),
        force=force,
        progress=None if quiet else say,
        allow_invalid=allow_invalid,
        register=register,
        notify=notice,
    )
    if quiet:
        return
    m = result.manifest
    state = f"built in {m['seconds']} s" if result.fresh else "up to date"
    incidents = m["classes"].get("https://w3id.org/hospital-cyber-kg/ontology#Incident", 0)
    establishments = m["classes"].get(
        "https://w3id.org/hospital-cyber-kg/ontology#Establishment", 0
    )
    typer.echo(
        f"{state}: {m['triples']} triples in {len(m['graphs'])} graphs, "
        f"{incidents} incidents, {establishments} establishments ({result.path})"
    )


@reports_errors
def validate_command(
    ctx: typer.Context,
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            exists=True,
            dir_okay=False,
            help="Validate this RDF file instead of the build (repeat to validate their union).",
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="sparql (shapes compiled to SPARQL on the store; re-checks only what "
            "changed) or pyshacl (the reference)."
        ),
    ] = "sparql",
    every_warning: Annotated[
        bool,
        typer.Option(
            "--every-warning",
            help="List every warning (by default, past five of one shape, the rest are "
            "counted in one line).",
        ),
    ] = False,
) -> None:
    """Check the graph against the SHACL shapes; exit 1 if it does not conform."""
    from kg.revalidation import validate_files, validate_project
    from kg.validation import format_report

    p = project(ctx)
    if data:
        report = validate_files(p, data, engine)
    else:
        outcome = validate_project(p, engine, progress=say)
        report = outcome.report
        say(f"checked: {outcome.how}")
    typer.echo(format_report(report, every_warning))
    if not report.conforms:
        raise typer.Exit(1)


@reports_errors
def stats_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count triples, and instances per class, of the built dataset."""
    from kg.stats import stats

    counts = stats(project(ctx))
    if as_json:
        typer.echo(json.dumps(counts, indent=2, ensure_ascii=False))
        return
    typer.echo(f"triples  {counts['triples']}")
    for name, n in counts["classes"].items():
        typer.echo(f"{n:>8}  {name}")
