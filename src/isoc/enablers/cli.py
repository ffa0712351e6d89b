"""``isoc enablers …``: scan domains for the enabling technologies and email security.

- ``isoc enablers scan DOMAINS_FILE --out DIR`` measures every domain of a list (plain, or
  the ``rank,domain`` CSV of Umbrella/Tranco) into Parquet files under DIR, resumably, and
  stores the scan in the database when the enablers app is installed.
- ``isoc enablers record FILE…`` stores scan files written earlier (or elsewhere).
- ``isoc enablers aggregate`` recomputes the adoption figures (``--relocate``: with newer routing data).
- ``isoc enablers import-ipv6 --source apnic|google FILE`` imports a third-party IPv6 series.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(help="Enabling technologies: scan domains for IPv6, HTTPS, TLS, HTTP/3, DNSSEC and email security.",
                  no_args_is_help=True)
console = Console(stderr=True)


def parse_resolver(text: str):
    """``HOST``, ``HOST:PORT``, ``[IPv6]:PORT`` or a bare IPv6 address → Resolver."""
    import ipaddress

    from isoc.enablers.config import Resolver

    text = text.strip()
    host, port = text, 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise typer.BadParameter(f"{text!r}: expected [IPv6]:PORT")
            port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    try:
        port = int(port)
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        raise typer.BadParameter(f"{text!r}: the port must be a number from 1 to 65535") from None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: the resolver must be an IP address (HOST:PORT, [IPv6]:PORT)") from None
    return Resolver(host, port)


def _record(files: list[Path]) -> None:
    """Store the scan's files in the database (``services.record_scan``: the scan, its
    per-domain summaries and adoption figures), with one hosting lookup for them all. A
    file refused is said (exit status 1); the Parquet files stay the full result."""
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.enablers import services

    hosting = services.hosting_map()
    for path in files:
        try:
            services.record_scan(path, hosting=hosting)
        except services.ScanError as exc:
            raise _error(f"{exc} (the results are in {path}; `isoc enablers record` stores them later)", 1) from exc


@app.command()
def scan(
    domains_file: Annotated[Path, typer.Argument(help="Domains, one per line, or a rank,domain CSV (Umbrella, Tranco).",
                                                 exists=True, dir_okay=False)],
    out: Annotated[Path, typer.Option("--out", help="Folder for the Parquet results (a rerun skips domains already in it).",
                                      file_okay=False)],
    resolver: Annotated[list[str] | None, typer.Option("--resolver", help="Resolver HOST:PORT; repeat for more. Default: the system's. Use a validating one for DNSSEC.")] = None,
    ca_bundle: Annotated[Path | None, typer.Option("--ca-bundle", help="PEM of the CAs certificates are checked against (default: the system store).",
                                                   exists=True, dir_okay=False)] = None,
    concurrency: Annotated[int, typer.Option(help="Domains measured at once.", min=1, max=10000)] = 64,
    timeout: Annotated[float, typer.Option(help="Seconds per probe (one DNS question, one connection).", min=0.05)] = 5.0,
    retries: Annotated[int, typer.Option(help="Extra tries of a probe that timed out or was refused.", min=0, max=10)] = 1,
    deadline: Annotated[float, typer.Option(help="Seconds a whole domain may take before it is recorded as it is.", min=0.1)] = 60.0,
    dkim_selector: Annotated[list[str] | None, typer.Option("--dkim-selector", help="DKIM selector to try; repeat for more. Default: common ones.")] = None,
    limit: Annotated[int | None, typer.Option(help="Scan only the first N domains of the list.", min=1)] = None,
    format: Annotated[str, typer.Option("--format", help="auto, plain or umbrella (rank,domain).")] = "auto",
    batch_size: Annotated[int, typer.Option(help="With a job broker: domains per worker task.", min=1)] = 500,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="With a job broker: wait for the workers (default), or print the task ids.")] = True,
) -> None:
    """Measure every domain of DOMAINS_FILE (addresses and IPv6, HTTPS and TLS, HSTS, HTTP/3,
    DNSSEC, CAA, MX, SPF, DKIM, DMARC, MTA-STS, STARTTLS) into Parquet files under --out."""
    from isoc.enablers.config import ScanConfig
    from isoc.enablers.domains import FORMATS, DomainListError, read_domains
    from isoc.enablers.scanner import scan as run_scan
    from isoc.site.cli import progress_bar

    if format not in FORMATS:
        raise typer.BadParameter(f"{format!r}: one of {', '.join(FORMATS)}", param_hint="--format")
    resolvers = tuple(parse_resolver(r) for r in resolver or ())
    try:
        domains = read_domains(domains_file, format, limit=limit)
    except DomainListError as error:
        console.print(f"[red]error:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from error
    config = ScanConfig(resolvers=resolvers, ca_bundle=ca_bundle, concurrency=concurrency, timeout=timeout,
                        retries=retries, domain_deadline=deadline)
    if dkim_selector:
        config = replace(config, dkim_selectors=tuple(dkim_selector))
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.site.celery import enqueueing

    if enqueueing():  # a job broker: batches of domains go to the workers
        from isoc.site.cli_worker import scan_on_workers

        return scan_on_workers(domains, out, config, batch_size, wait)
    with progress_bar("Scanning", len(domains)) as advance:
        def on_progress(done: int, total: int) -> None:
            advance(1, total=total)

        summary = run_scan(domains, out, config, progress=on_progress)
    report = Table(title=f"{len(domains):,} domains from {domains_file.name}",
                   caption=f"resolver {config.resolver_label}")
    report.add_column("")
    report.add_column("domains", justify="right")
    report.add_row("measured", f"{summary.measured:,}")
    report.add_row("skipped (already in the folder)", f"{summary.skipped:,}")
    report.add_row("failed (deadline or probe crash)", f"{summary.failed:,}")
    report.add_row("unresolved (NXDOMAIN, SERVFAIL, timeout)", f"{summary.unresolved:,}")
    Console().print(report)
    typer.echo(f"{summary.measured:,} domains in {summary.seconds:.1f}s ({summary.rate:.1f}/s)")
    typer.echo(f"results: {out}/ (Parquet, scan {summary.scan})")
    if summary.files:
        _record(summary.files)
        typer.echo(f"stored scan {summary.scan} ({len(summary.files)} file(s) in {out})")


def _error(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def record(
    files: Annotated[list[Path], typer.Argument(help="Parquet files of a scan (as `isoc enablers scan` writes them).")],
    rir_dir: Annotated[Path | None, typer.Option("--rir-dir", help="Folder of RIR delegation files for the hosting country (default: those imported for routing).",
                                                 exists=True, file_okay=False)] = None,
) -> None:
    """Store scan files in the database (scan, per-domain summaries, adoption figures).
    Recording a file again changes nothing; a bad file is refused whole with the reason."""
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.enablers import services

    hosting = services.hosting_map(rir_dir)
    failed = 0
    for path in files:
        try:
            rec = services.record_scan(path, hosting=hosting)
        except services.ScanError as exc:
            failed += 1
            console.print(f"[red]refused:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            continue
        verb = "recorded" if rec.created else "unchanged (already recorded)"
        typer.echo(f"{path.name}: {verb}, scan {rec.scan.identifier}, {rec.domains} domains")
    if failed:
        raise typer.Exit(1)


@app.command()
def aggregate(
    scan: Annotated[str | None, typer.Option("--scan", help="Only this scan (its identifier); default: every scan.")] = None,
    relocate: Annotated[bool, typer.Option("--relocate", help="Locate the domains' hosting again with the current routing data first.")] = False,
    rir_dir: Annotated[Path | None, typer.Option("--rir-dir", help="With --relocate: RIR delegation files to use instead of the imported ones.",
                                                 exists=True, file_okay=False)] = None,
) -> None:
    """Recompute the adoption figures (per technology, globally and per country by ccTLD and
    by hosting) from the stored per-domain summaries."""
    from isoc.site.cli import setup_django

    setup_django()
    from isoc.enablers import services
    from isoc.enablers.models import Scan

    scans = Scan.objects.order_by("started_at")
    if scan:
        scans = scans.filter(identifier=scan)
        if not scans.exists():
            raise _error(f"no scan {scan!r}")
    hosting = services.hosting_map(rir_dir) if relocate else None
    for s in scans:
        moved = services.relocate(s, hosting) if hosting is not None else None
        count = services.compute_adoption(s) if hosting is None else s.figures.count()
        typer.echo(f"{s.identifier}: {count} figures" + (f", {moved} domains relocated" if moved is not None else ""))


@app.command("import-ipv6")
def import_ipv6(
    file: Annotated[Path, typer.Argument(help="The series file (CSV or JSON).", exists=True, dir_okay=False)],
    source: Annotated[str, typer.Option("--source", help="apnic (per-economy IPv6 capable) or google (per-country IPv6 adoption).")],
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD of rows without a date column.")] = None,
    economy: Annotated[str | None, typer.Option("--economy", help="apnic: the economy (ISO code) of a one-economy time series.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and check the file, store nothing.")] = False,
) -> None:
    """Import a third-party IPv6 adoption series (APNIC or Google) as a pulse dataset with its
    provenance; a malformed file is refused whole, naming the line."""
    from isoc.site.cli import setup_django

    names = {"apnic": "apnic-ipv6", "google": "google-ipv6"}
    if source not in names:
        raise typer.BadParameter(f"{source!r}: apnic or google", param_hint="--source")
    if economy and source != "apnic":
        raise typer.BadParameter("only with --source apnic", param_hint="--economy")
    setup_django()
    from isoc.pulse.importing import discover, get_importer, import_file

    discover()
    options = {k: v for k, v in (("date", date), ("economy", economy)) if v}
    result = import_file(get_importer(names[source], **options), file, dry_run=dry_run)
    typer.echo(result.summary())
    for skip in result.skipped[:20]:
        typer.echo(f"  skipped {skip}")
    if result.error is not None:
        raise typer.Exit(1)
