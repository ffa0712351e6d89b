"""What one scan of one domain found: the row the scanner writes and everything downstream
reads (adoption figures, the domain lookup, the Online Trust Audit's scores).

Django-free. One row per domain per scan, flat columns so that Parquet, DuckDB and a CSV
download read it without unpacking. Each check is three-valued where it can be: ``True``
(passed), ``False`` (measured and failed), ``None`` (not measured: the domain had no
address, a probe before it failed, or the check does not apply). ``why`` keeps, per
check, the one-line reason a reader sees on the domain lookup page ("certificate expired
on 2026-01-03", "no Strict-Transport-Security header"), and ``errors`` the probe errors
(timeouts, refused connections) that made a value ``None``.

The scanner (``enablers.scanner``) writes batches of ``DomainResult`` with
``to_table``; ``services.record_scan(path)`` in the Django shell stores a scan's file
and its per-domain summaries; ``trust`` scores organizations from these rows alone, so a
re-score with new weights needs no re-scan.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

import pyarrow as pa

#: Versions of the row layout: bump when a column changes meaning, so old files are read
#: with the right expectations.
SCHEMA_VERSION = 2  # 2: privacy_policy_reachable, privacy_policy_elements

#: The checks a domain gets, in the order the lookup page shows them, each with the
#: column that holds its pass/fail value.
CHECKS: tuple[tuple[str, str], ...] = (
    ("ipv6", "ipv6_reachable"),
    ("https", "https_ok"),
    ("https_redirect", "http_redirects_to_https"),
    ("certificate", "cert_valid"),
    ("tls13", "tls13"),
    ("tls_legacy_off", "tls_legacy_off"),
    ("hsts", "hsts"),
    ("http3", "http3"),
    ("dnssec", "dnssec_secure"),
    ("caa", "caa"),
    ("spf", "spf_strict"),
    ("dkim", "dkim"),
    ("dmarc", "dmarc_enforced"),
    ("mta_sts", "mta_sts_enforce"),
    ("starttls", "smtp_starttls"),
)


#: What a privacy policy is expected to say (the Online Trust Audit's privacy criteria):
#: each name is found in the policy's text by ``probes_web`` and kept in
#: ``privacy_policy_elements``.
PRIVACY_ELEMENTS: tuple[str, ...] = (
    "data_collected",  # what personal data is collected
    "purpose",  # why it is used
    "sharing",  # whether and with whom it is shared or sold
    "retention",  # how long it is kept
    "user_rights",  # access, correction, deletion, opt-out
    "contact",  # whom to ask (a privacy contact or data protection officer)
    "cookies",  # cookies and tracking
    "changes",  # how changes to the policy are announced, and its effective date
)


@dataclass
class DomainResult:
    domain: str
    scanned_at: datetime  # UTC, when the domain's probes started
    resolver: str  # "127.0.0.1:53" or "system": the resolver every DNS answer came from
    scan: str = ""  # the scan's identifier (several scans may share a file folder)
    # DNS
    a: list[str] = field(default_factory=list)
    aaaa: list[str] = field(default_factory=list)
    dns_error: str | None = None  # NXDOMAIN, SERVFAIL (e.g. bogus DNSSEC), timeout, refused, malformed
    # IPv6: the site answers HTTP(S) over one of its AAAA addresses
    ipv6_reachable: bool | None = None
    # HTTPS and the certificate
    https_ok: bool | None = None  # a TLS handshake and an HTTP answer on 443
    http_redirects_to_https: bool | None = None
    cert_valid: bool | None = None  # chain to a trusted root, in its validity period, name matches
    cert_error: str | None = None
    cert_issuer: str | None = None
    cert_not_after: datetime | None = None
    cert_name_matches: bool | None = None
    # TLS versions offered
    tls13: bool | None = None
    tls12: bool | None = None
    tls_legacy: bool | None = None  # TLS 1.0 or 1.1 accepted
    tls_legacy_off: bool | None = None  # the negation, so that True always means "good"
    # HSTS
    hsts: bool | None = None  # a valid header with max-age > 0 on the HTTPS answer
    hsts_max_age: int | None = None
    hsts_include_subdomains: bool | None = None
    hsts_preload: bool | None = None
    # HTTP/3
    alt_svc_h3: bool | None = None  # Alt-Svc advertises h3
    http3: bool | None = None  # a QUIC handshake with ALPN h3 succeeded
    # DNSSEC: "secure" | "insecure" | "bogus" | "indeterminate"
    dnssec: str | None = None
    dnssec_secure: bool | None = None
    # CAA
    caa: bool | None = None
    caa_records: list[str] = field(default_factory=list)
    # Email
    mx: list[str] = field(default_factory=list)
    spf: str | None = None  # the record's text
    spf_all: str | None = None  # the "all" qualifier: "-", "~", "?", "+", or None without one
    spf_strict: bool | None = None  # a valid record ending in -all or ~all
    dkim_selectors: list[str] = field(default_factory=list)  # selectors with a valid key
    dkim: bool | None = None
    dmarc_policy: str | None = None  # "none" | "quarantine" | "reject"
    dmarc_pct: int | None = None
    dmarc_enforced: bool | None = None  # quarantine or reject at pct 100
    mta_sts_mode: str | None = None  # "enforce" | "testing" | "none"
    mta_sts_enforce: bool | None = None
    smtp_starttls: bool | None = None  # every MX tried offers STARTTLS and completes the handshake
    # Web hygiene and privacy, for the Online Trust Audit
    security_headers: list[str] = field(default_factory=list)  # names of the headers present
    privacy_policy_url: str | None = None
    privacy_policy_reachable: bool | None = None  # the linked policy answers 200 with a readable page
    privacy_policy_elements: list[str] = field(default_factory=list)  # names from PRIVACY_ELEMENTS found in it
    third_party_hosts: list[str] = field(default_factory=list)  # scripts, frames, images from elsewhere
    cookies_before_consent: int | None = None
    # Reasons and errors, per check name (see CHECKS)
    why: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    duration_ms: int = 0

    def row(self) -> dict:
        row = asdict(self)
        row["why"] = json.dumps(self.why, sort_keys=True)
        row["errors"] = json.dumps(self.errors, sort_keys=True)
        return row


_TYPES = {
    "str": pa.string(), "str | None": pa.string(), "datetime": pa.timestamp("us", tz="UTC"),
    "datetime | None": pa.timestamp("us", tz="UTC"), "bool | None": pa.bool_(), "int | None": pa.int64(),
    "int": pa.int64(), "list[str]": pa.list_(pa.string()), "dict[str, str]": pa.string(),
}

#: The Parquet schema of a scan file.
SCHEMA = pa.schema([pa.field(f.name, _TYPES[str(f.type)]) for f in fields(DomainResult)],
                   metadata={b"isoc.enablers.schema_version": str(SCHEMA_VERSION).encode()})


def to_table(results: list[DomainResult]) -> pa.Table:
    return pa.Table.from_pylist([r.row() for r in results], schema=SCHEMA)


def from_row(row: dict) -> DomainResult:
    """A row read back from Parquet (``table.to_pylist()``) as a ``DomainResult``."""
    values = dict(row)
    values["why"] = json.loads(values.get("why") or "{}")
    values["errors"] = json.loads(values.get("errors") or "{}")
    names = {f.name for f in fields(DomainResult)}
    return DomainResult(**{k: v for k, v in values.items() if k in names})
