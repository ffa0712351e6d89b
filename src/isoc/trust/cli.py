"""``isoc trust …``: the Online Trust Audit.

- ``isoc trust audit --year Y --results DIR [--weights FILE] [--commit]`` scores every
  audited organization from the scan files in DIR (pretends unless ``--commit``);
- ``isoc trust rescore --year Y --weights FILE`` scores that audit again under other
  weights from the very files it read (no new scan);
- ``isoc trust weights [FILE]`` checks a weights file and prints it;
- ``isoc trust import-organizations CSV [--commit]`` adds or updates audited organizations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from isoc.incidents.cli import report as incidents_report

app = typer.Typer(help="Online Trust Audit: score organizations' websites and email, the Honor Roll; "
                       "the yearly Cyber Incident & Breach Trends report.",
                  no_args_is_help=True)
console = Console(stderr=True)
# The Online Trust Alliance publishes both the audit and the incident trends report: the
# report's command lives with the incident data, and is offered here as `isoc trust report`.
app.command("report")(incidents_report)


def _django() -> None:
    from isoc.site.cli import setup_django

    setup_django()


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def _weights(path: Path | None):
    from isoc.trust import services

    try:
        return services.weights_in_force(path)
    except services.TrustError as exc:
        _fail(exc.message)


def _print_report(report, title: str) -> None:
    table = Table(title=title)
    for column in ("organization", "domain", "consumer", "site", "privacy", "total", "%", "honor roll"):
        table.add_column(column, justify="right" if column in ("consumer", "site", "privacy", "total", "%") else "left")
    if any(s.previous is not None for s in report.scored):
        table.add_column("before", justify="right")
    for s in sorted(report.scored, key=lambda s: (-s.card.total, s.organization.name)):
        c = s.card.categories
        row = [s.organization.name, s.organization.primary_domain, str(c["consumer"].score), str(c["site"].score),
               str(c["privacy"].score), str(s.card.total), f"{s.card.percent:.1f}", "yes" if s.card.honor_roll else "no"]
        if s.previous is not None:
            row.append(f"{s.previous.total} ({'yes' if s.previous.honor_roll else 'no'})")
        table.add_row(*row)
    Console().print(table)
    console.print(f"{len(report.scored)} scored, {len(report.honor_roll)} on the Honor Roll; "
                  f"{len(report.missing)} organizations not in the scan files; {report.domains_in_files} domains in "
                  f"{len(report.files)} file(s); weights: {report.weights.source}", highlight=False)
    if report.missing:
        console.print("not in the scan: " + ", ".join(report.missing[:20]) + (" …" if len(report.missing) > 20 else ""),
                      highlight=False)


@app.command()
def audit(
    year: Annotated[int, typer.Option("--year", help="The audit's year.")],
    results: Annotated[Path, typer.Option("--results", help="Folder of scan files (Parquet) from `isoc enablers scan`.",
                                          file_okay=False)],
    weights: Annotated[Path | None, typer.Option("--weights", help="Weights file (TOML or JSON); default: the setting, else the shipped one.")] = None,
    commit: Annotated[bool, typer.Option("--commit", help="Store the audit (without it, only print the scores).")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an existing audit of the same year.")] = False,
) -> None:
    """Score every audited organization from the latest scan row of its primary domain."""
    _django()
    from isoc.trust import services

    chosen = _weights(weights)
    try:
        report = services.run_audit(year, results, chosen, commit=commit, replace=replace)
    except services.TrustError as exc:
        _fail(exc.message)
    _print_report(report, f"Online Trust Audit {year}" + ("" if commit else " (dry run: nothing stored; add --commit)"))


@app.command()
def rescore(
    year: Annotated[int, typer.Option("--year", help="The audit to score again.")],
    weights: Annotated[Path, typer.Option("--weights", help="The new weights file (TOML or JSON).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print the new scores beside the stored ones.")] = False,
) -> None:
    """Score an audit again under other weights, from the same scan files (no new scan)."""
    _django()
    from isoc.trust import services

    chosen = _weights(weights)
    try:
        report = services.rescore(year, chosen, commit=not dry_run)
    except services.TrustError as exc:
        _fail(exc.message)
    _print_report(report, f"Online Trust Audit {year} re-scored" + (" (dry run: nothing stored)" if dry_run else ""))


@app.command("weights")
def show_weights(
    file: Annotated[Path | None, typer.Argument(help="A weights file to check (default: the weights in force).")] = None,
) -> None:
    """Check a weights file (every criterion once, each category summing to 100) and print it."""
    from isoc.trust import scoring

    try:
        chosen = scoring.load_weights(file) if file else None
    except scoring.WeightsError as exc:
        console.print(f"[red]error:[/red] {escape(exc.source)}", highlight=False)
        for problem in exc.problems:
            console.print(f"  - {problem}", highlight=False, markup=False)
        raise typer.Exit(2) from exc
    if chosen is None:
        _django()
        chosen = _weights(None)
    for section, points in chosen.as_sections().items():
        typer.echo(f"[{section}]  # {sum(points.values())} points")
        for key, value in points.items():
            typer.echo(f"{key} = {value}")
        typer.echo("")


@app.command("import-organizations")
def import_organizations(
    file: Annotated[Path, typer.Argument(help="CSV with columns name, domain, sector and optionally country.",
                                         exists=True, dir_okay=False)],
    commit: Annotated[bool, typer.Option("--commit", help="Store them (without it, only check and count).")] = False,
) -> None:
    """Add or update audited organizations from a CSV file (all rows or none)."""
    _django()
    from isoc.trust import services

    try:
        text = file.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{file}: {exc}")
    report = services.import_organizations(text, source=str(file), commit=commit)
    for error in report.errors:
        console.print(f"[red]error:[/red] {escape(error)}", highlight=False)
    if report.errors:
        console.print("nothing stored", highlight=False)
        raise typer.Exit(2)
    console.print(("" if commit else "(dry run: nothing stored; add --commit) ") + str(report), highlight=False)
