"""``isoc backup`` and ``isoc restore`` (the work is in isoc.site.ops.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)


def backup(archive: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")]) -> None:
    """Write one archive with a consistent snapshot of the database and the data folder, and a
    manifest with the SHA-256 of every member. Safe while the site runs."""
    from isoc.site.cli import console, setup_django

    setup_django()
    from isoc.site.ops.backup import BackupError, create_backup

    try:
        manifest = create_backup(archive)
    except (BackupError, OSError) as exc:
        console.print(f"[red]error:[/red] backup failed, nothing written: {exc}")
        raise typer.Exit(1) from exc
    files = sum(1 for m in manifest.members if m.startswith("data/"))
    typer.echo(f"wrote {archive}: {manifest.vendor} database ({len(manifest.migrations)} migrations), {files} data files")


def restore(
    archive: Annotated[Path, typer.Argument(help="An archive written by `isoc backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a database and data folder that are not empty.")] = False,
) -> None:
    """Restore an archive onto a fresh site (empty database and data folder; --force to replace):
    every member's checksum is verified before anything is touched."""
    from isoc.site.cli import console, setup_django

    setup_django()
    from isoc.site.ops.backup import BackupError, restore_backup

    try:
        report = restore_backup(archive, force=force)
    except (BackupError, OSError) as exc:
        console.print(f"[red]error:[/red] restore refused: {exc}")
        raise typer.Exit(1) from exc
    m = report.manifest
    typer.echo(f"restored {archive} (isoc {m.isoc_version}, {m.vendor}, made {m.created_at}): "
               f"database and {report.files} data files; run `isoc migrate` if this isoc is newer")
