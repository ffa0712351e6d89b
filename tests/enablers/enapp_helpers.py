"""Helpers of the enablers app tests: write small scan files of constructed results."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from isoc.enablers.results import CHECKS, DomainResult, to_table

AT = datetime(2026, 1, 2, 3, 0, tzinfo=UTC)


def result(domain: str, scan: str = "scan-test", *, passed=(), failed=(), a=("192.0.2.10",), why=None, errors=None,
           at: datetime = AT) -> DomainResult:
    """A result where the checks named in ``passed`` pass, those in ``failed`` fail and
    the others are not measured."""
    r = DomainResult(domain=domain, scanned_at=at, resolver="127.0.0.1:53", scan=scan, a=list(a))
    columns = dict(CHECKS)
    for name in passed:
        setattr(r, columns[name], True)
    for name in failed:
        setattr(r, columns[name], False)
    r.why = dict(why or {})
    r.errors = dict(errors or {})
    return r


def write(path: Path, results: list[DomainResult]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_table(results), path)
    return path
