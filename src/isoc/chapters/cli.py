"""``isoc chapters …``: the standards review and the secretariat's life-cycle decisions,
each through ``isoc.chapters.services`` (one transaction, its rules, a history row)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Chapters: standards review, chartering, de-chartering, appeals.", no_args_is_help=True)
console = Console(stderr=True)
BY = typer.Option("--by", help="Email of the secretariat member taking the decision.")
REASON = typer.Option(help="Why (kept in the chapter's history).")


def _setup():
    from isoc.site.cli import setup_django

    setup_django()


def _staff(email: str):
    from isoc.members.models import Person

    person = Person.objects.filter(email__iexact=email.strip()).first()
    if person is None or not person.is_staff:
        console.print(f"[red]error:[/red] {email} is not a secretariat account")
        raise typer.Exit(2)
    return person


def _chapter(slug: str):
    from isoc.chapters.models import Chapter

    chapter = Chapter.objects.filter(slug=slug).first()
    if chapter is None:
        console.print(f"[red]error:[/red] no chapter {slug!r}")
        raise typer.Exit(2)
    return chapter


def _run(operation, *args, **kwargs):
    from isoc.members.services import RuleViolation

    try:
        return operation(*args, **kwargs)
    except RuleViolation as exc:
        console.print(f"[red]refused:[/red] {exc.message}")
        raise typer.Exit(1) from exc


@app.command()
def review(
    commit: Annotated[bool, typer.Option("--commit/--dry-run", help="Apply the changes, or only print them (default).")] = False,
) -> None:
    """Apply the minimum standards to every chapter: lose good standing, cure, rejuvenation, de-charter."""
    _setup()
    from isoc.chapters.services import review_all

    changes = review_all(dry_run=not commit)
    for chapter, frm, to in changes:
        console.print(f"{'' if commit else '(dry run) '}{chapter.slug}: {frm} → {to}")
    console.print(f"{len(changes)} chapter(s) {'changed' if commit else 'would change'}")


@app.command()
def charter(slug: str, reason: Annotated[str, REASON], by: Annotated[str, BY]) -> None:
    """Charter a chapter in formation (it needs the standards' number of Internet Society members)."""
    _setup()
    from isoc.chapters import services

    t = _run(services.charter, _chapter(slug), actor=_staff(by), reason=reason)
    console.print(f"{slug}: {t.from_state} → {t.to_state}")


@app.command()
def decharter(slug: str, reason: Annotated[str, REASON], by: Annotated[str, BY]) -> None:
    """De-charter a chapter (its officers' terms end today)."""
    _setup()
    from isoc.chapters import services

    t = _run(services.decharter, _chapter(slug), actor=_staff(by), reason=reason)
    console.print(f"{slug}: {t.from_state} → {t.to_state}")


@app.command()
def appeal(
    transition: Annotated[int, typer.Argument(help="The id of the change appealed (see the chapter's history).")],
    decision: Annotated[str, typer.Option(help="upheld (undo the change) or dismissed (keep it).")],
    reason: Annotated[str, REASON], by: Annotated[str, BY],
) -> None:
    """Record the decision on an appeal against a chapter's change of state."""
    _setup()
    from isoc.chapters import services
    from isoc.chapters.models import ChapterTransition

    t = ChapterTransition.objects.filter(pk=transition).first()
    if t is None:
        console.print(f"[red]error:[/red] no change #{transition}")
        raise typer.Exit(2)
    out = _run(services.decide_appeal, t, decision=decision, actor=_staff(by), reason=reason)
    console.print(f"{t.chapter.slug}: appeal {out.decision}; now {out.to_state}")
