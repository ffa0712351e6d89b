"""Demo Online Trust Audit for ``make run`` and the page tests: generated, marked as demo
everywhere (organizations, audits, adjustments, and "demo" in the scan files' names and
scan id), and run through the real path: scan rows written with ``results.to_table`` into
``<DATA_DIR>/trust/demo-scans/<year>/``, then ``services.run_audit`` for two years.

What it holds: 24 organizations in five sectors on reserved ``.example`` domains, plus the
first active demo organization members (matched to them by their website's domain, as a
real import would be), each with a "maturity" that sets how many practices its domain
follows and that grows from one year to the next; one breach penalty in the latest year.
"""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from isoc.enablers.results import PRIVACY_ELEMENTS, DomainResult, to_table
from isoc.trust import services
from isoc.trust.models import Adjustment, Audit, AuditedOrganization, Sector

SECTORS = ("Banking", "Retail", "Government", "News media", "Internet services")
ORGANIZATIONS = 24
MEMBER_ORGANIZATIONS = 6
SEED = 2026
DEMO_DIR = Path("trust") / "demo-scans"


def demo_years(now: datetime | None = None) -> tuple[int, int]:
    year = (now or timezone.now()).year
    return year - 1, year


def _scan_dir(year: int) -> Path:
    return Path(settings.DATA_DIR) / DEMO_DIR / str(year)


def remove() -> None:
    Audit.objects.filter(is_demo=True).delete()
    AuditedOrganization.objects.filter(is_demo=True).delete()
    Sector.objects.filter(organizations__isnull=True, slug__in=[s.lower().replace(" ", "-") for s in SECTORS]).delete()
    shutil.rmtree(Path(settings.DATA_DIR) / DEMO_DIR, ignore_errors=True)


def _row(domain: str, maturity: float, rng: random.Random, at: datetime) -> DomainResult:
    """A scan row where each practice is followed with a probability that grows with maturity."""
    def has(bar: float) -> bool:
        return rng.random() < min(1.0, maturity * 1.1 - bar)

    r = DomainResult(domain=domain, scanned_at=at, resolver="demo", scan="demo")
    r.a = ["192.0.2.10"]
    r.aaaa = ["2001:db8::10"] if has(0.3) else []
    r.ipv6_reachable = bool(r.aaaa)
    r.https_ok = has(-0.5)
    r.http_redirects_to_https = r.https_ok and has(0.0)
    r.cert_valid = r.https_ok and has(-0.3)
    r.cert_issuer = "Demo CA" if r.https_ok else None
    r.cert_not_after = at + timedelta(days=60) if r.https_ok else None
    r.tls13 = r.https_ok and has(0.1)
    r.tls12 = r.https_ok
    r.tls_legacy_off = r.https_ok and has(0.1)
    r.tls_legacy = r.https_ok and not r.tls_legacy_off
    r.hsts = bool(r.https_ok and r.cert_valid and has(0.1))
    r.hsts_max_age = (31_536_000 if has(0.2) else 15_552_000) if r.hsts else None
    r.hsts_include_subdomains = r.hsts and has(0.3)
    r.hsts_preload = bool(r.hsts_include_subdomains and has(0.5))
    r.alt_svc_h3 = r.http3 = bool(r.https_ok and has(0.5))
    r.dnssec_secure = has(0.4)
    r.dnssec = "secure" if r.dnssec_secure else "insecure"
    r.caa = has(0.3)
    r.caa_records = ['0 issue "letsencrypt.org"'] if r.caa else []
    r.mx = [f"mx.{domain}"]
    r.spf_strict = has(-0.2)
    r.spf_all = "-" if r.spf_strict else None
    r.spf = f"v=spf1 mx {r.spf_all}all" if r.spf_strict else None
    r.dkim = has(0.0)
    r.dkim_selectors = ["default"] if r.dkim else []
    r.dmarc_policy = ("reject" if has(0.4) else "quarantine" if has(0.2) else "none") if has(-0.1) else None
    r.dmarc_pct = 100 if r.dmarc_policy else None
    r.dmarc_enforced = r.dmarc_policy in ("quarantine", "reject")
    r.mta_sts_mode = ("enforce" if has(0.5) else "testing") if has(0.3) else None
    r.mta_sts_enforce = r.mta_sts_mode == "enforce"
    r.smtp_starttls = has(-0.2)
    if r.https_ok:
        r.security_headers = [h for h, bar in (("Content-Security-Policy", 0.3), ("X-Content-Type-Options", 0.0),
                                               ("X-Frame-Options", 0.0), ("Referrer-Policy", 0.1),
                                               ("Permissions-Policy", 0.5)) if has(bar)]
        r.cookies_before_consent = 0 if has(0.1) else rng.randint(1, 6)
        r.third_party_hosts = [f"cdn{i}.tracker.example" for i in range(0 if has(0.2) else rng.randint(6, 12))]
        r.privacy_policy_reachable = has(-0.3)
        r.privacy_policy_url = f"https://{domain}/privacy" if r.privacy_policy_reachable else None
        r.privacy_policy_elements = [e for e in PRIVACY_ELEMENTS if r.privacy_policy_reachable and has(0.0)]
    r.why = {
        "https": f"https://{domain}/ answers 200" if r.https_ok else f"no TLS answer on {domain}:443",
        "hsts": f"max-age={r.hsts_max_age}" if r.hsts else "no Strict-Transport-Security header",
        "dmarc": f"p={r.dmarc_policy}" if r.dmarc_policy else f"no DMARC record at _dmarc.{domain}",
        "spf": r.spf or f"no SPF record at {domain}",
        "dnssec": f"{domain} is {r.dnssec}",
        "privacy_policy": (f"linked from https://{domain}/: {r.privacy_policy_url}" if r.privacy_policy_reachable
                           else "no link whose text or address says privacy"),
    }
    return r


def _organizations(rng: random.Random) -> list[tuple[AuditedOrganization, float]]:
    from isoc.members.models import Organization

    out = []
    for i in range(ORGANIZATIONS):
        sector = SECTORS[i % len(SECTORS)]
        name = f"Demo {sector.split()[0]} {i // len(SECTORS) + 1}"
        domain = f"{sector.split()[0].lower()}-{i + 1:02d}.trust-demo.example"
        org = services.create_organization(name, domain, sector, country=("KE", "BR", "DE", "IN", "FR")[i % 5],
                                           is_demo=True)
        out.append((org, rng.uniform(0.3, 0.95)))
    members = [o for o in Organization.objects.filter(is_demo=True).exclude(website="").order_by("pk")
               if (s := o.standing()) and s.status == "active"][:MEMBER_ORGANIZATIONS]
    for member in members:
        org = services.create_organization(member.legal_name, member.website, "Internet services",
                                           country=member.country, is_demo=True)
        out.append((org, rng.uniform(0.6, 0.95)))
    return out


@transaction.atomic
def generate(reset: bool = False, seed: int = SEED, now: datetime | None = None) -> dict:
    """Create the trust demo (idempotent: does nothing when it exists, unless ``reset``)."""
    if reset:
        remove()
    if Audit.objects.filter(is_demo=True).exists():
        return {"organizations": 0, "audits": 0}
    rng = random.Random(seed)
    orgs = _organizations(rng)
    years = demo_years(now)
    for n, year in enumerate(years):
        at = datetime(year, 3, 1, 9, 0, tzinfo=UTC)
        rows = [_row(org.primary_domain, min(1.0, maturity + 0.12 * n), rng, at + timedelta(minutes=i))
                for i, (org, maturity) in enumerate(orgs)]
        folder = _scan_dir(year)
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(to_table(rows), folder / f"demo-{year}-00000.parquet")
        if n == len(years) - 1:  # a breach in the latest year, charged to consumer protection
            breached = orgs[1][0]
            Adjustment.objects.create(organization=breached, year=year, kind=Adjustment.Kind.PENALTY, points=20,
                                      category="consumer", reason="Customer records exposed (demo)",
                                      source="Demo regulator", is_demo=True)
        services.run_audit(year, folder, services.weights_in_force(), commit=True, replace=True, is_demo=True)
    return {"organizations": len(orgs), "audits": len(years)}
