"""The Online Trust Audit's scoring: criteria, weights and the Honor Roll. Django-free.

An organization is scored from one scan row of its primary domain (``enablers.results.
DomainResult``) and nothing else, so the same row and the same weights always give the
same scores, and a re-score with new weights needs no new scan.

- **Criteria** (``CRITERIA``) each read only ``DomainResult`` fields and answer *passed*,
  *failed* or *not measured* (a field left ``None`` by the probes: the domain had no mail
  server, no web page answered…). Each belongs to one of three categories of 100 base
  points — consumer protection, site security, privacy — or is a **bonus** criterion for a
  newer practice that adds to its category. Each has a concrete "how to fix" text.
- **Weights** are configuration: ``weights.toml`` beside this module is the default; a
  deployer's file (setting ``TRUST_WEIGHTS_FILE``, or ``--weights`` on the command line)
  replaces it and is validated whole (``load_weights``): every base criterion named once in
  its own category, the weights of a category summing to 100, bonus weights not negative.
- **Points**: a passed criterion earns its weight; a failed or not measured one earns
  nothing (not measured is shown as such, never as a failure, but an audit cannot give
  points for what it could not see — the OTA scores the same way).
- **Adjustments** are events recorded per organization and year: penalties for a breach or
  a regulator's settlement, bonuses staff award (e.g. a vulnerability disclosure
  programme). One naming a category counts in that category; one without a category
  counts only in the total.
- **Honor Roll** (our reading of the OTA rule, written here because the OTA does not spell
  it out): the total — category scores with their bonus points and adjustments — is at
  least 80% of the 300 base points (240), and every category's score, *after* its bonus
  points and its adjustments, is at least 60. Bonus points can therefore lift a weak
  category over the bar, as in the OTA's own audits, and a penalty charged to a category
  can pull it under.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from isoc.enablers.results import PRIVACY_ELEMENTS, DomainResult


def gettext_noop(text: str) -> str:
    """Marks a text for the catalogs; the pages translate it when they show it (this
    module stays Django-free)."""
    return text


#: The categories of 100 base points each, in the order pages show them.
CATEGORIES: tuple[str, ...] = ("consumer", "site", "privacy")
CATEGORY_TITLES = {
    "consumer": gettext_noop("Consumer protection"),
    "site": gettext_noop("Site security"),
    "privacy": gettext_noop("Privacy"),
}
BASE_POINTS = 100  # per category
TOTAL_BASE = BASE_POINTS * len(CATEGORIES)
HONOR_ROLL_PERCENT = 80  # of TOTAL_BASE, overall
HONOR_ROLL_CATEGORY_MINIMUM = 60  # points, in each category
#: A home page loading from more hosts than this fails the third-party criterion.
MAX_THIRD_PARTY_HOSTS = 5
#: HSTS max-age the "long HSTS" criterion asks for: a year, as preload lists do.
HSTS_LONG_MAX_AGE = 31_536_000
#: Headers the security-headers criterion asks for (names as the web probe records them).
REQUIRED_SECURITY_HEADERS: tuple[str, ...] = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")

DEFAULT_WEIGHTS_FILE = Path(__file__).with_name("weights.toml")


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_MEASURED = "not_measured"


def _tri(value: bool | None) -> Outcome:
    if value is None:
        return Outcome.NOT_MEASURED
    return Outcome.PASSED if value else Outcome.FAILED


@dataclass(frozen=True)
class Criterion:
    key: str
    category: str  # one of CATEGORIES
    title: str
    fix: str  # what an operator does to pass
    test: Callable[[DomainResult], Outcome]
    check: str = ""  # the scan's check name whose ``why`` explains the measurement
    bonus: bool = False


# --- how each criterion reads a scan row -----------------------------------------------


def _dmarc_record(r: DomainResult) -> Outcome:
    if r.dmarc_policy is not None:
        return Outcome.PASSED
    return Outcome.NOT_MEASURED if r.dmarc_enforced is None else Outcome.FAILED


def _dmarc_reject(r: DomainResult) -> Outcome:
    if r.dmarc_enforced is None:
        return Outcome.NOT_MEASURED
    return _tri(r.dmarc_policy == "reject" and (r.dmarc_pct is None or r.dmarc_pct >= 100))


def _mta_sts_published(r: DomainResult) -> Outcome:
    if r.mta_sts_mode in ("testing", "enforce"):
        return Outcome.PASSED
    return Outcome.NOT_MEASURED if r.mta_sts_enforce is None and r.mta_sts_mode is None else Outcome.FAILED


def _hsts_long(r: DomainResult) -> Outcome:
    if r.hsts is None:
        return Outcome.NOT_MEASURED
    return _tri(bool(r.hsts) and (r.hsts_max_age or 0) >= HSTS_LONG_MAX_AGE)


def _hsts_subdomains(r: DomainResult) -> Outcome:
    if r.hsts is None:
        return Outcome.NOT_MEASURED
    return _tri(bool(r.hsts) and bool(r.hsts_include_subdomains))


def _hsts_preload(r: DomainResult) -> Outcome:
    if r.hsts is None:
        return Outcome.NOT_MEASURED
    return _tri(bool(r.hsts) and bool(r.hsts_preload) and bool(r.hsts_include_subdomains)
                and (r.hsts_max_age or 0) >= HSTS_LONG_MAX_AGE)


def _home_page_read(r: DomainResult) -> bool:
    # The web probe sets the cookie count whenever it read a home page, and only then.
    return r.cookies_before_consent is not None


def _security_headers(r: DomainResult) -> Outcome:
    if not _home_page_read(r):
        return Outcome.NOT_MEASURED
    present = {name.lower() for name in r.security_headers}
    return _tri(all(name.lower() in present for name in REQUIRED_SECURITY_HEADERS))


def _privacy_policy(r: DomainResult) -> Outcome:
    return _tri(r.privacy_policy_reachable)


def _privacy_element(element: str) -> Callable[[DomainResult], Outcome]:
    def test(r: DomainResult) -> Outcome:
        if r.privacy_policy_reachable is None:
            return Outcome.NOT_MEASURED
        # No readable policy states nothing: every element fails with it.
        return _tri(bool(r.privacy_policy_reachable) and element in r.privacy_policy_elements)
    return test


def _third_parties(r: DomainResult) -> Outcome:
    if not _home_page_read(r):
        return Outcome.NOT_MEASURED
    return _tri(len(r.third_party_hosts) <= MAX_THIRD_PARTY_HOSTS)


def _no_cookies(r: DomainResult) -> Outcome:
    if r.cookies_before_consent is None:
        return Outcome.NOT_MEASURED
    return _tri(r.cookies_before_consent == 0)


def _field(name: str) -> Callable[[DomainResult], Outcome]:
    return lambda r: _tri(getattr(r, name))


_ELEMENT_TITLES = {
    "data_collected": (gettext_noop("Privacy policy says what personal data is collected"),
                       gettext_noop("List the kinds of personal data the site and its services collect.")),
    "purpose": (gettext_noop("Privacy policy says why the data is used"),
                gettext_noop("State the purpose of each use of personal data.")),
    "sharing": (gettext_noop("Privacy policy says whether data is shared or sold"),
                gettext_noop("Say with whom personal data is shared, and whether it is ever sold.")),
    "retention": (gettext_noop("Privacy policy says how long data is kept"),
                  gettext_noop("Give the retention period of each kind of personal data.")),
    "user_rights": (gettext_noop("Privacy policy explains the user's rights"),
                    gettext_noop("Explain how people can see, correct, delete their data and opt out.")),
    "contact": (gettext_noop("Privacy policy names a privacy contact"),
                gettext_noop("Give an address for privacy questions (a privacy team or data protection officer).")),
    "cookies": (gettext_noop("Privacy policy explains cookies and tracking"),
                gettext_noop("Describe the cookies and trackers the site uses and how to refuse them.")),
    "changes": (gettext_noop("Privacy policy is dated and says how changes are announced"),
                gettext_noop("Show the policy's effective date and how changes are announced.")),
}

CRITERIA: tuple[Criterion, ...] = (
    # Consumer protection: email authentication, mail transport security, DNSSEC
    Criterion("spf", "consumer", gettext_noop("SPF record ending in -all or ~all"),
              gettext_noop("Publish a TXT record at the domain listing every server that sends its mail, "
                           "ending in \"-all\" (or \"~all\" while you check), e.g. \"v=spf1 mx include:_spf.example.net -all\"."),
              _field("spf_strict"), check="spf"),
    Criterion("dkim", "consumer", gettext_noop("DKIM signing key published"),
              gettext_noop("Sign outgoing mail with DKIM and publish the public key at selector._domainkey.<domain> "
                           "(a 2048-bit RSA or an Ed25519 key)."),
              _field("dkim"), check="dkim"),
    Criterion("dmarc_record", "consumer", gettext_noop("DMARC policy published"),
              gettext_noop("Publish a TXT record at _dmarc.<domain>, starting with \"v=DMARC1; p=none; rua=mailto:…\" "
                           "to receive reports."),
              _dmarc_record, check="dmarc"),
    Criterion("dmarc_enforced", "consumer", gettext_noop("DMARC enforced (quarantine or reject)"),
              gettext_noop("Once the reports show all your mail passes SPF or DKIM, change the policy to "
                           "\"p=quarantine\" for all mail (no pct below 100)."),
              _field("dmarc_enforced"), check="dmarc"),
    Criterion("dmarc_reject", "consumer", gettext_noop("DMARC policy is reject"),
              gettext_noop("Move the DMARC policy to \"p=reject\" so receivers refuse mail that forges your domain."),
              _dmarc_reject, check="dmarc"),
    Criterion("starttls", "consumer", gettext_noop("Mail servers offer STARTTLS"),
              gettext_noop("Enable STARTTLS with a valid certificate on every MX host (e.g. Postfix: "
                           "smtpd_tls_security_level = may, with smtpd_tls_chain_files)."),
              _field("smtp_starttls"), check="starttls"),
    Criterion("mta_sts", "consumer", gettext_noop("MTA-STS policy published"),
              gettext_noop("Publish _mta-sts.<domain> TXT \"v=STSv1; id=…\" and the policy at "
                           "https://mta-sts.<domain>/.well-known/mta-sts.txt (mode: testing to start)."),
              _mta_sts_published, check="mta_sts"),
    Criterion("dnssec", "consumer", gettext_noop("DNSSEC: the zone is signed and validates"),
              gettext_noop("Sign the zone (your DNS host or e.g. Knot's automatic signing) and publish the DS "
                           "record at your registrar; check it validates from the root."),
              _field("dnssec_secure"), check="dnssec"),
    # Site security: TLS, HTTPS everywhere, HSTS, CAA, headers
    Criterion("https", "site", gettext_noop("The site answers over HTTPS"),
              gettext_noop("Serve the site on port 443 with TLS (a free certificate from an ACME CA such as "
                           "Let's Encrypt is enough)."),
              _field("https_ok"), check="https"),
    Criterion("https_redirect", "site", gettext_noop("HTTP redirects to HTTPS"),
              gettext_noop("Answer every http:// request with a permanent redirect (301 or 308) to the same "
                           "address on https://."),
              _field("http_redirects_to_https"), check="https_redirect"),
    Criterion("certificate", "site", gettext_noop("Valid certificate"),
              gettext_noop("Use a certificate from a publicly trusted CA that names the domain, send the whole "
                           "chain, and renew it automatically before it expires."),
              _field("cert_valid"), check="certificate"),
    Criterion("tls13", "site", gettext_noop("TLS 1.3 offered"),
              gettext_noop("Enable TLS 1.3 on the web server (nginx: ssl_protocols TLSv1.2 TLSv1.3;)."),
              _field("tls13"), check="tls13"),
    Criterion("tls_legacy_off", "site", gettext_noop("TLS 1.0 and 1.1 turned off"),
              gettext_noop("Turn off TLS 1.0 and 1.1 (RFC 8996): offer only TLS 1.2 and 1.3."),
              _field("tls_legacy_off"), check="tls_legacy_off"),
    Criterion("hsts", "site", gettext_noop("HSTS header sent"),
              gettext_noop("Send \"Strict-Transport-Security: max-age=31536000; includeSubDomains\" on every HTTPS answer."),
              _field("hsts"), check="hsts"),
    Criterion("hsts_long", "site", gettext_noop("HSTS max-age of at least one year"),
              gettext_noop("Raise the HSTS max-age to at least 31536000 seconds (one year)."),
              _hsts_long, check="hsts"),
    Criterion("hsts_subdomains", "site", gettext_noop("HSTS covers subdomains"),
              gettext_noop("Add includeSubDomains to the HSTS header once every subdomain serves HTTPS."),
              _hsts_subdomains, check="hsts"),
    Criterion("caa", "site", gettext_noop("CAA record names the allowed CAs"),
              gettext_noop("Publish a CAA record naming the CAs allowed to issue for the domain, "
                           "e.g. 0 issue \"letsencrypt.org\"."),
              _field("caa"), check="caa"),
    Criterion("security_headers", "site", gettext_noop("Security headers"),
              gettext_noop("Send Content-Security-Policy, X-Content-Type-Options: nosniff and Referrer-Policy "
                           "on the home page (and every page)."),
              _security_headers, check="security_headers"),
    # Privacy
    Criterion("privacy_policy", "privacy", gettext_noop("Privacy policy linked from the home page and reachable"),
              gettext_noop("Link the privacy policy from the home page with a link whose text says \"Privacy\", "
                           "and make sure it answers with a readable page."),
              _privacy_policy, check="privacy_policy"),
    *(Criterion(f"privacy_{element}", "privacy", _ELEMENT_TITLES[element][0], _ELEMENT_TITLES[element][1],
                _privacy_element(element), check="privacy_policy") for element in PRIVACY_ELEMENTS),
    Criterion("third_parties", "privacy", gettext_noop("Few third-party hosts on the home page"),
              gettext_noop("Load scripts, frames and images from your own site; remove trackers and "
                           "embeds you do not need (at most five other hosts)."),
              _third_parties, check="third_parties"),
    Criterion("no_cookies_before_consent", "privacy", gettext_noop("No cookies before consent"),
              gettext_noop("Set no cookie on the first visit: ask for consent first and set only strictly "
                           "necessary cookies without it."),
              _no_cookies, check="cookies"),
    # Bonus: newer practices
    Criterion("http3", "site", gettext_noop("HTTP/3 (QUIC) offered"),
              gettext_noop("Enable HTTP/3 on the web server or CDN and advertise it with Alt-Svc: h3=\":443\"."),
              _field("http3"), check="http3", bonus=True),
    Criterion("hsts_preload", "site", gettext_noop("HSTS preload-ready"),
              gettext_noop("Add \"preload\" to an HSTS header with includeSubDomains and a max-age of a year, "
                           "then submit the domain to the browsers' preload list."),
              _hsts_preload, check="hsts", bonus=True),
    Criterion("ipv6", "site", gettext_noop("The site answers over IPv6"),
              gettext_noop("Publish an AAAA record for the site and serve it over IPv6."),
              _field("ipv6_reachable"), check="ipv6", bonus=True),
    Criterion("mta_sts_enforce", "consumer", gettext_noop("MTA-STS in enforce mode"),
              gettext_noop("Once TLS reports show no failures, set \"mode: enforce\" in the MTA-STS policy."),
              _field("mta_sts_enforce"), check="mta_sts", bonus=True),
)
BY_KEY: dict[str, Criterion] = {c.key: c for c in CRITERIA}
BONUS_SECTION = "bonus"


# --- weights ---------------------------------------------------------------------------


class WeightsError(ValueError):
    """A weights file that cannot be used; ``problems`` lists every fault found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True)
class Weights:
    """Points per criterion (base criteria by category, bonus criteria), validated."""

    points: dict[str, int]
    source: str = "default"

    def of(self, key: str) -> int:
        return self.points[key]

    def as_sections(self) -> dict[str, dict[str, int]]:
        """The file's shape: one table per category, and ``bonus``."""
        sections: dict[str, dict[str, int]] = {c: {} for c in (*CATEGORIES, BONUS_SECTION)}
        for c in CRITERIA:
            sections[BONUS_SECTION if c.bonus else c.category][c.key] = self.points[c.key]
        return sections

    def digest(self) -> str:
        import hashlib

        return hashlib.sha256(json.dumps(self.points, sort_keys=True).encode()).hexdigest()[:16]


def validate_weights(sections: object, source: str = "weights") -> Weights:
    """``{"consumer": {...}, "site": {...}, "privacy": {...}, "bonus": {...}}`` → Weights,
    or WeightsError naming every unknown, missing or misplaced criterion and every
    category whose weights do not sum to 100."""
    problems: list[str] = []
    if not isinstance(sections, Mapping):
        raise WeightsError(source, ["expected tables consumer, site, privacy and bonus"])
    known_sections = (*CATEGORIES, BONUS_SECTION)
    for name in sections:
        if name not in known_sections:
            problems.append(f"unknown section [{name}] (expected {', '.join(known_sections)})")
    points: dict[str, int] = {}
    for section in known_sections:
        table = sections.get(section)
        if table is None:
            problems.append(f"missing section [{section}]")
            continue
        if not isinstance(table, Mapping):
            problems.append(f"[{section}] must be a table of criterion = points")
            continue
        for key, value in table.items():
            criterion = BY_KEY.get(key)
            if criterion is None:
                problems.append(f"[{section}] unknown criterion {key!r}")
                continue
            expected = BONUS_SECTION if criterion.bonus else criterion.category
            if expected != section:
                problems.append(f"[{section}] {key!r} belongs in [{expected}]")
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"[{section}] {key} = {value!r}: a weight is a whole number of points, 0 or more")
                continue
            points[key] = value
        if section in CATEGORIES and all(isinstance(v, int) and not isinstance(v, bool) for v in table.values()):
            total = sum(v for k, v in table.items() if k in BY_KEY)
            if total != BASE_POINTS:
                problems.append(f"[{section}] weights sum to {total}, not {BASE_POINTS}")
    for criterion in CRITERIA:
        section = BONUS_SECTION if criterion.bonus else criterion.category
        if criterion.key not in points and isinstance(sections.get(section), Mapping) \
                and criterion.key not in sections[section]:
            problems.append(f"[{section}] missing criterion {criterion.key!r}")
    if problems:
        raise WeightsError(source, problems)
    return Weights(points=points, source=source)


def load_weights(path: str | Path | None = None) -> Weights:
    """The weights of a TOML or JSON file (``.json`` by its name), else the default file."""
    path = Path(path) if path else DEFAULT_WEIGHTS_FILE
    source = "default" if path == DEFAULT_WEIGHTS_FILE else str(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise WeightsError(str(path), [f"cannot read: {exc.strerror or exc}"]) from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WeightsError(str(path), [f"not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'}: {exc}"]) from exc
    return validate_weights(data, source)


def weights_from_snapshot(points: Mapping[str, int], source: str = "snapshot") -> Weights:
    """Weights stored with an audit (``Weights.points``), validated again."""
    sections: dict[str, dict[str, int]] = {c: {} for c in (*CATEGORIES, BONUS_SECTION)}
    for key, value in points.items():
        criterion = BY_KEY.get(key)
        section = (BONUS_SECTION if criterion.bonus else criterion.category) if criterion else BONUS_SECTION
        sections[section][key] = value
    return validate_weights(sections, source)


# --- scoring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    """A penalty (negative points) or bonus (positive) recorded for an organization and year."""

    points: int
    reason: str
    category: str | None = None  # None: counts in the total only


@dataclass(frozen=True)
class CriterionResult:
    key: str
    category: str
    bonus: bool
    outcome: Outcome
    weight: int
    points: int
    why: str = ""  # the scan's own words about the measurement (English, from the probe)

    def as_dict(self) -> dict:
        return {"key": self.key, "category": self.category, "bonus": self.bonus, "outcome": self.outcome.value,
                "weight": self.weight, "points": self.points, "why": self.why}


@dataclass(frozen=True)
class CategoryScore:
    category: str
    base: int  # points from base criteria, 0–100
    bonus: int  # points from bonus criteria
    adjustments: int  # signed
    score: int  # base + bonus + adjustments

    def as_dict(self) -> dict:
        return {"category": self.category, "base": self.base, "bonus": self.bonus,
                "adjustments": self.adjustments, "score": self.score}


@dataclass(frozen=True)
class Scorecard:
    categories: dict[str, CategoryScore]
    criteria: list[CriterionResult]
    unassigned_adjustments: int  # adjustments without a category
    total: int
    honor_roll: bool
    shortfalls: list[str] = field(default_factory=list)  # why not on the Honor Roll, in English

    @property
    def percent(self) -> float:
        return round(100.0 * self.total / TOTAL_BASE, 2)


def evaluate(result: DomainResult) -> dict[str, Outcome]:
    """Each criterion's outcome for one scan row (weights play no part)."""
    return {c.key: c.test(result) for c in CRITERIA}


def score_outcomes(outcomes: Mapping[str, Outcome | str], weights: Weights,
                   adjustments: Iterable[Adjustment] = (), why: Mapping[str, str] | None = None) -> Scorecard:
    """The scorecard of a set of criterion outcomes under ``weights``."""
    why = why or {}
    results: list[CriterionResult] = []
    base = dict.fromkeys(CATEGORIES, 0)
    bonus = dict.fromkeys(CATEGORIES, 0)
    for c in CRITERIA:
        outcome = Outcome(outcomes.get(c.key, Outcome.NOT_MEASURED))
        weight = weights.of(c.key)
        points = weight if outcome is Outcome.PASSED else 0
        (bonus if c.bonus else base)[c.category] += points
        results.append(CriterionResult(c.key, c.category, c.bonus, outcome, weight, points, why.get(c.check, "")))
    adjusted = dict.fromkeys(CATEGORIES, 0)
    unassigned = 0
    for adj in adjustments:
        if adj.category in adjusted:
            adjusted[adj.category] += adj.points
        else:
            unassigned += adj.points
    categories = {cat: CategoryScore(cat, base[cat], bonus[cat], adjusted[cat], base[cat] + bonus[cat] + adjusted[cat])
                  for cat in CATEGORIES}
    total = sum(s.score for s in categories.values()) + unassigned
    shortfalls = []
    if total * 100 < HONOR_ROLL_PERCENT * TOTAL_BASE:
        shortfalls.append(f"total {total} is below {HONOR_ROLL_PERCENT}% of {TOTAL_BASE}")
    for cat, s in categories.items():
        if s.score < HONOR_ROLL_CATEGORY_MINIMUM:
            shortfalls.append(f"{cat} {s.score} is below {HONOR_ROLL_CATEGORY_MINIMUM}")
    return Scorecard(categories=categories, criteria=results, unassigned_adjustments=unassigned, total=total,
                     honor_roll=not shortfalls, shortfalls=shortfalls)


def score(result: DomainResult, weights: Weights, adjustments: Iterable[Adjustment] = ()) -> Scorecard:
    """The scorecard of one scan row."""
    return score_outcomes(evaluate(result), weights, adjustments, why=result.why)
