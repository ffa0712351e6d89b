"""``isoc worker`` and ``isoc beat``, and how commands fan their bulk work out to workers.

A worker is a Celery worker of ``isoc.site.celery.app``: start as many as the work needs,
on any machines that share the database (``DATABASE_URL``), the broker
(``ISOC_BROKER_URL``) and the data folder (``ISOC_DATA_DIR``, e.g. on NFS). Run the
periodic schedule exactly once in the deployment (``isoc beat``, or ``isoc worker --beat``
on one machine): two schedulers would run every daily job twice.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer

NO_BROKER = ("no job broker is configured: set ISOC_BROKER_URL (e.g. redis://127.0.0.1:6379/0). "
             "Without one, commands run their work themselves and no worker is needed.")


def _celery_app():
    from isoc.site.celery import app, enqueueing
    from isoc.site.cli import console, setup_django

    setup_django()
    if not enqueueing():
        console.print(f"[red]error:[/red] {NO_BROKER}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    return app


def worker(
    concurrency: Annotated[int, typer.Option(help="Tasks run at once (worker processes).", min=1)] = 2,
    queues: Annotated[str, typer.Option(help="Comma-separated queues to take tasks from.")] = "celery",
    loglevel: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
    hostname: Annotated[str, typer.Option(help="This worker's name (unique in the deployment).")] = "",
    beat: Annotated[bool, typer.Option("--beat", help="Also run the periodic schedule (in one worker of the deployment only).")] = False,
) -> None:
    """Run a job worker: takes bulk work (imports, scans, detection, reports) from the broker."""
    app = _celery_app()
    argv = ["worker", f"--concurrency={concurrency}", f"--queues={queues}", f"--loglevel={loglevel}",
            f"--hostname={hostname or f'isoc@{socket.gethostname()}'}", "--without-gossip", "--without-mingle"]
    if beat:
        argv.append("--beat")
    app.worker_main(argv=argv)


def beat(
    loglevel: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Run the periodic schedule (daily lapses, reviews…): once per deployment."""
    from django.conf import settings

    app = _celery_app()
    schedule = Path(settings.DATA_DIR) / "celerybeat-schedule"
    app.start(argv=["beat", f"--loglevel={loglevel}", f"--schedule={schedule}"])


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(beat)


# --- commands that fan out ---------------------------------------------------------------


def import_on_workers(name: str, files: list[Path], dry_run: bool, options: dict[str, str], wait: bool) -> None:
    """``isoc import`` with a broker: one task per file, then (unless ``--no-wait``) wait
    for all of them and report each file as the in-process run does."""
    from isoc.pulse.tasks import SKIPPED_SHOWN, run_import
    from isoc.site.celery import enqueue, shared_path
    from isoc.site.celery import wait as wait_for
    from isoc.site.cli import progress_bar

    sent = enqueue(run_import, ((str(path), (name, shared_path(path)), {"dry_run": dry_run, "options": options})
                                for path in files))
    if not wait:
        for label, result in sent:
            typer.echo(f"{label}: queued as task {result.id}")
        return
    with progress_bar(f"Importing with {name} on workers", len(sent)) as advance:
        batch = wait_for(sent, advance)
    failed = False
    for item in batch.items:
        if item.error is not None:
            typer.echo(f"{Path(item.label).name}: failed on a worker, nothing stored — {item.error} (task {item.task_id})")
            failed = True
            continue
        value = item.value
        typer.echo(("(dry run) " if dry_run else "") + value["summary"])
        for skip in value["skipped"]:
            typer.echo(f"  skipped {skip}")
        if value["rows_skipped"] > SKIPPED_SHOWN:
            typer.echo(f"  … and {value['rows_skipped'] - SKIPPED_SHOWN} more skipped rows (all in the import run's report)")
        failed = failed or value["error"] is not None
    if failed:
        raise typer.Exit(1)


def scan_on_workers(domains: list[str], out: Path, config, batch_size: int, wait: bool) -> None:
    """``isoc enablers scan`` with a broker: one task per batch of domains; each batch's
    files land in ``out`` and are recorded by the worker that measured them."""
    from isoc.enablers.scanner import new_scan_id
    from isoc.enablers.tasks import config_to_dict, scan_batch
    from isoc.site.celery import enqueue, shared_path
    from isoc.site.celery import wait as wait_for
    from isoc.site.cli import progress_bar

    scan, folder, settings = new_scan_id(), shared_path(out), config_to_dict(config)
    batches = [domains[i:i + batch_size] for i in range(0, len(domains), batch_size)]
    sent = enqueue(scan_batch, ((f"batch {n}", (chunk, folder, scan, n, settings), {})
                                for n, chunk in enumerate(batches)))
    if not wait:
        for label, result in sent:
            typer.echo(f"{label}: queued as task {result.id}")
        typer.echo(f"scan {scan}: {len(domains):,} domains in {len(batches)} batches into {out}/")
        return
    with progress_bar(f"Scanning on workers ({len(batches)} batches)", len(sent)) as advance:
        batch = wait_for(sent, advance)
    measured = sum(i.value["measured"] for i in batch.items if i.error is None)
    files = sum(len(i.value["files"]) for i in batch.items if i.error is None)
    for item in batch.failed:
        typer.echo(f"{item.label}: failed on a worker — {item.error} (task {item.task_id}); run the command again to resume")
    typer.echo(f"{measured:,} domains measured in {len(batches) - len(batch.failed)} of {len(batches)} batches")
    typer.echo(f"results: {out}/ (Parquet, scan {scan}); stored {files} file(s)")
    if batch.failed:
        raise typer.Exit(1)


def report_on_worker(year: int, out: Path, language: str) -> None:
    """``isoc incidents report`` with a broker: a worker writes it, into a shared folder."""
    from isoc.incidents.tasks import write_report
    from isoc.site.celery import enqueue, local_path, shared_path
    from isoc.site.celery import wait as wait_for

    [item] = wait_for(enqueue(write_report, [(str(year), (year, shared_path(out), language), {})])).items
    if item.error is not None:
        typer.echo(f"error: the report failed on a worker — {item.error} (task {item.task_id})", err=True)
        raise typer.Exit(1)
    typer.echo(f"wrote {local_path(item.value['html'])}")
    typer.echo(f"wrote {local_path(item.value['pdf'])}")


def detect_on_workers(country: str | None, start, end) -> list:
    """``isoc detect`` with a broker: one detection task per country with signals; the
    windows found, as the in-process run returns them."""
    from isoc.shutdowns.models import DetectedOutage, Signal
    from isoc.shutdowns.tasks import detect_outages
    from isoc.site.celery import enqueue
    from isoc.site.celery import wait as wait_for
    from isoc.site.cli import progress_bar

    countries = [country] if country else sorted(set(Signal.objects.values_list("country_id", flat=True)))
    times = {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None}
    sent = enqueue(detect_outages, ((code, (code,), times) for code in countries))
    with progress_bar("Detecting on workers", len(sent)) as advance:
        batch = wait_for(sent, advance)
    for item in batch.failed:
        typer.echo(f"{item.label}: detection failed on a worker — {item.error} (task {item.task_id})", err=True)
    ids = [pk for item in batch.items if item.error is None for pk in item.value["ids"]]
    found = list(DetectedOutage.objects.filter(pk__in=ids).order_by("country_id", "asn", "starts_at"))
    if batch.failed:
        raise typer.Exit(1)
    return found
