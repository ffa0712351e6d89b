"""State changes of the Online Trust Audit, each one transaction with its history row.

- ``run_audit``: score every audited organization from the latest row of its primary
  domain in a folder of stored scan files (the enablers scanner's Parquet), under the
  weights in force; keeps which files (with their SHA-256) and which weights it used.
- ``rescore``: score an audit again under other weights from the very same files — no
  probe runs, the files are only read, and a changed or missing file is refused.
- ``record_adjustment``: a penalty or bonus for an organization and year; the year's
  scorecard (when there is one) is recomputed from its stored criterion outcomes.
- ``import_organizations`` / ``create_organization``: the audited organizations, each
  linked to the organization member whose website is on the same domain.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from isoc.members.services import RuleViolation
from isoc.trust import scanfiles, scoring
from isoc.trust.models import Adjustment, Audit, AuditedOrganization, AuditEvent, Scorecard, Sector

MIN_YEAR, MAX_YEAR = 2000, 2100


class TrustError(RuleViolation):
    """The audit refused an operation (views show it as a form error, the API as 409)."""


# --- weights -----------------------------------------------------------------------------


def weights_in_force(path: str | Path | None = None) -> scoring.Weights:
    """The weights of ``path``, else of the ``TRUST_WEIGHTS_FILE`` setting, else the default."""
    chosen = path or getattr(settings, "TRUST_WEIGHTS_FILE", "") or None
    try:
        return scoring.load_weights(chosen)
    except scoring.WeightsError as exc:
        raise TrustError(str(exc), "weights") from exc


# --- organizations -----------------------------------------------------------------------


def normalize_domain(text: str) -> str:
    """``https://www.Example.org/x`` → ``example.org``: the host, lower case, without www."""
    text = (text or "").strip()
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return host[4:] if host.startswith("www.") else host


def _valid_domain(domain: str) -> bool:
    labels = domain.split(".")
    return len(domain) <= 253 and len(labels) >= 2 and all(
        0 < len(label) <= 63 and label.replace("-", "").isalnum() and not label.startswith("-") for label in labels)


def match_member_organization(domain: str):
    """The organization member whose website is on ``domain`` (www. or not), if exactly one."""
    from isoc.members.models import Organization

    found = [o for o in Organization.objects.exclude(website="").only("pk", "website")
             if normalize_domain(o.website) == domain]
    return found[0] if len(found) == 1 else None


def sector_named(name: str, *, is_demo: bool = False) -> Sector:
    name = name.strip()
    slug = slugify(name)[:60]
    if not slug:
        raise TrustError(_("A sector needs a name."), "sector")
    sector, _created = Sector.objects.get_or_create(slug=slug, defaults={"name": name[:100]})
    return sector


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "organization"
    slug, n = base, 2
    while AuditedOrganization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_organization(name: str, domain: str, sector: str, *, country: str = "",
                        is_demo: bool = False) -> AuditedOrganization:
    """An audited organization (or the existing one of that domain, updated)."""
    name = name.strip()
    clean = normalize_domain(domain)
    if not name:
        raise TrustError(_("An organization needs a name."), "name")
    if not _valid_domain(clean):
        raise TrustError(_("“%(domain)s” is not a domain name.") % {"domain": domain}, "domain")
    country = country.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise TrustError(_("The country must be an ISO 3166-1 alpha-2 code."), "country")
    sector_row = sector_named(sector, is_demo=is_demo)
    org = AuditedOrganization.objects.filter(primary_domain=clean).first()
    if org is None:
        org = AuditedOrganization(slug=_unique_slug(name), primary_domain=clean, is_demo=is_demo)
    org.name, org.sector, org.country = name[:200], sector_row, country
    if org.organization_id is None:
        org.organization = match_member_organization(clean)
    org.save()
    return org


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    linked: int = 0
    errors: list[str] = field(default_factory=list)
    committed: bool = False

    def __str__(self) -> str:
        text = f"{self.created} new, {self.updated} updated, {self.linked} linked to organization members"
        return text + (f"; {len(self.errors)} errors" if self.errors else "")


REQUIRED_COLUMNS = ("name", "domain", "sector")


def import_organizations(text: str, *, source: str = "CSV", commit: bool = False,
                         is_demo: bool = False) -> ImportReport:
    """Audited organizations from CSV (columns name, domain, sector, optional country).
    All or nothing: one bad row and nothing is stored; every bad row is reported by line."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        report.errors.append(f"{source}: missing column(s) {', '.join(missing)} (expected name, domain, sector, country)")
        return report
    rows = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        domain = normalize_domain(row.get("domain", ""))
        if not row.get("name"):
            report.errors.append(f"{source}:{line}: name is empty")
        elif not _valid_domain(domain):
            report.errors.append(f"{source}:{line}: domain {row.get('domain')!r} is not a domain name")
        elif not slugify(row.get("sector", "")):
            report.errors.append(f"{source}:{line}: sector is empty")
        elif domain in seen:
            report.errors.append(f"{source}:{line}: domain {domain} already on line {seen[domain]}")
        elif (c := row.get("country", "")) and (len(c) != 2 or not c.isalpha()):
            report.errors.append(f"{source}:{line}: country {c!r} is not an ISO 3166-1 alpha-2 code")
        else:
            seen[domain] = line
            rows.append(row | {"domain": domain})
    if report.errors:
        return report
    try:
        with transaction.atomic():
            for row in rows:
                exists = AuditedOrganization.objects.filter(primary_domain=row["domain"]).exists()
                org = create_organization(row["name"], row["domain"], row["sector"], country=row.get("country", ""),
                                          is_demo=is_demo)
                report.updated += exists
                report.created += not exists
                report.linked += org.organization_id is not None
            if not commit:
                transaction.set_rollback(True)
    except TrustError as exc:
        report.errors.append(f"{source}: {exc.message}")
        return report
    report.committed = commit
    return report


# --- audits ------------------------------------------------------------------------------


def _stored_path(path: Path) -> str:
    """Paths inside the data folder are kept relative to it, so the folder can move."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path(settings.DATA_DIR).resolve()))
    except ValueError:
        return str(path)


def _absolute(stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else Path(settings.DATA_DIR) / path


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise TrustError(_("The year must be between %(lo)s and %(hi)s.") % {"lo": MIN_YEAR, "hi": MAX_YEAR}, "year")


def _adjustments(year: int) -> dict[int, list[scoring.Adjustment]]:
    out: dict[int, list[scoring.Adjustment]] = {}
    for adj in Adjustment.objects.filter(year=year).order_by("pk"):
        out.setdefault(adj.organization_id, []).append(
            scoring.Adjustment(adj.signed_points, adj.reason, adj.category or None))
    return out


@dataclass
class Scored:
    organization: AuditedOrganization
    card: scoring.Scorecard
    scanned_at: object
    previous: Scorecard | None = None


@dataclass
class AuditReport:
    year: int
    weights: scoring.Weights
    scored: list[Scored] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # organizations whose domain is not in the files
    files: list[scanfiles.ScanFile] = field(default_factory=list)
    domains_in_files: int = 0
    committed: bool = False
    audit: Audit | None = None

    @property
    def honor_roll(self) -> list[Scored]:
        return [s for s in self.scored if s.card.honor_roll]


def _score_files(year: int, paths: list[Path], weights: scoring.Weights) -> AuditReport:
    try:
        latest, seen = scanfiles.read_latest(paths)
    except scanfiles.ScanFilesError as exc:
        raise TrustError(str(exc), "results") from exc
    report = AuditReport(year=year, weights=weights, domains_in_files=len(latest),
                         files=[scanfiles.ScanFile(_stored_path(p), digest, rows) for p, digest, rows in seen])
    adjustments = _adjustments(year)
    for org in AuditedOrganization.objects.select_related("sector").order_by("name", "pk"):
        row = latest.get(org.primary_domain) or latest.get(f"www.{org.primary_domain}")
        if row is None:
            report.missing.append(org.primary_domain)
            continue
        card = scoring.score(row, weights, adjustments.get(org.pk, ()))
        report.scored.append(Scored(org, card, row.scanned_at))
    return report


def _card_fields(card: scoring.Scorecard) -> dict:
    return {
        "consumer": card.categories["consumer"].score, "site": card.categories["site"].score,
        "privacy": card.categories["privacy"].score,
        "bonus": sum(c.bonus for c in card.categories.values()),
        "adjustments": sum(c.adjustments for c in card.categories.values()) + card.unassigned_adjustments,
        "total": card.total, "percent": card.percent, "honor_roll": card.honor_roll,
        "categories": {k: v.as_dict() for k, v in card.categories.items()}
        | {"unassigned_adjustments": card.unassigned_adjustments},
        "criteria": [c.as_dict() for c in card.criteria], "computed_at": timezone.now(),
    }


def _store(audit: Audit, report: AuditReport) -> None:
    audit.scorecards.all().delete()
    Scorecard.objects.bulk_create([
        Scorecard(audit=audit, organization=s.organization, domain=s.organization.primary_domain,
                  scanned_at=s.scanned_at, **_card_fields(s.card)) for s in report.scored])
    audit.organizations = len(report.scored)
    audit.honor_roll = len(report.honor_roll)
    audit.missing = report.missing


def run_audit(year: int, results_dir: str | Path, weights: scoring.Weights | None = None, *, actor=None,
              commit: bool = False, replace: bool = False, is_demo: bool = False) -> AuditReport:
    """Score every audited organization for ``year`` from the scan files in ``results_dir``.
    Without ``commit`` nothing is stored (the report says what would be)."""
    _check_year(year)
    weights = weights or weights_in_force()
    try:
        paths = scanfiles.parquet_files(Path(results_dir))
    except scanfiles.ScanFilesError as exc:
        raise TrustError(str(exc), "results") from exc
    report = _score_files(year, paths, weights)
    if not commit:
        return report
    with transaction.atomic():
        existing = Audit.objects.select_for_update().filter(year=year).first()
        if existing is not None and not replace:
            raise TrustError(_("An audit for %(year)s exists: re-score it, or replace it.") % {"year": year}, "year")
        audit = existing or Audit(year=year)
        audit.weights, audit.weights_source = weights.points, weights.source
        audit.results_dir = _stored_path(Path(results_dir))
        audit.files = [f.as_dict() for f in report.files]
        audit.scored_at, audit.is_demo = timezone.now(), is_demo
        audit.save()
        _store(audit, report)
        audit.save()
        AuditEvent.objects.create(audit=audit, action=AuditEvent.Action.RUN, actor=actor,
                                  weights_source=weights.source, weights=weights.points,
                                  note=f"{len(report.scored)} scored, {len(report.honor_roll)} on the Honor Roll, "
                                       f"{len(report.missing)} not in the scan, from {len(report.files)} file(s)")
    report.committed, report.audit = True, audit
    return report


def audit_files(audit: Audit) -> list[Path]:
    """The audit's files, each checked against the SHA-256 it had when the audit read it."""
    paths = []
    for item in audit.files:
        path = _absolute(item["path"])
        if not path.is_file():
            raise TrustError(_("The scan file %(path)s of the %(year)s audit is gone: re-scoring needs the same files.")
                             % {"path": item["path"], "year": audit.year}, "results")
        if scanfiles.sha256(path) != item["sha256"]:
            raise TrustError(_("The scan file %(path)s changed since the %(year)s audit read it: re-scoring needs "
                               "the same files.") % {"path": item["path"], "year": audit.year}, "results")
        paths.append(path)
    return paths


def rescore(year: int, weights: scoring.Weights, *, actor=None, commit: bool = True) -> AuditReport:
    """Score the ``year`` audit again under ``weights`` from the files it read (no new scan)."""
    audit = Audit.objects.filter(year=year).first()
    if audit is None:
        raise TrustError(_("There is no audit for %(year)s.") % {"year": year}, "year")
    report = _score_files(year, audit_files(audit), weights)
    before = {c.organization_id: c for c in audit.scorecards.all()}
    for s in report.scored:
        s.previous = before.get(s.organization.pk)
    if not commit:
        return report
    with transaction.atomic():
        audit = Audit.objects.select_for_update().get(pk=audit.pk)
        audit.weights, audit.weights_source, audit.scored_at = weights.points, weights.source, timezone.now()
        _store(audit, report)
        audit.save()
        AuditEvent.objects.create(audit=audit, action=AuditEvent.Action.RESCORE, actor=actor,
                                  weights_source=weights.source, weights=weights.points,
                                  note=f"{len(report.scored)} scored, {len(report.honor_roll)} on the Honor Roll")
    report.committed, report.audit = True, audit
    return report


# --- adjustments -------------------------------------------------------------------------


def _rescore_card(card: Scorecard) -> None:
    """Recompute one scorecard from its stored outcomes, the audit's weights and the year's adjustments."""
    weights = scoring.weights_from_snapshot(card.audit.weights, card.audit.weights_source)
    outcomes = {c["key"]: c["outcome"] for c in card.criteria}
    why = {scoring.BY_KEY[c["key"]].check: c["why"] for c in card.criteria if c["key"] in scoring.BY_KEY and c["why"]}
    adjustments = _adjustments(card.audit.year).get(card.organization_id, [])
    fresh = scoring.score_outcomes(outcomes, weights, adjustments, why=why)
    for name, value in _card_fields(fresh).items():
        setattr(card, name, value)
    card.save()
    audit = card.audit
    audit.honor_roll = audit.scorecards.filter(honor_roll=True).count()
    audit.save(update_fields=["honor_roll"])


@transaction.atomic
def record_adjustment(organization: AuditedOrganization, year: int, kind: str, points: int, *, reason: str,
                      source: str, source_url: str = "", category: str = "", actor=None,
                      is_demo: bool = False) -> Adjustment:
    """A penalty or bonus for ``organization`` in ``year``; the year's scorecard follows."""
    _check_year(year)
    if kind not in Adjustment.Kind.values:
        raise TrustError(_("An adjustment is a penalty or a bonus."), "kind")
    if not 0 < points <= scoring.TOTAL_BASE:
        raise TrustError(_("Points must be between 1 and %(max)s.") % {"max": scoring.TOTAL_BASE}, "points")
    if category and category not in scoring.CATEGORIES:
        raise TrustError(_("Unknown category."), "category")
    if not reason.strip() or not source.strip():
        raise TrustError(_("Say what happened and who reported it."), "reason")
    adj = Adjustment.objects.create(organization=organization, year=year, kind=kind, points=points,
                                    category=category, reason=reason.strip()[:300], source=source.strip()[:200],
                                    source_url=source_url, recorded_by=actor, is_demo=is_demo)
    card = Scorecard.objects.select_related("audit").filter(audit__year=year, organization=organization).first()
    if card is not None:
        _rescore_card(card)
        AuditEvent.objects.create(audit=card.audit, action=AuditEvent.Action.ADJUST, actor=actor,
                                  note=f"{adj}: {adj.signed_points:+d} ({adj.reason})")
    return adj
