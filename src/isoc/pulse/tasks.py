"""Celery tasks of the pulse app."""

from __future__ import annotations

from celery import shared_task

SKIPPED_SHOWN = 50  # skipped rows returned to the waiting command (all are in the ImportRun's report)


@shared_task(name="isoc.pulse.tasks.run_import")
def run_import(name: str, path: str, dry_run: bool = False, options: dict | None = None) -> dict:
    """Run importer ``name`` on the file at ``path`` (see ``isoc.pulse.importing``; a path
    from ``isoc.site.celery.shared_path``); returns the outcome, counts and, for a rejected
    file, the error naming row and field.

    Safe to run again (a worker killed mid-import, a retry): the import is one transaction,
    and a file already applied is recorded as *unchanged* without touching the data."""
    from isoc.pulse.importing import discover, get_importer, import_file
    from isoc.site.celery import local_path

    discover()
    result = import_file(get_importer(name, **(options or {})), local_path(path), dry_run=dry_run)
    return {"outcome": result.outcome, "dataset": result.dataset_slug, "rows_read": result.rows_read,
            "rows_stored": result.rows_stored, "rows_skipped": len(result.skipped), "run": result.run_id,
            "error": result.error.as_dict() if result.error else None, "summary": result.summary(),
            "skipped": [str(s) for s in result.skipped[:SKIPPED_SHOWN]]}
