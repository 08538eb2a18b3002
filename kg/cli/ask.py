"""kg ask: a question in plain words, answered by `kg attacks`."""

from __future__ import annotations

import functools
from typing import Annotated

import typer

from kg.cli.common import project, reports_errors
from kg.cli.query import Backend, Endpoint, Explain, Format, run_attacks


@reports_errors
def ask_command(
    ctx: typer.Context,
    phrase: Annotated[
        list[str],
        typer.Argument(
            help="A question in English or French, e.g. attacks near Paris in 2022, "
            "attaques revendiquées par Vice Society (quotes optional)."
        ),
    ],
    per: Annotated[
        str,
        typer.Option(help="incident (one row each, victims grouped) or site (one row per victim)."),
    ] = "incident",
    fmt: Format = "table",
    explain: Explain = False,
    endpoint: Endpoint = None,
    backend: Backend = "oxigraph",
) -> None:
    """Ask in plain words: prints the equivalent `kg attacks` command, then its table."""
    from kg.asking import Lexicon, parse
    from kg.query import resolver

    p = project(ctx)
    gazetteer = functools.cache(resolver(p, None).gazetteer)  # read once, for both steps
    question = parse(" ".join(phrase), Lexicon.of(p.root, gazetteer))
    typer.echo(question.command)
    run_attacks(ctx, question.options, per, fmt, explain, endpoint, backend,
                said=question.notes, gazetteer=gazetteer)
