"""Reading stored scan results (the enablers scanner's Parquet files) for an audit.
Django-free, and read-only: files are opened for reading and nothing else.

An audit keeps the list of files it scored from with each file's SHA-256, so a re-score
reads the very same rows, and refuses (naming the file) when one has changed or gone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from isoc.enablers.results import DomainResult, from_row


class ScanFilesError(ValueError):
    pass


@dataclass(frozen=True)
class ScanFile:
    path: str  # as stored: relative to the data folder when inside it, else absolute
    sha256: str
    rows: int

    def as_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "rows": self.rows}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parquet_files(folder: Path) -> list[Path]:
    """The scan files of a folder (as the scanner writes them: ``<scan>-<n>.parquet``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScanFilesError(f"{folder}: not a folder")
    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise ScanFilesError(f"{folder}: no .parquet scan files in it")
    return files


def read_latest(paths: list[Path]) -> tuple[dict[str, DomainResult], list[tuple[Path, str, int]]]:
    """The latest row per domain (by ``scanned_at``; the later file wins a tie) across
    ``paths``, and each file's (path, sha256, rows)."""
    latest: dict[str, DomainResult] = {}
    seen: list[tuple[Path, str, int]] = []
    for path in paths:
        try:
            digest = sha256(path)
            table = pq.read_table(path)
        except OSError as exc:
            raise ScanFilesError(f"{path}: cannot read ({exc})") from exc
        except Exception as exc:  # pyarrow's errors for a damaged file
            raise ScanFilesError(f"{path}: not a readable Parquet file ({exc})") from exc
        if "domain" not in table.column_names or "scanned_at" not in table.column_names:
            raise ScanFilesError(f"{path}: not a scan file (no domain/scanned_at columns)")
        for line, row in enumerate(table.to_pylist(), start=1):
            try:
                result = from_row(row)
            except (TypeError, ValueError) as exc:
                raise ScanFilesError(f"{path}: row {line}: {exc}") from exc
            domain = result.domain.strip().lower().rstrip(".")
            current = latest.get(domain)
            if current is None or result.scanned_at >= current.scanned_at:
                latest[domain] = result
        seen.append((path, digest, table.num_rows))
    return latest, seen
