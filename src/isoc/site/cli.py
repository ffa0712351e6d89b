"""The ``isoc`` command line. Every command works on the database named by the
environment (see the README), and long work shows a progress bar."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from isoc.chapters.cli import app as chapters_app
from isoc.elections.cli import app as elections_app
from isoc.enablers.cli import app as enablers_app
from isoc.events.cli import app as events_app
from isoc.fellowships.cli import app as fellowships_app
from isoc.incidents.cli import app as incidents_app
from isoc.infra.cli import app as infra_app
from isoc.learning.cli import app as learning_app
from isoc.resilience.cli import app as resilience_app
from isoc.routing.cli import app as routing_app
from isoc.site.cli_backup import register as register_backup
from isoc.site.cli_retention import app as retention_app
from isoc.site.cli_worker import detect_on_workers, import_on_workers
from isoc.site.cli_worker import register as register_worker_commands
from isoc.trust.cli import app as trust_app

app = typer.Typer(help="isoc: the Internet Society's community and Pulse platform.", no_args_is_help=True,
                  rich_markup_mode="rich")
token_app = typer.Typer(help="API tokens for scripts.", no_args_is_help=True)
app.add_typer(token_app, name="token")
i18n_app = typer.Typer(help="Translations: extract messages, compile and check the catalogs.", no_args_is_help=True)
app.add_typer(i18n_app, name="i18n")
app.add_typer(routing_app, name="routing")
app.add_typer(chapters_app, name="chapters")
app.add_typer(elections_app, name="elections")
app.add_typer(events_app, name="events")
app.add_typer(enablers_app, name="enablers")
app.add_typer(incidents_app, name="incidents")
app.add_typer(trust_app, name="trust")
app.add_typer(fellowships_app, name="fellowships")
app.add_typer(resilience_app, name="resilience")
app.add_typer(infra_app, name="infra")
app.add_typer(learning_app, name="learning")
app.add_typer(retention_app, name="retention")
console = Console(stderr=True)
register_worker_commands(app)  # isoc worker, isoc beat
register_backup(app)  # ops: isoc backup / isoc restore


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isoc.site.settings")
    import django

    django.setup()


@contextmanager
def progress_bar(description: str, total: int | None):
    """A Rich progress bar; yields a function to call once per unit of work."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=False, disable=not console.is_terminal and "ISOC_PROGRESS" not in os.environ) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1, total: int | None = None) -> None:
            if total is not None:
                bar.update(task, total=total)
            bar.advance(task, n)

        yield advance


def _manage(*args: str) -> None:
    setup_django()
    from django.core.management import call_command

    call_command(*args)


@app.command()
def migrate() -> None:
    """Create or update the database tables (and seed tiers, dues and roles)."""
    _manage("migrate", "--noinput")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (gunicorn).")] = 2,
    threads: Annotated[int, typer.Option(help="Threads per worker.")] = 4,
    dev: Annotated[bool, typer.Option("--dev", help="Django's auto-reloading development server instead.")] = False,
) -> None:
    """Serve the site (gunicorn; --dev for the auto-reloading development server)."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DEBUG:
        call_command("collectstatic", "--noinput", verbosity=0)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    console.print(f"isoc serving on [bold]{url}[/bold] (database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})")
    if dev:
        call_command("runserver", f"{host}:{port}", "--noreload" if not sys.stdin.isatty() else "--skip-checks")
        return
    from gunicorn.app.base import BaseApplication

    from isoc.site.ops.metrics import reset_multiprocess_dir
    from isoc.site.wsgi import application

    reset_multiprocess_dir()  # ops: latency files of an earlier run's processes must not be summed

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-" if settings.DEBUG else None)

        def load(self):
            return application

    Server().run()


@app.command()
def demo(
    people: Annotated[int, typer.Option(help="How many demo people.")] = 5000,
    organizations: Annotated[int, typer.Option(help="How many demo organization members.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 2026,
    reset: Annotated[bool, typer.Option("--reset", help="Delete existing demo data first.")] = False,
) -> None:
    """Generate demo data (marked as demo). Does nothing if demo data exists, unless --reset."""
    setup_django()
    from isoc.members import demo as demo_data

    if reset:  # demo registrations and certification approvals hold on to demo people: they go first
        from isoc.elections.demo import remove as remove_demo_elections
        from isoc.events.demo import remove as remove_demo_events
        from isoc.fellowships.demo import remove as remove_demo_fellowships
        from isoc.learning.demo import remove as remove_demo_learning

        remove_demo_fellowships()  # its applicants, reviewers and endorsing chapters are demo people and chapters
        from isoc.infra.demo import remove as remove_demo_infra

        remove_demo_infra()  # community networks may be run by demo chapters
        from isoc.iwn.demo import remove as remove_demo_iwn

        remove_demo_iwn()
        remove_demo_events()
        remove_demo_learning()
        remove_demo_elections()
    with progress_bar("Generating demo data", people + organizations) as advance:
        report = demo_data.generate(people=people, organizations=organizations, seed=seed, reset=reset, progress=advance)
    console.print(str(report))
    from isoc.shutdowns.demo_signals import generate_demo_signals

    shutdowns = generate_demo_signals(days=30, seed=seed)
    console.print(f"Shutdown demo: {shutdowns['signals']} signals ({shutdowns['points']:,} points), "
                  f"{shutdowns['events']} events with injected outages")
    from isoc.routing.demo import generate as generate_routing

    routing = generate_routing(reset=reset)
    console.print(f"Routing demo: {routing['snapshots']} monthly snapshots, {routing['incidents']} incidents")
    from isoc.enablers.demo import generate as generate_enablers

    enablers = generate_enablers(reset=reset, seed=seed)
    console.print(f"Enabling technologies demo: {enablers['scans']} scans of {enablers['domains']} domains")
    from isoc.chapters.demo import generate as generate_chapters

    chapters = generate_chapters(seed=seed, reset=reset)
    console.print(f"Chapters demo: {chapters['chapters']} chapters, {chapters['memberships']} chapter memberships, "
                  f"{chapters['officers']} officer terms, {chapters['reports']} annual reports")
    from isoc.events.demo import generate as generate_events

    events = generate_events(seed=seed, reset=reset)
    console.print(f"Events demo: {events['events']} events, {events['registrations']} registrations")
    from isoc.elections.demo import generate as generate_elections

    elections = generate_elections(reset=reset, seed=seed)
    console.print(f"Elections demo: {elections['elections']} elections (nominations open, petitions open, "
                  "voting open, certified with its challenge period running)")
    from isoc.incidents.demo import generate as generate_incidents

    incidents = generate_incidents(seed=seed, reset=reset)
    console.print(f"Incidents demo: {incidents['incidents']} generated VERIS incidents")

    from isoc.trust.demo import generate as generate_trust

    trust = generate_trust(reset=reset, seed=seed)
    console.print(f"Online Trust Audit demo: {trust['organizations']} organizations, {trust['audits']} yearly audits")
    from isoc.learning.demo import generate as generate_learning

    learning = generate_learning(reset=reset, seed=seed)
    console.print(f"Learning demo: {learning['courses']} courses, {learning['cohorts']} cohorts, "
                  f"{learning['enrolments']} enrolments, {learning['certificates']} certificates")
    from isoc.fellowships.demo import generate as generate_fellowships

    fellowships = generate_fellowships(reset=reset, seed=seed)
    console.print(f"Fellowships demo: {fellowships['calls']} calls, {fellowships['applications']} applications, "
                  f"{fellowships['reviews']} reviews, {fellowships['alumni']} listed alumni")
    from isoc.infra.demo import generate as generate_infra

    infra = generate_infra(reset=reset, seed=seed)
    if infra:
        console.print("IXPs and community networks demo: " + ", ".join(f"{v} {k}" for k, v in infra.items()))
    from isoc.resilience.demo import generate as generate_resilience

    resilience = generate_resilience(reset=reset, seed=seed)
    if resilience:
        console.print("Internet Resilience Index demo: " + ", ".join(f"{v} {k}" for k, v in resilience.items()))
    from isoc.iwn.demo import generate as generate_iwn

    iwn = generate_iwn(reset=reset, seed=seed)
    console.print(f"Impact assessment demo: {iwn['assessments']} sample assessments")


@app.command()
def createstaff(
    email: Annotated[str, typer.Argument(help="Email address (the login).")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="ISOC_STAFF_PASSWORD", help="Password (prompted when omitted).")],
    admin: Annotated[bool, typer.Option("--admin", help="Administrator (all permissions) rather than secretariat staff.")] = False,
    first_name: str = "",
    last_name: str = "",
) -> None:
    """Create a secretariat staff account (or update its password and role)."""
    setup_django()
    from isoc.members.accounts import StaffError, create_staff

    try:
        person, created = create_staff(email, password, administrator=admin, first_name=first_name, last_name=last_name)
    except StaffError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"{'Created' if created else 'Updated'} {'administrator' if admin else 'staff'} account {person.email}")


@app.command()
def lapse(
    commit: Annotated[bool, typer.Option("--commit/--dry-run", help="Apply the changes (default) or only report them.")] = True,
) -> None:
    """Lapse memberships whose paid time has ended; queue renewal reminders (30 and 7 days)."""
    setup_django()
    from isoc.members.services import lapse_due

    with progress_bar("Checking memberships", None) as advance:
        report = lapse_due(commit=commit, progress=advance)
    prefix = "" if commit else "(dry run) would have: "
    console.print(prefix + str(report))


@app.command()
def detect(
    country: Annotated[str, typer.Option(help="Only this country (ISO alpha-2).")] = "",
    since: Annotated[str, typer.Option("--from", help="Only signal points from this day (YYYY-MM-DD, UTC).")] = "",
    until: Annotated[str, typer.Option("--to", help="Only signal points before this day (YYYY-MM-DD, UTC).")] = "",
) -> None:
    """Run outage detection over the stored signals; new windows await staff review."""
    setup_django()
    from datetime import UTC, datetime

    from isoc.shutdowns.signals import run_detection

    def day(text: str):
        if not text:
            return None
        try:
            return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            console.print(f"[red]error:[/red] not a day (YYYY-MM-DD): {text!r}")
            raise typer.Exit(2) from None

    from isoc.site.celery import enqueueing

    if enqueueing():  # a job broker: one task per country, on the workers
        found = detect_on_workers(country.upper() or None, day(since), day(until))
    else:
        found = run_detection(country=country.upper() or None, start=day(since), end=day(until))
    new = [d for d in found if d.state == "new"]
    console.print(f"{len(found)} outage windows detected ({len(new)} awaiting review)")
    for d in found[:20]:
        console.print(f"  {d.country_id}{f' AS{d.asn}' if d.asn else ''} {d.starts_at:%Y-%m-%d %H:%M}–{d.ends_at:%H:%M} UTC"
                      f" score {d.score:,.0f} [{d.state}]")


@app.command("import")
def import_(
    name: Annotated[str, typer.Argument(help="The importer: worldbank, keepiton, ioda-outages, …")],
    files: Annotated[list[Path], typer.Argument(help="Files to import, each on its own (atomic per file).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Parse and report; store nothing.")] = False,
    option: Annotated[list[str], typer.Option("--option", "-o", help="KEY=VALUE for the importer, e.g. indicator=SP.POP.TOTL.")] = [],  # noqa: B006
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="With a job broker: wait for the workers and report (default), or print the task ids.")] = True,
) -> None:
    """Import files with a registered importer: same file again changes nothing; a malformed
    file is rejected naming the row and field, with nothing stored; skipped rows are listed.
    With a job broker (ISOC_BROKER_URL) each file is one task for the workers."""
    setup_django()
    from isoc.pulse.importing import discover, get_importer, import_file

    discover()
    options = dict(o.split("=", 1) for o in option if "=" in o)
    try:
        importer = get_importer(name, **options)
    except KeyError as exc:
        console.print(f"[red]error:[/red] {exc.args[0]}")
        raise typer.Exit(2) from exc
    from isoc.site.celery import enqueueing

    if enqueueing():
        return import_on_workers(name, files, dry_run, options, wait)
    results = []
    with progress_bar(f"Importing with {name}", len(files)) as advance:
        for path in files:
            results.append(import_file(importer, path, dry_run=dry_run))
            advance()
    for result in results:
        typer.echo(("(dry run) " if dry_run else "") + result.summary())
        for skip in result.skipped[:50]:
            typer.echo(f"  skipped {skip}")
        if len(result.skipped) > 50:
            typer.echo(f"  … and {len(result.skipped) - 50} more skipped rows (all in the import run's report)")
    if any(r.error for r in results):
        raise typer.Exit(1)


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "script",
) -> None:
    """Make an API token; the key is printed once."""
    setup_django()
    from isoc.members.models import Person
    from isoc.members.tokens import create_token

    person = Person.objects.filter(email__iexact=email, is_active=True).first()
    if person is None:
        console.print(f"[red]error:[/red] no active account with email {email!r}")
        raise typer.Exit(2)
    _, key = create_token(person, name)
    typer.echo(key)


# --- translations (Python only: no GNU gettext, no Django setup) ------------------------

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SourceOption = Annotated[Path, typer.Option("--source", help="The package's source folder.", hidden=True)]
LocaleOption = Annotated[Path, typer.Option("--locale", help="The folder of the catalogs.", hidden=True)]


@i18n_app.command("extract")
def i18n_extract(
    language: Annotated[list[str], typer.Option("--language", help="Also start a catalog for this language code.")] = [],  # noqa: B006
    source: SourceOption = PACKAGE_ROOT,
    locale: LocaleOption = PACKAGE_ROOT / "locale",
) -> None:
    """Update the .po catalogs from the templates and code: new messages are added
    untranslated, messages gone from the source are dropped; translations are kept."""
    from isoc.site import i18n_catalogs as catalogs

    reports = catalogs.update_catalogs(source, locale, language)
    if not reports:
        console.print(f"[red]error:[/red] no catalogs under {locale}; start one with --language")
        raise typer.Exit(2)
    for report in reports:
        state = "updated" if report.changed else "unchanged"
        typer.echo(f"{report.language}: {state}, {len(report.added)} new, {len(report.obsolete)} obsolete")
        for k in report.added:
            typer.echo(f"  + {catalogs.describe(k)}")
        for k in report.obsolete:
            typer.echo(f"  - {catalogs.describe(k)}")


@i18n_app.command("compile")
def i18n_compile(locale: LocaleOption = PACKAGE_ROOT / "locale") -> None:
    """Compile each .po catalog into the .mo file Django reads."""
    from isoc.site import i18n_catalogs as catalogs

    for path in catalogs.compile_catalogs(locale):
        typer.echo(f"wrote {path}")


@i18n_app.command("check")
def i18n_check(
    source: SourceOption = PACKAGE_ROOT,
    locale: LocaleOption = PACKAGE_ROOT / "locale",
    language: Annotated[list[str], typer.Option("--language", help="A language that must have a catalog.")] = [],  # noqa: B006
) -> None:
    """Fail (exit 1), naming the messages, when a catalog is out of date with the source,
    has untranslated or fuzzy entries, or its .mo does not match it."""
    from isoc.site import i18n_catalogs as catalogs

    problems = catalogs.check_catalogs(source, locale, language)
    if not catalogs.languages_in(locale) and not language:
        console.print(f"[red]error:[/red] no catalogs under {locale}")
        raise typer.Exit(2)
    # Plain lines on stdout, one per problem, never wrapped: they are read and grepped.
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem(s): translate in the .po files; `isoc i18n extract` "
                   "updates them from the source, `isoc i18n compile` writes the .mo.")
        raise typer.Exit(1)
    typer.echo(f"catalogs up to date: {', '.join(catalogs.languages_in(locale))}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
