"""The `kg` application: global options, and the commands of each module."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli import ask, draft, export, finess, graph, publish, query, stix
from kg.cli.common import KgGroup, set_debug

app = typer.Typer(
    name="kg",
    cls=KgGroup,
    help="hospital-cyber-kg: build, validate, query and publish the knowledge graph of "
    "cyberattacks on French hospitals.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            envvar="KG_ROOT",
            file_okay=False,
            help="Project folder (with ontology/, data/, queries/); default: found from here.",
        ),
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="KG_HOME",
            file_okay=False,
            help="Folder of the persisted store; default: <project>/.kg.",
        ),
    ] = None,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", help="Show the traceback of an error (or set KG_DEBUG=1).", is_eager=True
        ),
    ] = False,
) -> None:
    set_debug(debug)
    ctx.obj = {"root": root, "home": home}


app.command("build")(graph.build_command)
app.command("validate")(graph.validate_command)
app.command("stats")(graph.stats_command)
app.command("queries")(query.queries_command)
app.command("query")(query.query_command)
app.command("sparql")(query.sparql_command)
app.command("attacks")(query.attacks_command)
app.command("ask")(ask.ask_command)
app.command("draft")(draft.draft_command)
app.command("push")(publish.push_command)
app.command("serve")(publish.serve_command)
app.command("site")(publish.site_command)

import_app = typer.Typer(
    help="Import external data: the FINESS register, STIX bundles.", no_args_is_help=True
)
import_app.command("finess")(finess.import_command)
import_app.command("stix")(stix.import_command)
app.add_typer(import_app, name="import")

export.export_app.command("stix")(stix.export_command)
export.export_app.command("ontology")(export.ontology_command)
export.export_app.command("dataset")(export.dataset_command)
app.add_typer(export.export_app, name="export")
