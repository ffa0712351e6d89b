"""``isoc backup`` and ``isoc restore``: one archive with a consistent database snapshot,
the data folder and a manifest.

The archive is a gzipped tar holding ``manifest.json`` (format, isoc version, database
vendor, applied migrations, when, and the SHA-256 of every other member), the database
snapshot (``database.sqlite3`` from SQLite's online backup API, consistent while the site
runs; or ``database.pgdump`` from ``pg_dump --format=custom``, a consistent MVCC snapshot)
and the data folder's files under ``data/`` (not the SQLite file itself, nor what is
regenerated: collected static files, temporary files, metrics).

Restore checks everything before it touches anything: a member missing, extra, renamed
outside ``data/`` or with another checksum, an archive of another vendor or from a newer
isoc, and the archive is refused whole. It restores onto a fresh site only (an empty
database and data folder) unless forced.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

FORMAT = "isoc-backup/1"
MANIFEST = "manifest.json"
DATA_PREFIX = "data/"
# Regenerated, transient or the database itself: never in an archive.
EXCLUDED_TOP = {"tmp", "static", "cache"}
EXCLUDED_SUFFIXES = (".tmp", ".partial", "-journal", "-wal", "-shm")
# What a freshly configured site already has in its data folder (settings write the key).
FRESH_SITE_FILES = {"secret_key"}
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore refused or failed, with the reason for a person to read."""


@dataclass
class Manifest:
    vendor: str
    isoc_version: str
    migrations: list[str]
    created_at: str
    members: dict[str, str] = field(default_factory=dict)
    format: str = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError(f"not an isoc backup of format {FORMAT} (format: {data.get('format')!r})")
            return cls(**{k: data[k] for k in ("vendor", "isoc_version", "migrations", "created_at", "members", "format")})
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"the manifest is unreadable: {exc}") from exc


# ------------------------------------------------------------------------ the database


def vendor() -> str:
    from django.db import connection

    return connection.vendor  # "sqlite" or "postgresql"


def database_member() -> str:
    return {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[vendor()]


def applied_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def known_migrations() -> set[str]:
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    return {f"{app}.{name}" for app, name in MigrationLoader(connection, ignore_no_migrations=True).disk_migrations}


def _pg_tool(name: str) -> str:
    """pg_dump/pg_restore of the server's major version (Debian keeps one per version)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} (PostgreSQL {major}) is not installed")
    return found


def _pg_args() -> tuple[list[str], dict[str, str]]:
    from django.db import connection

    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def snapshot_database(target: Path) -> None:
    """Write a consistent snapshot of the database to ``target``."""
    from django.db import connection

    if vendor() == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent state even while other processes write.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return
    args, env = _pg_args()
    done = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--file", str(target), *args],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")


def database_is_empty() -> bool:
    from django.db import connection

    return not connection.introspection.table_names()


def load_database(snapshot: Path) -> None:
    from django.db import connection

    if vendor() == "sqlite":
        name = connection.settings_dict["NAME"]
        connection.close()
        source = sqlite3.connect(snapshot)
        try:
            target = sqlite3.connect(name)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        return
    args, env = _pg_args()
    connection.close()
    done = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error", *args,
                           str(snapshot)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


# ------------------------------------------------------------------------ the data folder


def data_files(folder: Path, skip: set[Path]) -> list[Path]:
    """Files of the data folder that belong in a backup, sorted (relative paths)."""
    found = []
    for root, dirs, files in os.walk(folder):
        rel_root = Path(root).relative_to(folder)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in EXCLUDED_TOP]
        dirs.sort()
        for name in files:
            path = Path(root) / name
            if path.resolve() in skip or name.endswith(EXCLUDED_SUFFIXES) or name.startswith(".readyz-"):
                continue
            if path.is_file() and not path.is_symlink():
                found.append(rel_root / name)
    return sorted(found)


class _HashingReader(io.RawIOBase):
    """Hashes what tarfile reads, so the checksum is of the very bytes archived."""

    def __init__(self, raw):
        self.raw, self.digest = raw, hashlib.sha256()

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True


def _add(tar: tarfile.TarFile, path: Path, name: str) -> str:
    with path.open("rb") as fh:
        info = tar.gettarinfo(fileobj=fh, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(fh)
        tar.addfile(info, io.BufferedReader(reader, CHUNK))
        return reader.digest.hexdigest()


# ------------------------------------------------------------------------ backup


def create_backup(archive: Path) -> Manifest:
    """Write the archive atomically (a partial file renamed when complete)."""
    from django.conf import settings
    from django.db import connection

    archive = archive.resolve()
    archive.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(settings.DATA_DIR).resolve()
    skip = {archive}
    if vendor() == "sqlite" and connection.settings_dict["NAME"] not in ("", ":memory:"):
        db_file = Path(connection.settings_dict["NAME"]).resolve()
        skip |= {db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm"), Path(f"{db_file}-journal")}
    manifest = Manifest(vendor=vendor(), isoc_version=_isoc_version("isoc"), migrations=applied_migrations(),
                        created_at=datetime.now(UTC).isoformat(timespec="seconds"))
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".isoc-backup-") as staging:
        snapshot = Path(staging) / database_member()
        snapshot_database(snapshot)
        partial = Path(staging) / "archive.partial"
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            manifest.members[database_member()] = _add(tar, snapshot, database_member())
            for rel in data_files(folder, skip):
                name = DATA_PREFIX + rel.as_posix()
                try:
                    manifest.members[name] = _add(tar, folder / rel, name)
                except FileNotFoundError:  # removed while we walked: it is not part of the snapshot
                    continue
            info = tarfile.TarInfo(MANIFEST)
            body = manifest.to_json()
            info.size, info.mtime = len(body), int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(body))
        os.replace(partial, archive)
    return manifest


def _isoc_version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


# ------------------------------------------------------------------------ restore


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name not in ("", ".")


def read_verified(archive: Path) -> Manifest:
    """The archive's manifest, after checking every member against it (nothing written)."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            names = [m.name for m in members]
            if MANIFEST not in names:
                raise BackupError(f"{archive}: not an isoc backup (no {MANIFEST})")
            manifest = Manifest.from_json(tar.extractfile(MANIFEST).read())
            for member in members:
                if member.name == MANIFEST:
                    continue
                if not member.isfile() or not _safe_member(member.name):
                    raise BackupError(f"{archive}: unexpected member {member.name!r} (not a plain file inside the archive)")
                expected = manifest.members.get(member.name)
                if expected is None:
                    raise BackupError(f"{archive}: member {member.name!r} is not in the manifest")
                digest = hashlib.sha256()
                reader = tar.extractfile(member)
                while chunk := reader.read(CHUNK):
                    digest.update(chunk)
                if digest.hexdigest() != expected:
                    raise BackupError(f"{archive}: checksum mismatch for {member.name!r}: the archive is damaged or was altered")
            missing = set(manifest.members) - set(names)
            if missing:
                raise BackupError(f"{archive}: members missing: {', '.join(sorted(missing))}")
            if len(names) != len(set(names)):
                raise BackupError(f"{archive}: a member appears twice")
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, BackupError):
            raise
        raise BackupError(f"{archive}: not a readable archive ({exc})") from exc
    return manifest


def _check_target(manifest: Manifest, force: bool) -> None:
    from django.conf import settings

    if manifest.vendor != vendor():
        raise BackupError(f"the archive holds a {manifest.vendor} database; this site uses {vendor()}")
    database = [m for m in manifest.members if not m.startswith(DATA_PREFIX)]
    if database != [database_member()]:
        raise BackupError(f"the archive's database member is {database}, expected {database_member()!r}")
    unknown = set(manifest.migrations) - known_migrations()
    if unknown and not force:
        raise BackupError(f"the archive comes from a newer isoc ({len(unknown)} migrations this version does not "
                          f"know, e.g. {sorted(unknown)[0]}); upgrade isoc first")
    if force:
        return
    if not database_is_empty():
        raise BackupError("the database is not empty; restore onto a fresh database, or pass --force to replace it")
    folder = Path(settings.DATA_DIR)
    present = [p for p in data_files(folder, set()) if p.as_posix() not in FRESH_SITE_FILES
               and not p.name.startswith("isoc.sqlite3")]
    if present:
        raise BackupError(f"the data folder {folder} is not empty ({present[0]} …); restore onto a fresh one, "
                          "or pass --force to overwrite")


@dataclass
class RestoreReport:
    manifest: Manifest
    files: int


def restore_backup(archive: Path, *, force: bool = False) -> RestoreReport:
    from django.conf import settings

    archive = archive.resolve()
    manifest = read_verified(archive)
    _check_target(manifest, force)
    folder = Path(settings.DATA_DIR).resolve()
    staging_root = folder / "tmp"
    staging_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging_root, prefix="restore-") as staging:
        staging = Path(staging)
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:  # in archive order: seeking back in a gzip stream decompresses it again
                expected = manifest.members.get(member.name)
                if expected is None:
                    continue
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with tar.extractfile(member) as src, target.open("wb") as out:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                target.chmod(member.mode & 0o777)  # as backed up (secret_key stays 0600)
                if digest.hexdigest() != expected:  # the file changed since it was checked
                    raise BackupError(f"{archive}: {member.name!r} changed while restoring; nothing was restored")
        if not all((staging / name).is_file() for name in manifest.members):
            raise BackupError(f"{archive}: changed while restoring; nothing was restored")
        load_database(staging / database_member())
        files = 0
        for name in manifest.members:
            if name.startswith(DATA_PREFIX):
                target = folder / name[len(DATA_PREFIX):]
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / name, target)
                files += 1
    return RestoreReport(manifest=manifest, files=files)
