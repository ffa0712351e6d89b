"""``isoc learning …``: course folders in and out, and the report, through ``services``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Learning: import and export course folders, the report.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("import")
def import_folder(
    folder: Annotated[Path, typer.Argument(help="A course folder (course.yaml, lessons/, quizzes/…).")],
    publish: Annotated[bool, typer.Option("--publish", help="Publish the imported draft as a new version.")] = False,
) -> None:
    """Import a course folder as the draft of its course (slug + language); checked whole
    first: a malformed folder is refused (exit 1) naming the file and field, and nothing
    is stored."""
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.learning import services

    try:
        course = services.import_course(folder, publish_it=publish)
    except services.LearningError as exc:
        console.print(f"[red]refused:[/red] {exc.message}")
        raise typer.Exit(1) from None
    state = f"published as version {course.published_version}" if publish else "imported as a draft"
    console.print(f"{course.slug} ({course.language}): {course.title}, {state}")


@app.command("export")
def export_folder(
    slug: Annotated[str, typer.Argument(help="The course's slug.")],
    folder: Annotated[Path, typer.Argument(help="Where to write the course folder (created).")],
    language: Annotated[str, typer.Option("--language", help="Which language version.")] = "en",
) -> None:
    """Write a course (its current draft, with its images and resources) as a folder."""
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.learning import services
    from isoc.learning.models import Course

    course = Course.objects.filter(slug=slug, language=language).first()
    if course is None:
        console.print(f"[red]no course {slug!r} in language {language!r}[/red]")
        raise typer.Exit(1)
    path = services.export_course(course, folder)
    console.print(f"{slug} ({language}) written to {path}")


@app.command("report")
def report(
    by: Annotated[str, typer.Option("--by", help="course, cohort, country or month.")] = "course",
    csv_out: Annotated[bool, typer.Option("--csv", help="CSV on standard output instead of a table.")] = False,
) -> None:
    """Enrolments, completions and quiz pass rates per course, cohort, country or month,
    and the number of learners trained (people with at least one completed course)."""
    import csv
    import sys

    from isoc.site.cli import setup_django

    setup_django()
    from rich.table import Table

    from isoc.learning import queries, services

    if by not in queries.REPORT_DIMENSIONS:
        console.print(f"[red]--by must be one of {', '.join(queries.REPORT_DIMENSIONS)}[/red]")
        raise typer.Exit(2)
    rows = queries.report(by)
    if csv_out:
        writer = csv.writer(sys.stdout)
        writer.writerow(queries.REPORT_COLUMNS)
        for row in rows:
            writer.writerow([queries.csv_cell(row[c]) for c in queries.REPORT_COLUMNS])
        return
    table = Table(*queries.REPORT_COLUMNS)
    for row in rows:
        table.add_row(*["—" if row[c] is None else str(row[c]) for c in queries.REPORT_COLUMNS])
    Console().print(table)
    console.print(f"learners trained: {services.learners_trained()}")
