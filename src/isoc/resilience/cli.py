"""``isoc resilience …``: collect a quarter's inputs, import third-party values, compute
the scores, export them, check a tree file. Each calls ``services``; a refusal is said
with its reason (exit status 2), nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(help="Internet Resilience Index: compute and export scores.", no_args_is_help=True)
console = Console(stderr=True)
out = Console()


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _setup():
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.resilience import services

    return services


QuarterOpt = Annotated[str | None, typer.Option("--quarter", help="YYYY-Qn (default: the current quarter).")]


@app.command()
def collect(quarter: QuarterOpt = None) -> None:
    """Read the quarter's inputs from our measurements (enablers, routing, MANRS, shutdowns,
    IXPs) and imported World Bank series, as of the quarter's end, and store them."""
    services = _setup()
    q = quarter or services.current_quarter()
    try:
        n = services.collect_inputs(q)
    except services.ResilienceError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"{q}: {n} input values collected")


@app.command("import-inputs")
def import_inputs(
    file: Annotated[Path, typer.Argument(help="CSV: quarter,country,indicator,value[,observed]", exists=True, dir_okay=False)],
    source: Annotated[str, typer.Option(help="Who publishes the values, e.g. 'Ookla Speedtest Global Index'.")],
    publisher: Annotated[str, typer.Option(help="The publisher's name.")],
    licence: Annotated[str, typer.Option(help="The licence as the publisher states it.")],
    url: Annotated[str, typer.Option(help="Where the data was obtained.")] = "",
) -> None:
    """Import third-party indicator values (a bad row refuses the whole file, naming the row)."""
    services = _setup()
    try:
        n = services.import_inputs(file, source=source, publisher=publisher, licence=licence, url=url)
    except services.ResilienceError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"{n} input values imported from {file.name}")


@app.command()
def compute(quarter: QuarterOpt = None) -> None:
    """Compute every country's scores for a quarter from its stored inputs (replacing that
    quarter's earlier scores under the same tree version)."""
    services = _setup()
    q = quarter or services.current_quarter()
    try:
        computation = services.compute_quarter(q)
    except services.ResilienceError as exc:
        raise _fail(str(exc)) from exc
    from isoc.resilience.models import CountryScore

    top = CountryScore.objects.filter(computation=computation, rank__isnull=False).order_by("rank")[:5]
    out.print(f"{q} (tree {computation.version}): {computation.countries} countries from {computation.inputs} inputs")
    for s in top:
        out.print(f"  {s.rank:>3}. {s.country_id} {s.overall:5.1f}")


@app.command()
def export(
    quarter: QuarterOpt = None,
    format: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    output: Annotated[Path | None, typer.Option("--out", help="File to write (default: standard output, CSV only).", dir_okay=False)] = None,
) -> None:
    """Every score with every input value and its dataset (all quarters unless --quarter)."""
    services = _setup()
    from isoc.pulse import opendata
    from isoc.resilience import queries

    if format not in ("csv", "parquet"):
        raise typer.BadParameter("csv or parquet", param_hint="--format")
    if quarter:
        try:
            quarter = services.check_quarter(quarter)
        except services.ResilienceError as exc:
            raise _fail(str(exc)) from exc
        if quarter not in queries.quarters():
            raise _fail(f"No scores for {quarter}: run `isoc resilience compute --quarter {quarter}` first.")
    columns, rows = queries.download_rows(quarter)
    table = opendata.Table(columns, rows)
    if format == "parquet":
        if output is None:
            raise _fail("Parquet needs --out FILE.")
        output.write_bytes(opendata.to_parquet(table, {"version": queries.version(), "quarter": quarter or "all"}))
    elif output is None:
        for chunk in opendata.to_csv(table):
            typer.echo(chunk, nl=False)
    else:
        output.write_text("".join(opendata.to_csv(table)), encoding="utf-8")
    if output is not None:
        out.print(f"{len(rows)} rows written to {output}")


@app.command("check-config")
def check_config(file: Annotated[Path, typer.Argument(help="An IRI tree YAML file.", dir_okay=False)]) -> None:
    """Validate a tree file; a bad node is named by its path (no database needed)."""
    from isoc.resilience import tree

    try:
        t = tree.load(file)
    except tree.ConfigError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"{t.title} {t.version}: {len(t.pillars)} pillars, {len(t.dimensions())} dimensions, {len(t.indicators())} indicators")
