"""State changes of the enablers app: record a scan's Parquet file, compute its adoption
figures, locate domains again with newer routing data, remove demo scans. Each is one
transaction; each recording leaves a pulse ImportRun (applied, unchanged or rejected), so
the history of what was recorded, and what was refused and why, is kept."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from isoc.enablers import adoption, geo
from isoc.enablers.models import AdoptionFigure, DomainSummary, Scan, ScanFile
from isoc.enablers.results import CHECKS, SCHEMA, SCHEMA_VERSION, DomainResult, from_row
from isoc.pulse.importing import sha256_of
from isoc.pulse.models import Dataset, DataSource, ImportRun

IMPORTER = "enablers-scan"
SOURCE = {"slug": "isoc-enablers", "name": "Internet Society enabling technologies measurement",
          "publisher": "Internet Society", "licence": "CC BY 4.0",
          "url": "https://pulse.internetsociety.org/",
          "description": "Domains measured by isoc's own scanner (isoc enablers scan)."}
#: Columns a file must have to be read as a scan (later schema versions add others).
REQUIRED_COLUMNS = ("domain", "scanned_at", "resolver", "scan", "a", "aaaa", "why", "errors",
                    *(column for _name, column in CHECKS))
#: Facts of a result the domain lookup shows beside the checks.
DETAIL_FIELDS = ("dns_error", "dnssec", "hsts_max_age", "hsts_include_subdomains", "hsts_preload", "tls12",
                 "tls_legacy", "cert_error", "cert_issuer", "cert_not_after", "cert_name_matches", "alt_svc_h3",
                 "caa_records", "mx", "spf", "spf_all", "dkim_selectors", "dmarc_policy", "dmarc_pct",
                 "mta_sts_mode", "security_headers")


class ScanError(ValueError):
    """A file that cannot be recorded as a scan; names the file (and the row when one is at fault)."""

    def __init__(self, path: str | Path, message: str, row: int | None = None):
        self.path, self.message, self.row = str(path), message, row
        super().__init__(f"{Path(self.path).name}" + (f", row {row}" if row is not None else "") + f": {message}")


@dataclass
class Recorded:
    scan: Scan
    file: ScanFile
    created: bool  # False: the same file was recorded before and nothing changed
    domains: int


# --- reading a file --------------------------------------------------------------------


def read_scan_file(path: Path) -> list[DomainResult]:
    """The rows of one scan file, checked: a Parquet file with the scan columns, rows of
    one scan, each with a domain and a time. Raises ScanError naming what is wrong."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        raise ScanError(path, "no such file") from None
    except (pa.ArrowException, OSError) as exc:
        raise ScanError(path, f"not a readable Parquet file ({exc})") from None
    version = (table.schema.metadata or {}).get(b"isoc.enablers.schema_version")
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise ScanError(path, "not an enablers scan file: missing column(s) " + ", ".join(missing))
    try:
        if version is not None and int(version) > SCHEMA_VERSION:
            raise ScanError(path, f"written with row layout {int(version)}, newer than this version of isoc ({SCHEMA_VERSION})")
    except ValueError:
        raise ScanError(path, f"bad schema version {version!r}") from None
    for name in table.column_names:
        if name in SCHEMA.names and not table.schema.field(name).type.equals(SCHEMA.field(name).type):
            try:
                table = table.set_column(table.column_names.index(name), name,
                                         table[name].cast(SCHEMA.field(name).type))
            except (pa.ArrowException, ValueError):
                raise ScanError(path, f"column {name!r} has type {table.schema.field(name).type}, "
                                      f"expected {SCHEMA.field(name).type}") from None
    if table.num_rows == 0:
        raise ScanError(path, "the file holds no rows")
    results: list[DomainResult] = []
    scans: set[str] = set()
    for number, row in enumerate(table.to_pylist(), start=1):
        try:
            result = from_row(row)
        except (json.JSONDecodeError, TypeError) as exc:
            raise ScanError(path, f"unreadable why/errors ({exc})", number) from None
        if not isinstance(result.why, dict) or not isinstance(result.errors, dict):
            raise ScanError(path, "why and errors must be JSON objects", number)
        if not (result.domain or "").strip():
            raise ScanError(path, "no domain", number)
        if result.scanned_at is None:
            raise ScanError(path, f"{result.domain}: no scan time", number)
        if not result.scan:
            raise ScanError(path, f"{result.domain}: no scan identifier", number)
        scans.add(result.scan)
        results.append(result)
    if len(scans) > 1:
        raise ScanError(path, "rows of several scans in one file: " + ", ".join(sorted(scans)))
    domains = [r.domain.lower().rstrip(".") for r in results]
    if len(set(domains)) != len(domains):
        twice = sorted({d for d in domains if domains.count(d) > 1})
        raise ScanError(path, "a domain appears twice: " + ", ".join(twice[:5]))
    return results


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def summary_of(result: DomainResult, hosting_map: geo.HostingMap | None) -> DomainSummary:
    """The database row for one result (unsaved), located by ccTLD and by hosting."""
    domain = result.domain.lower().rstrip(".")
    hosting = hosting_map.locate_domain(result.a, result.aaaa) if hosting_map is not None else None
    return DomainSummary(
        domain=domain,
        scanned_at=result.scanned_at,
        checks={name: getattr(result, column) for name, column in CHECKS},
        why=dict(result.why), errors=dict(result.errors),
        details={name: _plain(getattr(result, name)) for name in DETAIL_FIELDS},
        addresses_v4=list(result.a), addresses_v6=list(result.aaaa),
        cctld_country=geo.country_by_cctld(domain) or "",
        hosting_address=hosting.address if hosting else "",
        hosting_asn=hosting.asn if hosting else None,
        hosting_prefix=(hosting.prefix or "") if hosting else "",
        hosting_country=(hosting.country or "") if hosting else "",
        hosting_method=hosting.method if hosting else "",
    )


# --- where domains are hosted ----------------------------------------------------------


def hosting_map(rir_dir: str | Path | None = None) -> geo.HostingMap:
    """The hosting lookup from the routing app's data: the latest BGP routes snapshot
    (prefix → origin AS), the networks' countries, and the imported RIR delegations (or
    those in ``rir_dir`` when given)."""
    from isoc.routing import queries, store

    routes = geo.RouteTable()
    snapshot = queries.latest_routes()
    if snapshot is not None:
        table = store.read_table(snapshot.dataset, "routes", ["prefix", "origin_asn"])
        if table is not None:
            routes = geo.RouteTable.from_routes(zip(table["prefix"].to_pylist(), table["origin_asn"].to_pylist(), strict=True))
    delegations = geo.load_rir_directory(rir_dir) if rir_dir else store.delegations()
    return geo.HostingMap(routes=routes, asn_countries=store.asn_countries(), delegations=delegations)


# --- recording -------------------------------------------------------------------------


def _stored_path(path: Path) -> str:
    path = path.resolve()
    try:
        return str(path.relative_to(Path(settings.DATA_DIR).resolve()))
    except ValueError:
        return str(path)


def _scan_dataset(identifier: str, origin: str, is_demo: bool, now: datetime) -> Dataset:
    source, _ = DataSource.objects.get_or_create(slug=SOURCE["slug"], defaults={k: v for k, v in SOURCE.items() if k != "slug"})
    slug = f"enablers-{slugify(identifier)}"[:120]
    kind = Dataset.Kind.DEMO if is_demo else Dataset.Kind.INDICATOR
    dataset, _ = Dataset.objects.get_or_create(slug=slug, defaults={
        "source": source, "title": f"isoc measurement, scan {identifier}" + (" (demo)" if is_demo else ""),
        "kind": kind, "description": "Per-domain results of one scan by isoc's enabling technologies scanner.",
        "origin": origin[:500], "retrieved_at": now, "importer": IMPORTER, "importer_version": str(SCHEMA_VERSION),
        "is_demo": is_demo})
    return dataset


def _run(path: Path, outcome: str, sha: str, rows: int, stored: int, dataset=None, report=None, now=None) -> None:
    ImportRun.objects.create(dataset=dataset, importer=IMPORTER, importer_version=str(SCHEMA_VERSION),
                             origin=path.name[:500], sha256=sha, started_at=now or timezone.now(),
                             finished_at=timezone.now(), outcome=outcome, rows_read=rows, rows_stored=stored,
                             report=report or {"file": str(path)})


def record_scan(path: str | Path, *, is_demo: bool = False, hosting: geo.HostingMap | None = None,
                now: datetime | None = None) -> Recorded:
    """Store one Parquet file of a scan: the scan (created on its first file), the file,
    one summary per domain located by ccTLD and hosting, and the scan's adoption figures
    recomputed. Recording the same file again changes nothing (``created`` False). A file
    that cannot be read as a scan raises ScanError and stores nothing (its rejection is
    recorded as an ImportRun)."""
    path = Path(path)
    now = now or timezone.now()
    sha = ""
    try:
        sha = sha256_of(path)
    except OSError:
        pass
    try:
        results = read_scan_file(path)
    except ScanError as exc:
        _run(path, ImportRun.Outcome.REJECTED, sha, 0, 0, report={"file": str(path), "error": exc.message, "row": exc.row}, now=now)
        raise
    try:
        return _store(path, results, sha, is_demo, hosting, now)
    except ScanError as exc:
        _run(path, ImportRun.Outcome.REJECTED, sha, len(results), 0, report={"file": str(path), "error": exc.message}, now=now)
        raise


def _store(path: Path, results: list[DomainResult], sha: str, is_demo: bool, hosting: geo.HostingMap | None,
           now: datetime) -> Recorded:
    stored_path = _stored_path(path)
    identifier = results[0].scan
    with transaction.atomic():
        existing = ScanFile.objects.select_related("scan").filter(path=stored_path).first()
        same = existing if existing is not None and existing.sha256 == sha else (
            ScanFile.objects.select_related("scan").filter(scan__identifier=identifier, sha256=sha).first())
        if same is not None:
            _run(path, ImportRun.Outcome.UNCHANGED, sha, len(results), 0, same.scan.dataset, now=now)
            return Recorded(same.scan, same, False, len(results))
        scan = Scan.objects.select_for_update().filter(identifier=identifier).first()
        if scan is not None and scan.is_demo != is_demo:
            raise ScanError(path, f"scan {identifier} is already recorded as {'demo' if scan.is_demo else 'real'} data")
        if scan is None:
            times = [r.scanned_at for r in results]
            dataset = _scan_dataset(identifier, str(path.parent), is_demo, now)
            scan = Scan.objects.create(identifier=identifier, resolver=results[0].resolver[:300], started_at=min(times),
                                       finished_at=max(times), dataset=dataset, recorded_at=now, is_demo=is_demo)
        if existing is not None:  # the file at this path changed: its domains are replaced
            existing.delete()
        taken = set(scan.summaries.filter(domain__in=[r.domain.lower().rstrip(".") for r in results])
                    .values_list("domain", flat=True))
        if taken:
            raise ScanError(path, f"scan {identifier} already has results for {', '.join(sorted(taken)[:5])} from another file")
        scan_file = ScanFile.objects.create(scan=scan, path=stored_path, sha256=sha, rows=len(results),
                                            schema_version=SCHEMA_VERSION, recorded_at=now)
        located = hosting if hosting is not None else hosting_map()
        summaries = [summary_of(r, located) for r in results]
        for s in summaries:
            s.scan, s.file = scan, scan_file
        DomainSummary.objects.bulk_create(summaries, batch_size=1000)
        _refresh_scan(scan)
        compute_adoption(scan)
        _run(path, ImportRun.Outcome.APPLIED, sha, len(results), len(results), scan.dataset, now=now)
        return Recorded(scan, scan_file, True, len(results))


def _refresh_scan(scan: Scan) -> None:
    from django.db.models import Count, Max, Min

    agg = scan.summaries.aggregate(n=Count("id"), first=Min("scanned_at"), last=Max("scanned_at"))
    scan.domains = agg["n"]
    scan.started_at, scan.finished_at = agg["first"] or scan.started_at, agg["last"] or scan.finished_at
    scan.save(update_fields=["domains", "started_at", "finished_at"])
    Dataset.objects.filter(pk=scan.dataset_id).update(
        description=f"Per-domain results of one scan by isoc's enabling technologies scanner: {scan.domains} domains.")


@transaction.atomic
def compute_adoption(scan: Scan) -> int:
    """Replace the scan's adoption figures with ones computed from its summaries; the count."""
    rows = scan.summaries.values_list("checks", "cctld_country", "hosting_country")
    figures = adoption.figures(adoption.DomainChecks(checks, cc or "", hc or "") for checks, cc, hc in rows.iterator())
    scan.figures.all().delete()
    now = timezone.now()
    AdoptionFigure.objects.bulk_create([
        AdoptionFigure(scan=scan, technology=f.technology, method=f.method, country=f.country, measured=f.measured,
                       adopted=f.adopted, not_measured=f.not_measured, computed_at=now) for f in figures], batch_size=2000)
    return len(figures)


@transaction.atomic
def relocate(scan: Scan, hosting: geo.HostingMap) -> int:
    """Locate the scan's domains again (newer routing or registry data) and recompute its
    figures; the number of domains whose hosting changed."""
    changed = []
    for s in scan.summaries.select_for_update().only("addresses_v4", "addresses_v6", "hosting_address", "hosting_asn",
                                                                  "hosting_prefix", "hosting_country", "hosting_method"):
        h = hosting.locate_domain(s.addresses_v4, s.addresses_v6)
        new = (h.address if h else "", h.asn if h else None, (h.prefix or "") if h else "", (h.country or "") if h else "",
               h.method if h else "")
        if new != (s.hosting_address, s.hosting_asn, s.hosting_prefix, s.hosting_country, s.hosting_method):
            s.hosting_address, s.hosting_asn, s.hosting_prefix, s.hosting_country, s.hosting_method = new
            changed.append(s)
    DomainSummary.objects.bulk_update(changed, ["hosting_address", "hosting_asn", "hosting_prefix", "hosting_country",
                                                "hosting_method"], batch_size=1000)
    compute_adoption(scan)
    return len(changed)


@transaction.atomic
def remove_demo() -> int:
    """Delete every demo scan with its summaries, figures and dataset; how many scans."""
    scans = list(Scan.objects.filter(is_demo=True))
    datasets = [s.dataset_id for s in scans]
    for scan in scans:
        scan.delete()
    Dataset.objects.filter(pk__in=datasets).delete()
    return len(scans)
