"""`isoc backup` and `isoc restore` end to end: records made through the services in
several apps and files in the data folder → backup → restore onto a fresh site (a fresh
data folder, and on PostgreSQL a fresh database) → the same rows, the same files, and the
restored site serves pages. A damaged or foreign archive is refused and changes nothing.

The site being backed up is the test database itself (SQLite: copied to a file first, so
that the real command runs on a real file; PostgreSQL: the test database, dumped by the
real pg_dump). The restored site runs in subprocesses, as on a fresh machine.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("ops"),
              pytest.mark.timeout(600)]  # several commands started on a loaded machine

ISOC = Path(sys.executable).with_name("isoc")
DROPPED = ("DATABASE_URL", "CELERY_BROKER_URL", "ISOC_BROKER_URL", "DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR",
           "ISOC_PROMETHEUS_DEFAULT_DIR")

# Run in the restored site: every model's rows in primary-key order, and two pages served.
CHECK_SCRIPT = r"""
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isoc.site.settings")
import django
django.setup()
from django.test import Client
sys.path.insert(0, sys.argv[1])
from test_backup import canonical_dump
pages = {path: Client().get(path).status_code for path in ("/", "/events/", "/chapters/", "/readyz")}
print(json.dumps({"dump": canonical_dump(), "pages": pages}))
"""


def canonical_dump() -> dict:
    """Every table of every model, rows as JSON-able lists in primary-key order."""
    from django.apps import apps

    dump = {}
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.db_table):
        if model._meta.proxy or not model._meta.managed:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        dump[model._meta.db_table] = json.loads(json.dumps([list(r) for r in rows], default=str))
    return dump


def _env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update({"ISOC_DATA_DIR": str(data_dir), "ISOC_ALLOWED_HOSTS": "testserver", "ISOC_DEBUG": "1"})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _isoc(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(ISOC), *args], env=env, capture_output=True, text=True, timeout=300)


def _check(env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", CHECK_SCRIPT, str(Path(__file__).parent)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _files(folder: Path) -> dict[str, bytes]:
    from isoc.site.ops.backup import data_files

    return {p.as_posix(): (folder / p).read_bytes() for p in data_files(folder, set()) if not p.name.startswith("isoc.sqlite3")}


@pytest.fixture
def site_records(person, other_person, staff):
    """A few records in several apps, each made by its service."""
    from django.utils import timezone

    from isoc.chapters import services as chapters
    from isoc.chapters.services import Community
    from isoc.events import services as events
    from isoc.events.models import Event
    from isoc.members import services as members

    members.join(person, "global")
    chapter = chapters.form_chapter(name="Backup Test Chapter", actor=staff, community=Community(country="KE"))
    chapters.join(person, chapter)
    now = timezone.now()
    event = Event.objects.create(
        slug="backup-event", title="Restore drill", time_zone="UTC", starts_at=now + timedelta(days=9),
        ends_at=now + timedelta(days=9, hours=2), capacity=1, members_open_at=now - timedelta(days=2),
        public_open_at=now - timedelta(days=1), closes_at=now + timedelta(days=8), fee=Decimal("0.00"),
        currency="USD", published=True)
    events.register(event, person, notify=False)
    events.register(event, other_person, notify=False)  # waitlisted: the event has one seat


@pytest.fixture
def source_folder(tmp_path, settings):
    folder = tmp_path / "source"
    (folder / "media" / "fellowships").mkdir(parents=True)
    (folder / "media" / "fellowships" / "cv.pdf").write_bytes(b"%PDF-1.4 a CV\n" * 100)
    (folder / "signals" / "demo").mkdir(parents=True)
    (folder / "signals" / "demo" / "bgp-KE.parquet").write_bytes(os.urandom(4096))
    (folder / "secret_key").write_text("restored-site-secret-key-" + "x" * 40)
    (folder / "tmp").mkdir()
    (folder / "tmp" / "scratch.bin").write_bytes(b"not backed up")
    (folder / "signals" / "demo" / "half.parquet.tmp").write_bytes(b"an interrupted write")
    settings.DATA_DIR = folder
    return folder


def _tamper(archive: Path, out: Path, member: str) -> None:
    """Copy the archive with one byte of ``member`` changed (the manifest left as it was)."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if info.name == member:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            import io

            dst.addfile(info, io.BytesIO(data))


def _assert_refused_and_untouched(archive: Path, env: dict, folder: Path, expect: str) -> None:
    """``folder`` is a fresh site's data folder: after the refusal it holds nothing restored
    (only what settings make for any site: the secret key, the temporary folder)."""
    done = _isoc("restore", str(archive), env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert expect in " ".join((done.stdout + done.stderr).split()), done.stderr
    left = {p.relative_to(folder).parts[0] for p in folder.rglob("*")} - {"secret_key", "tmp"}
    assert left <= {"isoc.sqlite3"}, left
    if "isoc.sqlite3" in left:
        with sqlite3.connect(folder / "isoc.sqlite3") as db:
            assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    if "DATABASE_URL" in env:
        assert "restore_" in env["DATABASE_URL"]  # the fresh database is checked by the caller


@pytest.mark.skipif("postgres" in os.environ.get("DATABASE_URL", ""), reason="the SQLite round trip; PostgreSQL below")
def test_sqlite_backup_restore_round_trip(site_records, source_folder, tmp_path):
    from django.db import connection

    # The site to back up: the test database as a file in its data folder, as a deployment has it.
    connection.ensure_connection()
    copy = sqlite3.connect(source_folder / "isoc.sqlite3")
    connection.connection.backup(copy)
    copy.close()
    expected = canonical_dump()

    archive = tmp_path / "backups" / "site.tar.gz"
    made = _isoc("backup", str(archive), env=_env(source_folder))
    assert made.returncode == 0, made.stderr
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names == {"manifest.json", "database.sqlite3", "data/secret_key", "data/media/fellowships/cv.pdf",
                     "data/signals/demo/bgp-KE.parquet"}
    assert manifest["vendor"] == "sqlite" and manifest["format"] == "isoc-backup/1"
    assert "events.0001_initial" in manifest["migrations"] and set(manifest["members"]) == names - {"manifest.json"}

    fresh = tmp_path / "fresh"
    restored = _isoc("restore", str(archive), env=_env(fresh))
    assert restored.returncode == 0, restored.stderr
    result = _check(_env(fresh))
    assert result["dump"] == expected
    assert result["dump"]["events_registration"] and result["dump"]["chapters_chapter"]
    assert result["pages"] == {"/": 200, "/events/": 200, "/chapters/": 200, "/readyz": 200}
    assert _files(fresh) == _files(source_folder)
    assert oct((fresh / "secret_key").stat().st_mode & 0o777) == oct((source_folder / "secret_key").stat().st_mode & 0o777)

    # Again onto the same (now not empty) site: refused unless --force.
    again = _isoc("restore", str(archive), env=_env(fresh))
    assert again.returncode == 1 and "not empty" in again.stderr

    # A damaged archive is refused before anything is written (the command, on a fresh site) …
    bad = tmp_path / "bad.tar.gz"
    _tamper(archive, bad, "database.sqlite3")
    _assert_refused_and_untouched(bad, _env(tmp_path / "target"), tmp_path / "target", "checksum mismatch")
    _assert_unreadable_archives_refused(archive, source_folder, tmp_path)


def _assert_unreadable_archives_refused(archive: Path, source_folder: Path, tmp_path: Path) -> None:
    """… and so is any other bad archive, by the check that runs before anything is written."""
    from isoc.site.ops.backup import BackupError, read_verified

    cases = {}
    cases["checksum mismatch"] = tmp_path / "bad-file.tar.gz"
    _tamper(archive, cases["checksum mismatch"], "data/media/fellowships/cv.pdf")
    cases["not an isoc backup"] = tmp_path / "foreign.tar.gz"
    with tarfile.open(cases["not an isoc backup"], "w:gz") as tar:
        tar.add(source_folder / "secret_key", arcname="secret_key")
    cases["not a readable archive"] = tmp_path / "truncated.tar.gz"
    cases["not a readable archive"].write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    cases["not in the manifest"] = tmp_path / "extra.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(cases["not in the manifest"], "w:gz") as dst:
        for info in src.getmembers():
            dst.addfile(info, src.extractfile(info))
        dst.add(source_folder / "secret_key", arcname="data/planted")
    cases["unexpected member"] = tmp_path / "escape.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(cases["unexpected member"], "w:gz") as dst:
        for info in src.getmembers():
            dst.addfile(info, src.extractfile(info))
        dst.add(source_folder / "secret_key", arcname="../outside")
    for reason, path in cases.items():
        with pytest.raises(BackupError, match=reason):
            read_verified(path)


@pytest.mark.skipif("postgres" not in os.environ.get("DATABASE_URL", ""), reason="needs DATABASE_URL on PostgreSQL (CI's second run)")
def test_postgresql_backup_restore_round_trip(site_records, source_folder, tmp_path):
    import psycopg
    from django.db import connection

    from isoc.site.ops.backup import create_backup

    expected = canonical_dump()
    archive = tmp_path / "site.tar.gz"
    manifest = create_backup(archive)  # pg_dump of the test database (the records are committed)
    assert manifest.vendor == "postgresql" and "database.pgdump" in manifest.members

    db = connection.settings_dict
    fresh_db = f"isoc_restore_{uuid.uuid4().hex[:10]}"
    admin = dict(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                 password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**{k: v for k, v in admin.items() if v is not None}) as conn:
        conn.execute(f'CREATE DATABASE "{fresh_db}"')
    try:
        user = f"{db['USER']}{':' + db['PASSWORD'] if db['PASSWORD'] else ''}@" if db["USER"] else ""
        url = f"postgres://{user}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{fresh_db}"
        fresh = tmp_path / "fresh"
        restored = _isoc("restore", str(archive), env=_env(fresh, url))
        assert restored.returncode == 0, restored.stderr
        result = _check(_env(fresh, url))
        assert result["dump"] == expected
        assert result["pages"] == {"/": 200, "/events/": 200, "/chapters/": 200, "/readyz": 200}
        assert _files(fresh) == _files(source_folder)
        again = _isoc("restore", str(archive), env=_env(tmp_path / "other", url))
        assert again.returncode == 1 and "database is not empty" in " ".join(again.stderr.split())
        _assert_unreadable_archives_refused(archive, source_folder, tmp_path)
    finally:
        with psycopg.connect(**{k: v for k, v in admin.items() if v is not None}) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh_db}" WITH (FORCE)')
