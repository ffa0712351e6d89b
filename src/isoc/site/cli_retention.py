"""``isoc retention``: apply the personal-data retention schedule (isoc.site.retention)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Personal data: apply the retention schedule.", no_args_is_help=True)


@app.command("run")
def run_schedule(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be removed; change nothing.")] = False,
) -> None:
    """Remove or anonymise the personal data past its retention limit, rule by rule."""
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.site import retention

    report = retention.run(dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for rule in retention.SCHEDULE:
        typer.echo(f"{rule.name}: {verb} {report[rule.name]} (older than {retention.limit(rule)} days)")
