"""``isoc events …``: jobs on event registrations, each through ``isoc.events.services``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Events: registration jobs, cancelling an event.", no_args_is_help=True)
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


@app.command("cancel")
def cancel(
    slug: Annotated[str, typer.Argument(help="The event's address (slug).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled: every attendee is told.")],
    by: Annotated[str, typer.Option("--by", help="Email of the staff member (or, for an event without fees, "
                                                  "the organizer) cancelling it.")],
    commit: Annotated[bool, typer.Option("--commit/--dry-run",
                                         help="Cancel the event, or only print what it would do (default).")] = False,
) -> None:
    """Cancel a whole event: every registration is cancelled and its attendee emailed with
    a calendar cancellation, open seat invoices are voided, paid fees become refunds owed.
    Pretends unless --commit: a cancellation cannot be undone."""
    from isoc.site.cli import setup_django

    setup_django()
    from django.db import transaction

    from isoc.events import services
    from isoc.events.models import Event
    from isoc.members.models import Person

    event = Event.objects.filter(slug=slug).first()
    if event is None:
        typer.echo(f"error: no event {slug!r}", err=True)
        raise typer.Exit(2)
    person = Person.objects.filter(email__iexact=by.strip()).first()
    if person is None:
        typer.echo(f"error: no account {by!r}", err=True)
        raise typer.Exit(2)
    try:
        with transaction.atomic():
            done = services.cancel_event(event, actor=person, reason=reason)
            if not commit:
                transaction.set_rollback(True)  # pretend: every rule ran, nothing is kept, nobody is mailed
    except services.RuleViolation as exc:
        typer.echo(f"refused: {exc.message}", err=True)
        raise typer.Exit(1) from None
    prefix, verb = ("", "cancelled") if commit else ("(dry run) ", "would cancel")
    counts = ", ".join(f"{len(regs)} {state.replace('_', ' ')}" for state, regs in sorted(done.cancelled.items()))
    typer.echo(f"{prefix}{slug}: {verb} the event (by {person.email}) and {done.notified} registrations"
               f"{': ' + counts if counts else ''}")
    for invoice in done.voided:
        typer.echo(f"{prefix}  void {invoice.number}")
    for refund in done.refunds:
        typer.echo(f"{prefix}  refund owed: {refund.amount} {refund.currency} to {refund.registration.person.email} "
                   f"({refund.invoice.number})")
    if commit:
        typer.echo(f"{done.notified} attendees are being emailed.")
    else:
        typer.echo("Nothing changed: run again with --commit to apply.")
