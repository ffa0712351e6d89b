"""``isoc events …``: jobs on event registrations, each through ``isoc.events.services``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Events: registration jobs.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("release-unpaid")
def release_unpaid(
    commit: Annotated[bool, typer.Option("--commit/--dry-run", help="Release the seats (default) or only list them.")] = True,
) -> None:
    """Void the invoices of seats held for a fee not paid by its due date (or by the close
    of registration); each seat goes to the next person on the waitlist, who is emailed."""
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.events.services import release_overdue

    released = release_overdue(commit=commit)
    prefix = "" if commit else "(dry run) would have: "
    console.print(f"{prefix}released {len(released)} unpaid seats")
