"""The scanner: measure a list of domains, many at once, into Parquet files.

Django-free. For each domain: the DNS probes first (addresses, DNSSEC, CAA), then the web
probes (``isoc.enablers.probes_web``, when installed) and the email probes side by side.

- **Bounded**: at most ``config.concurrency`` domains are measured at once (a semaphore;
  domains are taken from the list only as slots free up, so a list of millions costs no
  more memory than one of thousands).
- **Never stalled**: each domain has ``config.domain_deadline`` seconds; past it the
  domain is recorded with what was measured and an error, and its slot goes to the next.
- **Resumable**: results go to ``<out>/<scan>-<n>.parquet`` in batches (each file written
  whole and then renamed into place, so an interrupted run leaves no half file); a rerun
  on the same folder skips every domain already in it.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import importlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from isoc.enablers.config import ScanConfig
from isoc.enablers.probes_dns import DnsClient, MxCache, probe_dns, probe_email
from isoc.enablers.results import DomainResult, to_table

log = logging.getLogger(__name__)

Probes = Callable[[str, DomainResult, ScanConfig], Awaitable[None]]
Progress = Callable[[int, int], None]  # (domains done in this run, domains to do in this run)

#: How long a probe that ignores cancellation may keep its slot after the deadline.
CANCEL_GRACE = 1.0


@dataclass
class ScanSummary:
    scan: str
    out_dir: Path
    measured: int = 0  # domains measured and written by this run
    skipped: int = 0  # domains already in the output folder
    failed: int = 0  # measured, but stopped by the deadline or a probe crash
    unresolved: int = 0  # measured, but DNS gave no addresses (NXDOMAIN, SERVFAIL, timeout)
    seconds: float = 0.0
    files: list[Path] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.measured / self.seconds if self.seconds else 0.0


def measured_domains(out_dir: Path) -> set[str]:
    """Domains already recorded in the Parquet files of ``out_dir``."""
    done: set[str] = set()
    for path in sorted(Path(out_dir).glob("*.parquet")):
        done.update(pq.read_table(path, columns=["domain"]).column("domain").to_pylist())
    return done


_WEB_MISSING = "web probes not measured: isoc.enablers.probes_web is not installed"


def _web_probe() -> Probes | None:
    """``probe_web`` from ``isoc.enablers.probes_web`` if that module exists."""
    try:
        module = importlib.import_module("isoc.enablers.probes_web")
    except ModuleNotFoundError as error:
        if error.name != "isoc.enablers.probes_web":
            raise  # the module exists but something it imports is missing: say so
        return None
    return getattr(module, "probe_web", None)


async def run_probes(domain: str, result: DomainResult, config: ScanConfig, *, mx_cache: MxCache | None = None) -> None:
    """Every probe for one domain: DNS, then web and email at once. ``mx_cache``: STARTTLS
    outcomes shared by the domains of one scan (see ``probes_dns.MxCache``)."""
    client = DnsClient(config)
    await probe_dns(domain, result, config, client)
    probes: dict[str, Awaitable[None]] = {"email": probe_email(domain, result, config, client, mx_cache=mx_cache)}
    web = _web_probe()
    if web is None:
        result.errors["web"] = _WEB_MISSING
    else:
        probes["web"] = web(domain, result, config)
    outcomes = await asyncio.gather(*probes.values(), return_exceptions=True)
    for name, outcome in zip(probes, outcomes, strict=True):
        if isinstance(outcome, asyncio.CancelledError):
            raise outcome
        if isinstance(outcome, BaseException):
            log.warning("%s probe of %s crashed", name, domain, exc_info=outcome)
            result.errors[name] = f"{name} probe crashed: {type(outcome).__name__}: {outcome}"


async def measure(domain: str, config: ScanConfig, *, scan: str = "", probes: Probes = run_probes) -> DomainResult:
    """One domain's result, within its deadline whatever the probes do."""
    result = DomainResult(domain=domain, scanned_at=datetime.now(UTC), resolver=config.resolver_label, scan=scan)
    started = time.monotonic()
    task = asyncio.create_task(probes(domain, result, config))
    done, _ = await asyncio.wait({task}, timeout=config.domain_deadline)
    if not done:
        task.cancel()
        await asyncio.wait({task}, timeout=CANCEL_GRACE)
        # A probe that ignores cancellation may still write to `result`: keep a copy.
        result = copy.deepcopy(result)
        result.errors["deadline"] = (f"stopped after the domain deadline of {config.domain_deadline:g}s: "
                                     "checks not finished by then are empty")
    elif task.cancelled():
        result.errors["scan"] = "measurement cancelled"
    elif (error := task.exception()) is not None:
        log.warning("probes of %s crashed", domain, exc_info=error)
        result.errors["scan"] = f"probes crashed: {type(error).__name__}: {error}"
    result.duration_ms = round((time.monotonic() - started) * 1000)
    return result


class _Writer:
    """Batches of results into ``<out>/<scan>-<n>.parquet``, each file renamed into place whole."""

    def __init__(self, out_dir: Path, scan: str, batch_size: int, flush_seconds: float):
        self.out_dir, self.scan = out_dir, scan
        self.batch_size, self.flush_seconds = batch_size, flush_seconds
        self.pending: list[DomainResult] = []
        self.files: list[Path] = []
        self.last_flush = time.monotonic()

    def add(self, result: DomainResult) -> None:
        self.pending.append(result)
        if len(self.pending) >= self.batch_size or time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        number = len(list(self.out_dir.glob(f"{self.scan}-*.parquet")))
        path = self.out_dir / f"{self.scan}-{number:05d}.parquet"
        # Hidden while written ("." prefix): readers of the folder as a dataset (pyarrow,
        # DuckDB) skip it, so a scan killed mid-write leaves nothing they would choke on.
        partial = path.with_name(f".{path.name}.partial")
        pq.write_table(to_table(batch), partial, compression="zstd")
        os.replace(partial, path)
        self.files.append(path)


def new_scan_id() -> str:
    return datetime.now(UTC).strftime("scan-%Y%m%dT%H%M%S")


async def scan_domains(domains: Iterable[str], out_dir: Path, config: ScanConfig, *, scan: str | None = None,
                       progress: Progress | None = None, probes: Probes | None = None, batch_size: int = 500,
                       flush_seconds: float = 30.0) -> ScanSummary:
    """Measure ``domains`` into Parquet files under ``out_dir``, skipping those already there.
    ``probes`` replaces the probes (tests); by default ``run_probes`` with one MX cache per scan."""
    probes = probes or functools.partial(run_probes, mx_cache={})
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = ScanSummary(scan=scan or new_scan_id(), out_dir=out_dir)
    started = time.monotonic()
    for stale in out_dir.glob(".*.parquet.partial"):  # left by a run killed while writing
        stale.unlink(missing_ok=True)
    done_before = measured_domains(out_dir)
    todo = [d for d in dict.fromkeys(domains) if d not in done_before]
    summary.skipped = sum(1 for d in dict.fromkeys(domains) if d in done_before)
    writer = _Writer(out_dir, summary.scan, batch_size, flush_seconds)
    slots = asyncio.Semaphore(max(1, config.concurrency))
    # checkdmarc's parsers look names up synchronously, in threads: enough of them that
    # those lookups wait on the resolver side by side, as the asynchronous ones do
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=min(64, max(4, config.concurrency)), thread_name_prefix="isoc-scan"))
    running: set[asyncio.Task] = set()

    async def one(domain: str) -> None:
        try:
            result = await measure(domain, config, scan=summary.scan, probes=probes)
        finally:
            slots.release()
        writer.add(result)
        summary.measured += 1
        summary.failed += bool({"deadline", "scan"} & result.errors.keys())
        summary.unresolved += result.dns_error is not None
        if progress:
            progress(summary.measured, len(todo))

    try:
        for domain in todo:
            await slots.acquire()
            task = asyncio.create_task(one(domain))
            running.add(task)
            task.add_done_callback(running.discard)
        if running:
            await asyncio.gather(*running)
    finally:
        for task in running:
            task.cancel()
        writer.flush()  # what was measured before an interruption is kept
        summary.files = writer.files
        summary.seconds = time.monotonic() - started
    return summary


def scan(domains: Iterable[str], out_dir: Path, config: ScanConfig, **options) -> ScanSummary:
    """``scan_domains`` from synchronous code (the CLI, the benchmark). Where an event loop
    already runs in this thread (a notebook; Playwright's synchronous API leaves one), the
    scan runs in a thread of its own, since ``asyncio.run`` refuses to nest."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(scan_domains(domains, out_dir, config, **options))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="isoc-scan-loop") as pool:
        return pool.submit(asyncio.run, scan_domains(domains, out_dir, config, **options)).result()
