"""``isoc elections …``: re-count published ballots (no database needed); move an
election to its next stage through the services (pretend unless ``--commit``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Board of Trustees elections: re-count published ballots, advance an election.",
                  no_args_is_help=True)


@app.command()
def tally(
    ballots: Annotated[Path, typer.Argument(help="A published ballots file (ballots.json).", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result (every round) as JSON.")] = False,
) -> None:
    """Count a published ballots file exactly as the site does; prints who is elected."""
    from isoc.elections.tally import TallyError, tally_file

    try:
        result = tally_file(ballots)
    except TallyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        json.dump(result, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
        return
    typer.echo(f"{result['election']} ({result['method']})")
    for c in result["contests"]:
        typer.echo(f"{c['electorate']}: {c['seats']} seat(s), {c['ballots']} ballots, weight {c['weight']}, "
                   f"{c['invalid']} invalid")
        for cand, votes in sorted(c["counts"].items(), key=lambda kv: -float(kv[1])):
            mark = "  elected" if cand in c["elected"] else ""
            typer.echo(f"  {cand}: {votes}{mark}")


@app.command()
def advance(
    slug: Annotated[str, typer.Argument(help="The election's address (slug).")],
    to: Annotated[str, typer.Option("--to", help="The next stage: nominations, slate, petitions, forum, voting, "
                                                  "tallied, certified, seated.")],
    by: Annotated[str, typer.Option("--by", help="Email of the staff member taking the step.")],
    slate: Annotated[list[str] | None, typer.Option(
        "--slate", help="With --to petitions: a nominee on the slate (nomination id or email); repeat it.")] = None,
    commit: Annotated[bool, typer.Option("--commit/--dry-run",
                                         help="Apply the step, or only print what it would do (default).")] = False,
) -> None:
    """Move an election to its next stage by the service for that step (its rules apply:
    dates, stage, two distinct staff to certify, no undecided challenge to seat)."""
    from isoc.site.cli import setup_django

    setup_django()
    from django.db import transaction

    from isoc.elections import models as em
    from isoc.elections import services as es
    from isoc.members.models import Person
    from isoc.members.services import RuleViolation

    election = em.Election.objects.filter(slug=slug).first()
    if election is None:
        typer.echo(f"error: no election {slug!r}", err=True)
        raise typer.Exit(2)
    person = Person.objects.filter(email__iexact=by.strip()).first()
    if person is None or not person.is_staff:
        typer.echo(f"error: {by} is not a staff account", err=True)
        raise typer.Exit(2)
    nominations = em.Nomination.objects.filter(contest__election=election)
    chosen = []
    for item in slate or []:
        match = nominations.filter(pk=int(item)) if item.isdigit() else nominations.filter(email__iexact=item)
        if not match.exists():
            typer.echo(f"error: {item!r} is not a nominee of {slug}", err=True)
            raise typer.Exit(2)
        chosen.extend(match)
    prefix = "" if commit else "(dry run) "
    before, last = election.state, _last_event(election)
    try:
        with transaction.atomic():
            after = es.advance(election, to, person, slate=chosen)
            events = list(election.events.filter(pk__gt=last).order_by("pk"))
            if not commit:
                transaction.set_rollback(True)  # pretend: every rule ran, nothing is kept
    except RuleViolation as exc:
        typer.echo(f"refused: {exc.message}", err=True)
        raise typer.Exit(1) from None
    verb = "moved" if commit else "would move"
    typer.echo(f"{prefix}{slug}: {verb} {before} → {after.state} (by {person.email})")
    for event in events:
        typer.echo(f"{prefix}  {event.kind}{': ' + event.note if event.note else ''}")
    if to == em.State.PETITIONS:
        typer.echo(f"{prefix}  slate: {', '.join(n.name for n in chosen) or 'nobody'}; "
                   f"the {nominations.count() - len(chosen)} other nominee(s) may petition")
    if not commit:
        typer.echo("Nothing changed: run again with --commit to apply.")


def _last_event(election) -> int:
    last = election.events.order_by("-pk").first()
    return last.pk if last else 0
