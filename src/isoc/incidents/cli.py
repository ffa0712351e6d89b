"""``isoc incidents …``: import VERIS incident files, write the annual report.

- ``isoc incidents import PATH…`` imports VERIS JSON files and folders (each file on its
  own; a malformed file is reported and skipped, the others are stored);
- ``isoc incidents report --year YEAR [--out DIR]`` writes the Cyber Incident & Breach
  Trends report of that incident year as HTML and PDF; the same function is the
  ``isoc trust report`` command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Cyber incidents in VERIS terms: import VERIS JSON, write the annual trends report.",
                  no_args_is_help=True)
console = Console(stderr=True)


def _setup() -> None:
    from isoc.site.cli import setup_django

    setup_django()


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="VERIS JSON files, or folders of them (searched recursively for *.json).")],
    schema: Annotated[Path | None, typer.Option("--schema", help="The full VERIS schema (verisc-merged.json) to check every enumeration against; default: the built-in core.", exists=True, dir_okay=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the files and say what would be stored; store nothing.")] = False,
) -> None:
    """Import VERIS incidents, one transaction per file, idempotent by incident_id. Exits
    with 1 when any file was rejected (the others are stored), 2 on a bad argument."""
    _setup()
    from isoc.incidents import services

    try:
        results = services.import_paths(paths, schema=schema, dry_run=dry_run)
    except services.IncidentError as exc:
        console.print(f"[red]error:[/red] {exc.message}", highlight=False)
        raise typer.Exit(2) from None
    except (ValueError, OSError) as exc:  # an unreadable --schema
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    rejected = [r for r in results if r.error is not None]
    for result in results:
        typer.echo(result.summary())
    typer.echo(f"{len(results)} files: {len(results) - len(rejected)} imported or unchanged, {len(rejected)} rejected")
    if rejected:
        raise typer.Exit(1)


def report(
    year: Annotated[int, typer.Option("--year", help="The incident year the report covers.", min=1950, max=2050)],
    out: Annotated[Path, typer.Option("--out", help="The folder to write the HTML and PDF into.", file_okay=False)] = Path("."),
    language: Annotated[str, typer.Option("--language", help="en, fr, es or et.")] = "en",
) -> None:
    """Write the annual Cyber Incident & Breach Trends report of YEAR as HTML and PDF
    (charts by action type, sector and year, median time to discovery, preventable share)."""
    _setup()
    from django.conf import settings

    from isoc.incidents import report as reports
    from isoc.incidents import services

    if language not in dict(settings.LANGUAGES):
        console.print(f"[red]error:[/red] --language must be one of {', '.join(dict(settings.LANGUAGES))}", highlight=False)
        raise typer.Exit(2)
    from isoc.site.celery import enqueueing

    if enqueueing():  # a job broker: a worker writes it (into a folder the workers share)
        from isoc.site.cli_worker import report_on_worker

        return report_on_worker(year, out, language)
    try:
        written = reports.write(year, out, language=language)
    except services.IncidentError as exc:
        console.print(f"[red]error:[/red] {exc.message}", highlight=False)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {written.html}")
    typer.echo(f"wrote {written.pdf}")


app.command("report")(report)
