"""``isoc fellowships …``: the ranking of a call and the decision mail, each through
``isoc.fellowships.services``."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Fellowships: rank a call's applications, notify applicants.", no_args_is_help=True)


def _call(slug: str):
    from isoc.fellowships.models import Call

    call = Call.objects.filter(slug=slug).select_related("programme").first()
    if call is None:
        typer.echo(f"error: no call {slug!r}", err=True)
        raise typer.Exit(2)
    return call


@app.command("rank")
def rank(
    call_slug: Annotated[str, typer.Argument(metavar="CALL", help="The call's slug, e.g. ngl-2026.")],
) -> None:
    """Print a call's submitted applications ranked by normalised score (per-reviewer
    z-scores, see the methodology page), with raw mean, spread, disagreement flag and
    decision; applications without a review come last."""
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.fellowships import services

    call = _call(call_slug)
    rows = services.ranking(call)
    typer.echo(f"{call.title}: {len(rows)} submitted applications (disagreement above {call.disagreement_threshold})")
    typer.echo(f"{'rank':>4}  {'id':>6}  {'normalised':>10}  {'raw':>5}  {'spread':>6}  {'reviews':>7}  flag  "
               f"{'state':<12}  applicant")
    for r in rows:
        def fmt(value, width, digits=2):
            return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"

        typer.echo(f"{r.rank or '-':>4}  {r.application.pk:>6}  {fmt(r.normalised, 10, 3)}  {fmt(r.raw_mean, 5)}  "
                   f"{fmt(r.spread, 6)}  {r.reviews:>3}/{r.assigned:<3}  {'!' if r.disagreement else ' ':<4}  "
                   f"{r.application.state:<12}  {r.application.applicant.email}")
    selection = services.selection(call)
    typer.echo(f"selected {selection.accepted} of {selection.places} places")
    for line in selection.lines:
        typer.echo(f"  {line.dimension} {line.key}: {line.selected} of target {line.target}"
                   f"{'' if line.met else ' (not met)'}")


@app.command("notify")
def notify(
    call_slug: Annotated[str, typer.Argument(metavar="CALL", help="The call's slug.")],
    commit: Annotated[bool, typer.Option("--commit/--dry-run",
                                         help="Email the applicants, or only list who would be told (default).")] = False,
) -> None:
    """Email every applicant of CALL whose decision (accepted, waitlisted, declined) they
    have not been told yet. Nobody is told the same decision twice. Pretends unless --commit."""
    from isoc.site.cli import setup_django

    setup_django()
    from django.db import transaction

    from isoc.fellowships import services

    call = _call(call_slug)
    with transaction.atomic():
        told = services.notify(call, actor=None)
        lines = [f"{d.application.applicant.email}: {d.outcome}" for d in told]
        if not commit:
            transaction.set_rollback(True)  # pretend: nothing recorded, nobody mailed (mail goes on commit)
    prefix = "" if commit else "(dry run) would tell "
    for line in lines:
        typer.echo(f"{prefix}{line}")
    typer.echo(f"{len(lines)} applicants {'are being emailed' if commit else 'would be emailed'}.")
    if not commit:
        typer.echo("Nothing changed: run again with --commit to send.")
