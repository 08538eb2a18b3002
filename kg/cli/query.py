"""kg queries, kg query, kg sparql, kg attacks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kg.cli.common import endpoint_option, project, reports_errors

if TYPE_CHECKING:
    from collections.abc import Callable

    from kg.geo import Gazetteer
    from kg.query import Answer

FORMAT_HELP = "table, csv, tsv, json, sparql-json or sparql-xml (ttl or nt for graphs)"

Format = Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)]
Explain = Annotated[bool, typer.Option("--explain", help="Print the SPARQL and its bindings.")]
Endpoint = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        callback=endpoint_option,
        help="Run on this SPARQL endpoint instead of the embedded store.",
    ),
]
Timeout = Annotated[
    float,
    typer.Option("--timeout", help="Seconds the query may run before it is abandoned."),
]
Backend = Annotated[
    str,
    typer.Option(
        "--backend", help="Embedded engine: oxigraph (persisted store) or memory (rdflib)."
    ),
]


def _parse_params(params: list[str]) -> dict[str, str]:
    from kg.errors import QueryError

    out: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param '{item[:80]}' is not key=value", "e.g. --param year=2022")
        if key.strip() in out:
            raise QueryError(f"--param {key.strip()} is given twice")
        out[key.strip()] = value
    return out


def _emit(
    answer: Answer,
    fmt: str,
    explain: bool,
    columns: list[str] | None = None,
    required: bool = False,
) -> None:
    from kg.output import render, render_graph
    from kg.query import explain as explain_text

    if explain:
        typer.echo(explain_text(answer.text, answer.bindings))
        return
    if answer.graph is not None:
        typer.echo(render_graph(answer.graph, fmt), nl=False)
        return
    assert answer.table is not None
    typer.echo(render(answer.table, fmt, columns))
    if required and not answer.table.rows:
        typer.echo("error: no match", err=True)
        raise typer.Exit(1)


@reports_errors
def queries_command(ctx: typer.Context) -> None:
    """List the query catalogue (queries/*.rq) with summaries and parameters."""
    from kg.catalogue import catalogue

    for name, q in catalogue(project(ctx).queries).items():
        typer.echo(f"{name}\n    {q.summary}")
        for p in q.params.values():
            default = f", default {p.default}" if p.default is not None else ""
            optional = " (optional)" if p.optional and p.default is None else ""
            typer.echo(f"    --param {p.name}=...  {p.description or p.type}{optional}{default}")


@reports_errors
def query_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A query of the catalogue (see `kg queries`).")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as key=value; repeat for several."),
    ] = None,
    fmt: Format = "table",
    explain: Explain = False,
    endpoint: Endpoint = None,
    backend: Backend = "oxigraph",
    timeout: Timeout = 300.0,
) -> None:
    """Run a query of the catalogue by name."""
    from kg.catalogue import find_query
    from kg.query import check_timeout, execute, open_engine, prepare

    check_timeout(timeout)
    p = project(ctx)
    given = _parse_params(param or [])
    engine = open_engine(p, backend, endpoint)
    query, bindings = prepare(p, name, given, engine)
    required = find_query(p.queries, name).text.count("#+ match: required") > 0
    if not explain and _emit_from_store(engine, query.text, bindings, fmt, timeout, required):
        return
    answer = execute(engine, query.text, bindings, name, timeout) if not explain else None
    from kg.query import Answer

    _emit(answer or Answer(query.text, bindings), fmt, explain, required=required)


def _emit_from_store(
    engine: object, text: str, bindings: dict, fmt: str, timeout: float, required: bool = False
) -> bool:
    """Print the answer as the store serialised it (kg.answers); False when it takes the rows
    path instead."""
    from kg.answers import bounded_answer

    found = bounded_answer(engine, text, bindings, fmt, timeout)
    if found is None:
        return False
    typer.echo(found[0])
    if required and found[1]:
        typer.echo("error: no match", err=True)
        raise typer.Exit(1)
    return True


@reports_errors
def sparql_command(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A .rq file, or - to read the query from stdin.")],
    fmt: Format = "table",
    endpoint: Endpoint = None,
    backend: Backend = "oxigraph",
    timeout: Timeout = 300.0,
) -> None:
    """Run an ad-hoc SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)."""
    from kg.query import check_timeout, execute, open_engine, read_query

    check_timeout(timeout)
    text = read_query(file)
    engine = open_engine(project(ctx), backend, endpoint)
    if not _emit_from_store(engine, text, {}, fmt, timeout):
        _emit(execute(engine, text, {}, timeout=timeout), fmt, explain=False)


@reports_errors
def attacks_command(
    ctx: typer.Context,
    near: Annotated[
        str | None,
        typer.Option(
            help="A commune, department or region name or code (Paris, Bretagne, 2A, 971), "
            "an INSEE commune code, or lat,lon."
        ),
    ] = None,
    radius: Annotated[
        float | None, typer.Option(help="Radius around --near in km (default 50).")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Incidents that started in this year.")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day: YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day: YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    actor: Annotated[str | None, typer.Option(help="A threat actor or malware name.")] = None,
    region: Annotated[
        str | None,
        typer.Option(help="A region or department, by name or INSEE code (53, 2A, 971)."),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="Incident type: ransomware, data-breach, ddos, intrusion, supply-chain."),
    ] = None,
    impact: Annotated[
        str | None,
        typer.Option(help="An impact known or suspected, e.g. data-published, ransom-paid."),
    ] = None,
    min_certainty: Annotated[
        str | None,
        typer.Option(help="unknown, suspected, claimed or confirmed: per actor, per claim."),
    ] = None,
    per: Annotated[
        str,
        typer.Option(help="incident (one row each, victims grouped) or site (one row per victim)."),
    ] = "incident",
    fmt: Format = "table",
    explain: Explain = False,
    endpoint: Endpoint = None,
    backend: Backend = "oxigraph",
) -> None:
    """Attacks on health organisations: one row per incident, each actor with its certainty."""
    options = {
        "near": near, "radius": radius, "year": year, "date_from": date_from,
        "date_to": date_to, "actor": actor, "region": region, "kind": kind, "impact": impact,
        "min_certainty": min_certainty,
    }  # fmt: skip
    run_attacks(ctx, {k: v for k, v in options.items() if v is not None}, per, fmt, explain,
                endpoint, backend)  # fmt: skip


def run_attacks(
    ctx: typer.Context,
    options: dict[str, object],
    per: str = "incident",
    fmt: str = "table",
    explain: bool = False,
    endpoint: str | None = None,
    backend: str = "oxigraph",
    said: list[str] | None = None,
    gazetteer: Callable[[], Gazetteer] | None = None,
) -> None:
    """`kg attacks` with these options: what `kg ask` runs too, so both print the same. The
    notes (choices made reading a place) go to stderr, with those `said` before, each once."""
    from kg.attacks import search, show
    from kg.query import Answer, open_engine

    p = project(ctx)
    engine = open_engine(p, backend, endpoint)
    found = search(p, options, engine, per, run=not explain, gazetteer=gazetteer)
    for note in dict.fromkeys([*(said or []), *found.notes]):
        typer.echo(f"note: {note}", err=True)
    if explain:
        _emit(Answer(found.text, found.bindings), fmt, explain)
        return
    out, err = show(found, fmt)
    typer.echo(out)
    if err:
        typer.echo(err, err=True)
