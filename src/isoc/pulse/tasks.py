"""Celery tasks of the pulse app."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="isoc.pulse.tasks.run_import")
def run_import(name: str, path: str, dry_run: bool = False, options: dict | None = None) -> dict:
    """Run importer ``name`` on the file at ``path`` (see ``isoc.pulse.importing``);
    returns the outcome, counts and, for a rejected file, the error naming row and field."""
    from isoc.pulse.importing import discover, get_importer, import_file

    discover()
    result = import_file(get_importer(name, **(options or {})), path, dry_run=dry_run)
    return {"outcome": result.outcome, "dataset": result.dataset_slug, "rows_read": result.rows_read,
            "rows_stored": result.rows_stored, "rows_skipped": len(result.skipped), "run": result.run_id,
            "error": result.error.as_dict() if result.error else None, "summary": result.summary()}
