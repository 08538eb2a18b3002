"""kg draft: a news article to a sourced incident draft."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import project, say


def draft_command(
    ctx: typer.Context,
    article: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False,
                       help="The article: its text, or the HTML page (its article text is read)."),
    ],
    url: Annotated[
        str | None,
        typer.Option("--url", help="The article's URL, cited as the source of every fact "
                     "(default: the page's canonical URL)."),
    ] = None,
    published: Annotated[
        str | None,
        typer.Option("--published", help="The article's date, YYYY-MM-DD or YYYY-MM, against "
                     "which 'samedi soir' or 'en août dernier' are resolved (default: the "
                     "page's date)."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="yaml (a data/incidents/ file) or json.")
    ] = "yaml",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the draft here instead of stdout."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the -o file if it exists.")
    ] = False,
    against: Annotated[
        str | None,
        typer.Option("--against", help="List what the draft adds to, or disputes in, this "
                     "incident of data/incidents/ (e.g. 2022-12-03-ch-andre-mignot)."),
    ] = None,
    add_source: Annotated[
        bool, typer.Option("--add-source", help="Append the article's row to data/sources.csv.")
    ] = False,
) -> None:
    """Draft an incident from a news article (French or English), each value with its evidence."""
    from kg.drafting import compare, draft_article, render_json, render_yaml
    from kg.drafting.files import add_source as append_source
    from kg.drafting.files import write_draft

    if fmt not in ("yaml", "json"):
        raise typer.BadParameter(f"'{fmt}' is not a format: yaml or json", param_hint="--format")
    root = project(ctx).root
    d = draft_article(root, article, url=url, published=published)
    for warning in d.warnings:
        say(f"warning: {warning}")
    text = render_yaml(d) if fmt == "yaml" else render_json(d)
    if output is not None:
        write_draft(output, text, force)
        say(f"draft written to {output}")
    if add_source and append_source(root, d):
        say(f"{d.url} added to data/sources.csv")
    if against:
        for finding in compare(d, root, against):
            typer.echo(str(finding))
    elif output is None:
        typer.echo(text, nl=False)
    if d.empty:
        raise typer.Exit(1)
