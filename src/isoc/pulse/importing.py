"""The importer framework: how a file of third-party data becomes stored facts with
provenance. Other apps add importers; the CLI (``isoc import NAME FILE…``), the Celery
task ``isoc.pulse.tasks.run_import`` and tests all run them through ``import_file``.

Writing an importer (the whole API; keep to it)::

    from isoc.pulse.importing import Importer, MalformedFile, Parsed, Skip, SourceInfo, register_importer

    @register_importer("keepiton")
    class KeepItOnImporter(Importer):
        version = "1"                      # bump when parsing or storing changes
        source = SourceInfo(slug="access-now", name="Access Now #KeepItOn STOP",
                            publisher="Access Now", licence="…", url="https://…")
        dataset_kind = "events"            # a Dataset.Kind value

        def dataset_slug(self, path) -> str:        # one Dataset per file (default: name + file stem)
            ...
        def dataset_title(self, path, parsed) -> str:   # optional
            ...
        def parse(self, path) -> Parsed:   # pure: no database. Bad file → raise MalformedFile
            return Parsed(rows=[...], skipped=[Skip(row=12, field="country", reason="unknown country 'Xy'")])
        def apply(self, dataset, rows) -> int:      # inside one transaction; return rows stored
            ...

- ``parse`` reads the whole file and returns the good rows (any type the importer likes)
  and, for each row it could not use, a ``Skip`` saying why. A file it cannot read at all
  (wrong header, garbled or truncated row) raises ``MalformedFile(path, row, field,
  message)``: nothing is stored and the run is recorded as *rejected*.
- ``apply`` stores ``rows`` for ``dataset`` (which already carries the provenance: source,
  origin, retrieval time, sha256, importer and version) and returns how many it stored.
  It runs inside one transaction with the Dataset update and the ImportRun, so a failure
  stores nothing. It may raise ``MalformedFile`` too. The file is the whole dataset:
  replace what the dataset held before.
- Options from the command line (``--option key=value``) arrive as keyword arguments to
  the constructor, available as ``self.options``.
- Idempotence is the framework's: a file whose sha256 equals the one the same importer
  (same name and version) last applied to the dataset is not applied again; the run is
  recorded with outcome *unchanged*.
- Registration: put importers in ``<app>/importers.py``; ``discover()`` imports those
  modules for every installed app (as the admin does with ``admin.py``).

Everything above the "Running" section is free of Django; ``import_file`` and
``discover`` need a configured Django.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

SKIPPED_KEPT = 1000  # skipped rows listed in an ImportRun's report (all are counted)


class MalformedFile(ValueError):
    """A file that cannot be imported at all; names the file, the row and the field."""

    def __init__(self, path: str | Path, row: int | None, field: str | None, message: str):
        self.path, self.row, self.field, self.message = str(path), row, field, message
        where = Path(self.path).name + (f", row {row}" if row is not None else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.path, "row": self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Skip:
    """A row the importer did not use, and why. ``row`` is the 1-based line or row number."""

    row: int
    reason: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}

    def __str__(self) -> str:
        return f"row {self.row}" + (f" ({self.field})" if self.field else "") + f": {self.reason}"


@dataclass
class Parsed:
    rows: list[Any]
    skipped: list[Skip] = field(default_factory=list)
    rows_read: int | None = None  # default: len(rows) + len(skipped)
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. "title", "description", "retrieved_at", "report" (extra keys for the ImportRun report)

    @property
    def read(self) -> int:
        return self.rows_read if self.rows_read is not None else len(self.rows) + len(self.skipped)


@dataclass(frozen=True)
class SourceInfo:
    """Defaults for the DataSource an importer's datasets come from (created if missing)."""

    slug: str
    name: str
    publisher: str
    licence: str
    url: str = ""
    description: str = ""


class Importer(ABC):
    """Base class; see the module docstring."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    source: ClassVar[SourceInfo]
    dataset_kind: ClassVar[str] = "events"
    description: ClassVar[str] = ""

    def __init__(self, **options: str):
        self.options = options

    def dataset_slug(self, path: Path) -> str:
        stem = "".join(ch if ch.isalnum() else "-" for ch in path.stem.lower()).strip("-")
        return f"{self.name}-{stem}"[:120]

    def dataset_title(self, path: Path, parsed: Parsed) -> str:
        return parsed.meta.get("title") or f"{self.source.name}: {path.name}"

    def origin(self, path: Path) -> str:
        return path.name

    @abstractmethod
    def parse(self, path: Path) -> Parsed:
        """Read the file: good rows, and skipped rows with reasons; raise MalformedFile."""

    @abstractmethod
    def apply(self, dataset: Any, rows: list[Any]) -> int:
        """Store the rows for ``dataset`` (inside the run's transaction); the count stored."""


_REGISTRY: dict[str, type[Importer]] = {}


def register_importer(name: str) -> Callable[[type[Importer]], type[Importer]]:
    """Class decorator: make an importer available as ``isoc import NAME``."""

    def decorate(cls: type[Importer]) -> type[Importer]:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise ValueError(f"two importers named {name!r}: {existing.__module__} and {cls.__module__}")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def registered() -> dict[str, type[Importer]]:
    """Name → importer class, sorted by name."""
    return dict(sorted(_REGISTRY.items()))


def get_importer(name: str, **options: str) -> Importer:
    try:
        cls = _REGISTRY[name]
    except KeyError:
        known = ", ".join(registered()) or "none"
        raise KeyError(f"no importer named {name!r} (known: {known})") from None
    return cls(**options)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class ImportResult:
    """What one run did to one file."""

    importer: str
    path: str
    outcome: str  # an ImportRun.Outcome value
    sha256: str = ""
    dataset_slug: str = ""
    rows_read: int = 0
    rows_stored: int = 0
    skipped: list[Skip] = field(default_factory=list)
    error: MalformedFile | None = None
    run_id: int | None = None

    def summary(self) -> str:
        name = Path(self.path).name
        if self.error is not None:
            return f"{name}: rejected, nothing stored — {self.error}"
        if self.outcome == "unchanged":
            return f"{name}: unchanged (same file as last applied to {self.dataset_slug})"
        verb = "would store" if self.outcome == "dry-run" else "stored"
        return (f"{name}: {self.outcome}, {self.rows_read} rows read, {verb} {self.rows_stored}, "
                f"skipped {len(self.skipped)} → dataset {self.dataset_slug}")


# --- Running (needs Django) ------------------------------------------------------------


def discover() -> dict[str, type[Importer]]:
    """Import ``importers`` modules of every installed app, registering their importers."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("importers")
    return registered()


def _report(path: Path, skipped: Iterable[Skip], error: MalformedFile | None = None, **extra: Any) -> dict:
    skipped = list(skipped)
    report: dict[str, Any] = {"file": str(path), "skipped_count": len(skipped),
                              "skipped": [s.as_dict() for s in skipped[:SKIPPED_KEPT]], **extra}
    if error is not None:
        report["error"] = error.as_dict()
    return report


def import_file(importer: Importer | str, path: str | Path, *, dry_run: bool = False, actor: Any = None,
                now: datetime | None = None) -> ImportResult:
    """Run one importer on one file: parse, then (unless unchanged or a dry run) store it
    in one transaction with its provenance; always record an ImportRun. A malformed file
    gives a result with ``outcome == "rejected"`` and ``error`` set, and stores no data."""
    from django.db import transaction
    from django.utils import timezone

    from isoc.pulse.models import Dataset, DataSource, ImportRun
    from isoc.site.ops.files import DataFolderError

    if isinstance(importer, str):
        discover()
        importer = get_importer(importer)
    path = Path(path)
    started = now or timezone.now()
    result = ImportResult(importer=importer.name, path=str(path), outcome=ImportRun.Outcome.REJECTED)

    def record(dataset: Dataset | None, report: dict) -> ImportRun:
        run = ImportRun.objects.create(
            dataset=dataset, importer=importer.name, importer_version=importer.version,
            origin=importer.origin(path), sha256=result.sha256, started_at=started, finished_at=timezone.now(),
            outcome=result.outcome, rows_read=result.rows_read, rows_stored=result.rows_stored,
            rows_skipped=len(result.skipped), report=report, actor=actor)
        result.run_id = run.pk
        return run

    try:
        result.sha256 = sha256_of(path)
        slug = importer.dataset_slug(path)
        result.dataset_slug = slug
        existing = Dataset.objects.filter(slug=slug).first()
        if (existing is not None and existing.sha256 == result.sha256 and existing.importer == importer.name
                and existing.importer_version == importer.version):
            result.outcome = ImportRun.Outcome.UNCHANGED
            record(existing, _report(path, []))
            return result
        parsed = importer.parse(path)
        result.rows_read, result.skipped = parsed.read, list(parsed.skipped)
        if dry_run:
            result.outcome = ImportRun.Outcome.DRY_RUN
            result.rows_stored = len(parsed.rows)
            record(existing, _report(path, parsed.skipped, **parsed.meta.get("report", {})))
            return result
        with transaction.atomic():
            # Checked again under the dataset's row lock: the same file may be imported by two
            # workers at once (a redelivered task, a retry) and must be applied only once.
            current = Dataset.objects.select_for_update().filter(slug=slug).first()
            if (current is not None and current.sha256 == result.sha256 and current.importer == importer.name
                    and current.importer_version == importer.version):
                result.outcome, result.rows_read, result.skipped = ImportRun.Outcome.UNCHANGED, 0, []
                record(current, _report(path, []))
                return result
            src = importer.source
            source, _ = DataSource.objects.get_or_create(slug=src.slug, defaults={
                "name": src.name, "publisher": src.publisher, "licence": src.licence, "url": src.url,
                "description": src.description})
            dataset, _ = Dataset.objects.update_or_create(slug=slug, defaults={
                "source": source, "title": importer.dataset_title(path, parsed)[:300],
                "kind": importer.dataset_kind, "description": parsed.meta.get("description", importer.description),
                "origin": importer.origin(path)[:500], "retrieved_at": parsed.meta.get("retrieved_at", started),
                "sha256": result.sha256, "importer": importer.name, "importer_version": importer.version})
            result.rows_stored = importer.apply(dataset, parsed.rows)
            result.outcome = ImportRun.Outcome.APPLIED
            record(dataset, _report(path, parsed.skipped, **parsed.meta.get("report", {})))
        return result
    except MalformedFile as exc:
        result.error = exc
    except DataFolderError as exc:  # the data folder is full or read-only: the transaction is rolled back
        result.error = MalformedFile(path, None, None, str(exc))
    except (OSError, UnicodeDecodeError) as exc:
        result.error = MalformedFile(path, None, None, f"cannot read the file: {exc}")
    result.outcome = ImportRun.Outcome.REJECTED
    result.rows_stored = 0
    record(None, _report(path, result.skipped, result.error))
    return result
