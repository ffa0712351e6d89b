"""Celery tasks of the enablers app: a domain scan in batches, one task per batch.

``isoc enablers scan`` with a job broker splits the domain list into batches; each batch
task measures its domains into a hidden staging folder of its own inside ``--out`` (so that
two workers never number files in the same place), then moves each finished file into
``--out`` under a name unique to the batch and records it (``services.record_scan``).

A batch task may run again (a worker killed mid-batch, a retry) and ends in the same
state: the domains already in ``--out`` or in its staging folder are not measured again,
files move whole (``os.replace``), and recording a file already recorded changes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import shared_task
from django.db import IntegrityError


def config_to_dict(config) -> dict:
    """A ScanConfig as JSON for the task message (paths as ``shared_path``)."""
    from isoc.site.celery import shared_path

    return {"resolvers": [[r.host, r.port] for r in config.resolvers],
            "ca_bundle": shared_path(config.ca_bundle) if config.ca_bundle else None,
            "concurrency": config.concurrency, "timeout": config.timeout, "retries": config.retries,
            "domain_deadline": config.domain_deadline, "dkim_selectors": list(config.dkim_selectors)}


def config_from_dict(data: dict):
    from isoc.enablers.config import Resolver, ScanConfig
    from isoc.site.celery import local_path

    return ScanConfig(resolvers=tuple(Resolver(h, p) for h, p in data["resolvers"]),
                      ca_bundle=local_path(data["ca_bundle"]) if data["ca_bundle"] else None,
                      concurrency=data["concurrency"], timeout=data["timeout"], retries=data["retries"],
                      domain_deadline=data["domain_deadline"], dkim_selectors=tuple(data["dkim_selectors"]))


# Two batches recording the first files of one scan at once may both try to create the
# scan: the loser's transaction fails whole and the task simply runs again.
@shared_task(name="isoc.enablers.tasks.scan_batch", autoretry_for=(IntegrityError,), max_retries=3,
             retry_backoff=1)
def scan_batch(domains: list[str], out: str, scan: str, batch: int, config: dict, record: bool = True) -> dict:
    """Measure ``domains`` as batch ``batch`` of scan ``scan`` into the folder ``out``."""
    from isoc.enablers.scanner import measured_domains
    from isoc.enablers.scanner import scan as run_scan
    from isoc.site.celery import local_path

    out_dir = local_path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / f".{scan}-b{batch:05d}"
    done = measured_domains(out_dir)
    summary = run_scan([d for d in domains if d not in done], staging, config_from_dict(config), scan=scan)
    moved = []
    for n, path in enumerate(sorted(staging.glob("*.parquet"))):
        final = out_dir / f"{scan}-b{batch:05d}-{n:03d}.parquet"
        os.replace(path, final)
        moved.append(final)
    files = sorted(out_dir.glob(f"{scan}-b{batch:05d}-*.parquet"))
    recorded = _record(files) if record else []
    return {"batch": batch, "domains": len(domains), "measured": summary.measured, "skipped": len(domains) - summary.measured,
            "failed": summary.failed, "unresolved": summary.unresolved, "files": [str(f) for f in files],
            "recorded": recorded}


def _record(files: list[Path]) -> list[str]:
    from isoc.enablers import services

    hosting = services.hosting_map()
    return [str(services.record_scan(path, hosting=hosting).file.path) for path in files]
