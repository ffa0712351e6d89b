"""Demo scans for ``make run`` and the page tests: generated, labelled demo everywhere.

Four monthly scans of the same 48 made-up domains (``demoNN.example.<tld>``: under ccTLDs
of six countries and under .com/.org), written as real scan files (``results.to_table``)
into ``<DATA_DIR>/enablers/demo/`` and recorded through ``services.record_scan``, so the
pages show what a real scan would give. Adoption grows from one month to the next. The
addresses are in the benchmarking range the routing demo announces (198.18.0.0/15) and in
the documentation ranges, so with the routing demo present most domains get a hosting
country from its routes. ``DEMO_HSTS_FAILING`` fails HSTS in every scan (the browser test
reads why). A demo IPv6 series in APNIC's layout stands beside our figures, labelled demo.
"""

from __future__ import annotations

import ipaddress
import random
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction

from isoc.enablers import services
from isoc.enablers.models import Scan, ThirdPartyAdoption
from isoc.enablers.results import DomainResult, to_table
from isoc.pulse.models import Dataset, DataSource

TLDS = ("fr", "de", "ke", "br", "in", "uk", "com", "org")
PER_TLD = 6
SCANS = 4
DEMO_HSTS_FAILING = "demo03.example.fr"
DEMO_DIR = "enablers/demo"
THIRDPARTY_SLUG = "enablers-demo-ipv6-apnic-layout"
#: The share of domains passing each check in the first demo scan, and its gain per scan.
START = {"ipv6": 0.35, "https": 0.8, "https_redirect": 0.7, "certificate": 0.75, "tls13": 0.5, "tls_legacy_off": 0.55,
         "hsts": 0.3, "http3": 0.15, "dnssec": 0.1, "caa": 0.2, "spf": 0.6, "dkim": 0.4, "dmarc": 0.25,
         "mta_sts": 0.05, "starttls": 0.7}
GAIN = 0.05


def domains() -> list[str]:
    return [f"demo{i + 1:02d}.example.{tld}" for tld in TLDS for i in range(PER_TLD)]


def _address(n: int) -> str:
    # Most in the routing demo's networks (two /22s per network from 198.18.0.0), some in
    # documentation space nobody announces (no hosting country: shown as unknown).
    if n % 8 == 7:
        return str(ipaddress.IPv4Address("203.0.113.0") + n)
    return str(ipaddress.IPv4Address("198.18.0.0") + (n % 30) * 2048 + 10)


def _result(domain: str, n: int, scan: str, at: datetime, month: int, rng: random.Random) -> DomainResult:
    r = DomainResult(domain=domain, scanned_at=at + timedelta(seconds=n * 3), resolver="demo resolver (generated)", scan=scan)
    if n % 16 == 15:  # a domain that does not resolve: nothing is measured
        r.dns_error = "NXDOMAIN"
        r.errors["dns"] = "NXDOMAIN (demo)"
        return r
    r.a = [_address(n)]

    def passes(check: str) -> bool:
        return rng.random() < START[check] + GAIN * month

    if passes("ipv6"):
        r.aaaa = [f"2001:db8:{n % 30 + 1:x}::{n + 10:x}"]
        r.ipv6_reachable = True
    else:
        r.ipv6_reachable = False
        r.why["ipv6"] = "no AAAA record"
    r.https_ok = passes("https") or domain == DEMO_HSTS_FAILING
    if not r.https_ok:
        r.why["https"] = "connection refused on port 443"
        for check in ("https_redirect", "certificate", "tls13", "tls_legacy_off", "hsts", "http3"):
            r.why[check] = "not measured: no HTTPS answer"
    else:
        r.http_redirects_to_https = passes("https_redirect")
        if not r.http_redirects_to_https:
            r.why["https_redirect"] = "http:// answers 200 without redirecting to https://"
        r.cert_valid = passes("certificate")
        r.cert_name_matches = True
        r.cert_issuer = "Demo CA"
        r.cert_not_after = at + timedelta(days=60 if r.cert_valid else -3)
        if not r.cert_valid:
            r.cert_error = "certificate has expired"
            r.why["certificate"] = f"certificate expired on {r.cert_not_after:%Y-%m-%d}"
        r.tls13 = passes("tls13")
        r.tls12 = True
        if not r.tls13:
            r.why["tls13"] = "TLS 1.3 not offered (highest: TLS 1.2)"
        r.tls_legacy_off = passes("tls_legacy_off")
        r.tls_legacy = not r.tls_legacy_off
        if r.tls_legacy:
            r.why["tls_legacy_off"] = "TLS 1.0 accepted"
        r.hsts = passes("hsts") and domain != DEMO_HSTS_FAILING
        if r.hsts:
            r.hsts_max_age, r.hsts_include_subdomains, r.hsts_preload = 31536000, True, rng.random() < 0.5
        else:
            r.why["hsts"] = "no Strict-Transport-Security header"
        r.alt_svc_h3 = r.http3 = passes("http3")
        if not r.http3:
            r.why["http3"] = "no Alt-Svc h3 advertisement"
        r.security_headers = ["content-security-policy"] if rng.random() < 0.5 else []
    r.dnssec_secure = passes("dnssec")
    r.dnssec = "secure" if r.dnssec_secure else "insecure"
    if not r.dnssec_secure:
        r.why["dnssec"] = "zone is not signed (insecure)"
    r.caa = passes("caa")
    if not r.caa:
        r.why["caa"] = "no CAA record"
    r.mx = [f"mx.{domain}"]
    r.spf_strict = passes("spf")
    r.spf, r.spf_all = ("v=spf1 mx -all", "-") if r.spf_strict else ("v=spf1 mx ?all", "?")
    if not r.spf_strict:
        r.why["spf"] = "SPF ends in ?all (neutral)"
    r.dkim = passes("dkim")
    r.dkim_selectors = ["default"] if r.dkim else []
    if not r.dkim:
        r.why["dkim"] = "no DKIM key at the selectors tried"
    r.dmarc_enforced = passes("dmarc")
    r.dmarc_policy, r.dmarc_pct = ("reject", 100) if r.dmarc_enforced else ("none", 100)
    if not r.dmarc_enforced:
        r.why["dmarc"] = "DMARC policy is p=none"
    r.mta_sts_enforce = passes("mta_sts")
    r.mta_sts_mode = "enforce" if r.mta_sts_enforce else None
    if not r.mta_sts_enforce:
        r.why["mta_sts"] = "no MTA-STS policy"
    if n % 5 == 4:
        r.errors["starttls"] = "timed out after 5.0 s (demo)"
    else:
        r.smtp_starttls = passes("starttls")
        if not r.smtp_starttls:
            r.why["starttls"] = "the MX does not offer STARTTLS"
    r.duration_ms = 400 + n * 7
    return r


def write_scans(folder: Path, *, seed: int = 2026, today: date | None = None) -> list[Path]:
    """Write the demo scan files (one per month, the latest this month); their paths."""
    today = today or datetime.now(UTC).date()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for month in range(SCANS):
        first = date(today.year, today.month, 1)
        for _ in range(SCANS - 1 - month):
            first = (first - timedelta(days=1)).replace(day=1)
        at = datetime(first.year, first.month, 2, 3, 0, tzinfo=UTC)
        identifier = f"demo-scan-{first:%Y%m}"
        rng = random.Random(f"{seed}-{month}")
        rows = [_result(d, n, identifier, at, month, random.Random(f"{seed}-{month}-{d}")) for n, d in enumerate(domains())]
        rng.shuffle(rows)
        path = folder / f"{identifier}-00000.parquet"
        pq.write_table(to_table(rows), path)
        paths.append(path)
    return paths


def _thirdparty(scans: list[Scan]) -> int:
    source, _ = DataSource.objects.get_or_create(slug="isoc-demo", defaults={
        "name": "Generated demo data", "publisher": "isoc (generated)", "licence": "none (generated)"})
    dataset, _ = Dataset.objects.update_or_create(slug=THIRDPARTY_SLUG, defaults={
        "source": source, "title": "APNIC (demo): generated IPv6 capability series in APNIC's layout",
        "kind": Dataset.Kind.DEMO, "origin": "isoc demo", "importer": "apnic-ipv6", "importer_version": "1",
        "is_demo": True, "description": "Generated values, not APNIC's: they show where an imported series appears."})
    dataset.enablers_adoption.all().delete()
    rows = []
    for i, scan in enumerate(sorted(scans, key=lambda s: s.started_at)):
        day = scan.started_at.date()
        rows.append(ThirdPartyAdoption(dataset=dataset, country="", date=day, percent=38.0 + i, preferred=36.0 + i))
        for j, cc in enumerate(("FR", "DE", "KE", "BR", "IN", "GB")):
            rows.append(ThirdPartyAdoption(dataset=dataset, country=cc, date=day, percent=20.0 + 9 * j + i, samples=1000))
    ThirdPartyAdoption.objects.bulk_create(rows)
    return len(rows)


def generate(*, reset: bool = False, seed: int = 2026) -> dict:
    """Create the demo scans (nothing when they exist, unless ``reset``)."""
    if reset:
        remove()
    if Scan.objects.filter(is_demo=True).exists():
        return {"scans": 0, "domains": 0}
    folder = Path(settings.DATA_DIR) / DEMO_DIR
    hosting = services.hosting_map()
    with transaction.atomic():
        scans = [services.record_scan(p, is_demo=True, hosting=hosting).scan for p in write_scans(folder, seed=seed)]
        _thirdparty(scans)
    return {"scans": len(scans), "domains": len(domains())}


def remove() -> int:
    """Delete the demo scans, their files and the demo series."""
    removed = services.remove_demo()
    Dataset.objects.filter(slug=THIRDPARTY_SLUG).delete()
    shutil.rmtree(Path(settings.DATA_DIR) / DEMO_DIR, ignore_errors=True)
    return removed
