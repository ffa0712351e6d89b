"""Demo data: people, individual memberships in every state, organization members and
their dues ledger, reproducible from a seed and marked ``is_demo`` everywhere.

How it works, and why:

1. **Plan** everything in memory from one ``random.Random(seed)`` (and Faker instances
   seeded from it). Each person's membership history is a script of dated actions (join,
   pay, renew, upgrade, downgrade, cancel, and the nightly lapse job) replayed by
   ``_Member``, which applies the same rules as ``isoc.members.services`` on a simulated
   clock. The history is therefore what the services would have written had members
   acted on those dates (a test replays the scripts through the services and compares).
   The services themselves are not called per person: they take row locks and run
   several queries per action, far too slow for 100,000 people.
2. **Number** the ledger: invoices, payments and credit notes get gapless numbers per
   series and year, in date order, continuing each ``DocumentSequence``.
3. **Write** rows with ``bulk_create`` in batches, all in one transaction, so a failure
   leaves nothing half-made.

All dates are relative to the start of the current UTC day, so the same seed gives the
same data all day long, and statuses (computed by ``status.py`` from the dated terms)
come out the same whenever they are asked for that day.
"""

from __future__ import annotations

import itertools
import secrets
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import (
    CASCADE,
    DO_NOTHING,
    SET_NULL,
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    JSONField,
    Model,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from faker import Faker

from isoc.members import models as m
from isoc.members.numbering import format_number, parse_number
from isoc.members.status import Category, Status, TermFacts, standing_at

DEMO_DOMAIN = "demo.isoc.example"
HISTORY_DAYS = 3 * 365
TERM_LENGTH = timedelta(days=365)  # as services.TERM_LENGTH
PAYMENT_DUE = timedelta(days=30)  # as services.PAYMENT_DUE
REMINDER_DAYS = (30, 7)  # as services.REMINDER_DAYS
LAPSE_JOB_HOUR = 3  # the nightly lapse job is assumed to run at 03:00 UTC
PEOPLE_PER_BATCH = 2000
FAKER_PROVIDERS = ["faker.providers.person", "faker.providers.address", "faker.providers.company"]

# Countries weighted by Internet users (rough millions, ITU/DataReportal order of
# magnitude for 2023; only the proportions matter), with the Faker locale used for names,
# cities and companies where Faker has one for that country (es_CL fails unweighted).
COUNTRIES: tuple[tuple[str, float, str], ...] = (
    ("CN", 1090, "zh_CN"), ("IN", 880, "en_IN"), ("US", 310, "en_US"), ("ID", 215, "id_ID"),
    ("BR", 180, "pt_BR"), ("RU", 130, "ru_RU"), ("NG", 120, "en_NG"), ("PK", 110, "en_PK"),
    ("JP", 105, "ja_JP"), ("MX", 100, "es_MX"), ("PH", 85, "en_PH"), ("EG", 80, "ar_EG"),
    ("VN", 78, "vi_VN"), ("DE", 78, "de_DE"), ("BD", 75, "en_BD"), ("TR", 72, "tr_TR"),
    ("IR", 70, "fa_IR"), ("GB", 66, "en_GB"), ("FR", 60, "fr_FR"), ("TH", 60, "th_TH"),
    ("IT", 51, "it_IT"), ("KR", 50, "ko_KR"), ("ES", 45, "es_ES"), ("ZA", 43, "zu_ZA"),
    ("AR", 40, "es_AR"), ("CO", 38, "es_CO"), ("CA", 37, "en_CA"), ("SA", 35, "ar_SA"),
    ("PL", 33, "pl_PL"), ("DZ", 32, "fr_DZ"), ("MA", 31, "fr_FR"), ("MY", 31, "en_MS"),
    ("UA", 30, "uk_UA"), ("IQ", 30, "ar_AA"), ("UZ", 27, "uz_UZ"), ("AU", 25, "en_AU"),
    ("PE", 25, "es"), ("KE", 23, "en_KE"), ("MM", 23, "en"), ("ET", 22, "am_ET"),
    ("TW", 21, "zh_TW"), ("VE", 21, "es"), ("TZ", 18, "sw"), ("NL", 17, "nl_NL"),
    ("CL", 17, "es"), ("GH", 17, "tw_GH"), ("KZ", 17, "ru_RU"), ("RO", 17, "ro_RO"),
    ("NP", 15, "ne_NP"), ("EC", 14, "es"), ("UG", 12, "en"), ("CM", 12, "fr_FR"),
    ("LK", 11, "si_LK"), ("BE", 11, "nl_BE"), ("SE", 10, "sv_SE"), ("AE", 10, "ar_AE"),
    ("CI", 10, "fr_FR"), ("CZ", 9.5, "cs_CZ"), ("SN", 9, "fr_FR"), ("JO", 9, "ar_JO"),
    ("GT", 9, "es"), ("KH", 9, "en"), ("PT", 8.7, "pt_PT"), ("HU", 8.6, "hu_HU"),
    ("AT", 8.4, "de_AT"), ("CH", 8.4, "de_CH"), ("IL", 8.4, "he_IL"), ("GR", 8.4, "el_GR"),
    ("TN", 8, "fr_FR"), ("DO", 8, "es"), ("BO", 8, "es"), ("AZ", 8, "az_AZ"),
    ("BY", 8, "ru_RU"), ("HK", 7, "zh_TW"), ("RS", 6, "hr_HR"), ("DK", 5.8, "da_DK"),
    ("SG", 5.5, "en"), ("NO", 5.4, "no_NO"), ("FI", 5.3, "fi_FI"), ("BG", 5, "bg_BG"),
    ("LB", 5, "ar_AA"), ("ZW", 5, "en"), ("SK", 4.7, "sk_SK"), ("IE", 4.7, "en_IE"),
    ("NZ", 4.7, "en_NZ"), ("CR", 4.3, "es"), ("HR", 3.4, "hr_HR"), ("UY", 3, "es"),
    ("PA", 3, "es"), ("PS", 3, "ar_PS"), ("GE", 3, "ka_GE"), ("QA", 2.9, "ar_AA"),
    ("MN", 2.7, "en"), ("BA", 2.5, "bs_BA"), ("LT", 2.4, "lt_LT"), ("AM", 2.3, "hy_AM"),
    ("AL", 2, "sq_AL"), ("SI", 1.8, "sl_SI"), ("MK", 1.7, "mk_MK"), ("LV", 1.7, "lv_LV"),
    ("EE", 1.2, "et_EE"), ("CY", 1, "el_CY"), ("MU", 0.9, "en"), ("LU", 0.6, "lb_LU"),
    ("MT", 0.5, "mt_MT"), ("IS", 0.4, "is_IS"),
)

BIOS = (
    "Network engineer working on IPv6 deployment.",
    "Interested in routing security and MANRS.",
    "Community network volunteer.",
    "Researcher in Internet measurement.",
    "Policy advocate for an open, globally connected Internet.",
    "Teaches networking at a local university.",
    "Runs an Internet exchange point.",
    "Works on DNSSEC and DNS privacy.",
    "Student, curious about how the Internet works.",
    "Chapter volunteer organizing local events.",
    "Cybersecurity analyst.",
    "Web developer who cares about accessibility.",
    "Works for a rural ISP.",
    "Digital rights lawyer.",
    "Fellow of an Internet Society programme.",
)

# Individual membership scenarios and their weights. The first person of a demo set goes
# through each scenario in this order, so even a small set has every state.
SCENARIOS: tuple[tuple[str, int], ...] = (
    ("global", 30),
    ("sustaining_new", 8),
    ("pending", 5),
    ("sustaining", 16),
    ("lapsed", 6),
    ("lapsed_recent", 1),
    ("upgrade", 9),
    ("downgrade", 5),
    ("cancel_pending", 3),
    ("cancel_global", 3),
    ("cancel_sustaining", 3),
    ("no_membership", 4),
)
TIER_WEIGHTS = (35, 25, 18, 12, 6, 4)  # by rank, lowest first: many small, few platinum
ORG_KINDS: tuple[tuple[str, int], ...] = (("active", 88), ("pending", 8), ("lapsed", 4))


class DemoError(Exception):
    """The demo data cannot be generated or reset; the message says why."""


@dataclass
class DemoReport:
    """What ``generate`` did (or why it did nothing)."""

    created: bool
    message: str = ""
    people: int = 0
    organizations: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    organization_statuses: dict[str, int] = field(default_factory=dict)
    tiers: dict[str, int] = field(default_factory=dict)
    invoices: int = 0
    payments: int = 0
    credit_notes: int = 0
    events: int = 0
    deleted: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    password: str = ""

    def __str__(self) -> str:
        lines = []
        if self.deleted:
            lines.append("Deleted previous demo data: " + ", ".join(f"{n} {k}" for k, n in self.deleted.items()))
        if not self.created:
            lines.append(self.message)
            return "\n".join(lines)
        lines += [
            f"Created {self.people:,} demo people and {self.organizations:,} demo organizations "
            f"in {self.seconds:.1f} s.",
            "People by membership status: " + _counts(self.statuses),
            "Organizations: " + _counts(self.organization_statuses) + "; by tier: " + _counts(self.tiers),
            f"Ledger: {self.invoices:,} invoices, {self.payments:,} payments, {self.credit_notes:,} credit notes; "
            f"{self.events:,} history events.",
            f"Demo people's emails end in @{DEMO_DOMAIN}; they all sign in with the password {self.password}",
        ]
        return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counts.items()) or "none"


# --- the plan: people, memberships, organizations, ledger ------------------------------


class _Doc:
    """An invoice, payment or credit note; numbered once everything is planned."""

    __slots__ = ("series", "at", "order", "number", "pk")

    def __init__(self, series: str, at: datetime, order: tuple[float, int]):
        # Numbered by (at, order): documents issued at one instant are numbered in the
        # order the services would issue them.
        self.series, self.at, self.order = series, at, order
        self.number = ""
        self.pk: int | None = None


class _Invoice(_Doc):
    __slots__ = ("description", "amount", "currency", "payments", "credits")

    def __init__(self, at: datetime, order: tuple[float, int], description: str, amount: Decimal, currency: str):
        super().__init__("INV", at, order)
        self.description, self.amount, self.currency = description, amount, currency
        self.payments: list[_Payment] = []
        self.credits: list[_Credit] = []

    @property
    def balance(self) -> Decimal:
        return self.amount - sum(p.amount for p in self.payments) - sum(c.amount for c in self.credits)


class _Payment(_Doc):
    __slots__ = ("invoice", "amount", "reference")

    def __init__(self, at: datetime, order: tuple[float, int], invoice: _Invoice, amount: Decimal, reference: str):
        super().__init__("PAY", at, order)
        self.invoice, self.amount, self.reference = invoice, amount, reference


class _Credit(_Doc):
    __slots__ = ("invoice", "amount", "reason", "by_person")

    def __init__(self, at: datetime, order: tuple[float, int], invoice: _Invoice, amount: Decimal, reason: str,
                 by_person: bool):
        super().__init__("CRN", at, order)
        self.invoice, self.amount, self.reason, self.by_person = invoice, amount, reason, by_person


class _Ledger:
    """Every document of the demo, in the order they were issued."""

    def __init__(self) -> None:
        self.invoices: list[_Invoice] = []
        self.payments: list[_Payment] = []
        self.credits: list[_Credit] = []
        self._order = itertools.count()

    def invoice(self, at: datetime, description: str, amount: Decimal, currency: str) -> _Invoice:
        doc = _Invoice(at, (0, next(self._order)), description, amount, currency)
        self.invoices.append(doc)
        return doc

    def pay(self, invoice: _Invoice, at: datetime, reference: str) -> _Payment:
        doc = _Payment(at, (0, next(self._order)), invoice, invoice.balance, reference)
        invoice.payments.append(doc)
        self.payments.append(doc)
        return doc

    def void(self, invoice: _Invoice, at: datetime, reason: str, by_person: bool, rank: float = 0) -> _Credit | None:
        """As ``services.void_invoice``: credit what is still due. ``rank`` orders the
        credit notes one run of the lapse job issues at the same instant."""
        if invoice.balance <= 0:
            return None
        doc = _Credit(at, (rank, next(self._order)), invoice, invoice.balance, reason, by_person)
        invoice.credits.append(doc)
        self.credits.append(doc)
        return doc


class _Term:
    __slots__ = ("category", "starts_at", "ends_at", "created_at", "voided_at", "invoice", "reminders", "pk")

    def __init__(self, category: str, created_at: datetime, starts_at: datetime | None = None,
                 invoice: _Invoice | None = None):
        self.category, self.created_at, self.starts_at, self.invoice = category, created_at, starts_at, invoice
        self.ends_at: datetime | None = None
        self.voided_at: datetime | None = None
        self.reminders: dict[int, datetime] = {}  # days before the end -> queued (and sent) at
        self.pk: int | None = None

    def facts(self) -> TermFacts:
        return TermFacts(self.category, self.starts_at, self.ends_at)


class _Event:
    """A MembershipEvent or OrganizationEvent. ``note`` may name an invoice whose number is
    only known after numbering: ``note.format(number)``."""

    __slots__ = ("at", "kind", "by_person", "from_status", "to_status", "note", "invoice")

    def __init__(self, at: datetime, kind: str, by_person: bool, from_status: str, to_status: str,
                 note: str, invoice: _Invoice | None = None):
        self.at, self.kind, self.by_person = at, kind, by_person
        self.from_status, self.to_status, self.note, self.invoice = from_status, to_status, note, invoice

    def text(self) -> str:
        return (self.note.format(self.invoice.number) if self.invoice else self.note)[:300]


class _Membership:
    __slots__ = ("created_at", "cancelled_at", "closed_at", "terms", "events", "pk")

    def __init__(self, created_at: datetime):
        self.created_at = created_at
        self.cancelled_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.terms: list[_Term] = []
        self.events: list[_Event] = []
        self.pk: int | None = None

    def standing(self, at: datetime):
        return standing_at([t.facts() for t in self.terms], at, created_at=self.created_at,
                           cancelled_at=self.cancelled_at)

    def status(self, at: datetime) -> str:
        standing = self.standing(at)
        return standing.status if standing else ""

    def pending_terms(self) -> list[_Term]:
        return [t for t in self.terms if t.starts_at is None and t.voided_at is None]

    def log(self, at: datetime, kind: str, by_person: bool, before: str, after: str, note: str,
            invoice: _Invoice | None = None) -> None:
        self.events.append(_Event(at, kind, by_person, before or "", after or "", note, invoice))


def _term_start(dated_ends: Iterable[datetime | None], paid_at: datetime) -> datetime:
    """As ``services._term_start``: a paid term starts when paid, or when the paid time
    before it runs out."""
    return max((end for end in dated_ends if end is not None and end > paid_at), default=paid_at)


def _job_instant(at: datetime) -> datetime:
    """The first run of the nightly lapse job at or after ``at``."""
    run = at.replace(hour=LAPSE_JOB_HOUR, minute=0, second=0, microsecond=0)
    return run if run >= at else run + timedelta(days=1)


class _Member:
    """One person's memberships, changed by dated actions under the rules of
    ``isoc.members.services``. Each action returns False (changing nothing) where the
    service would raise ``RuleViolation``. Applied actions are kept in ``steps`` so a
    test can replay them through the services."""

    def __init__(self, ledger: _Ledger, rates: Sequence[tuple[datetime, Decimal, str]], rng: Random,
                 anchor: datetime):
        self.ledger, self.rates, self.rng, self.anchor = ledger, rates, rng, anchor
        self.memberships: list[_Membership] = []
        self.invoices: list[_Invoice] = []
        self.steps: list[tuple[str, datetime, str]] = []
        self.clock: datetime | None = None

    @property
    def current(self) -> _Membership | None:
        return next((ms for ms in self.memberships if ms.closed_at is None), None)

    def paid_until(self) -> datetime | None:
        ms = self.current
        ends = [t.ends_at for t in ms.terms if t.category == Category.SUSTAINING and t.ends_at] if ms else []
        return max(ends, default=None)

    def _advance(self, at: datetime, step: str, arg: str = "") -> None:
        if at >= self.anchor:
            raise ValueError(f"demo action {step} at {at} is not in the past")
        self.nightly(at)
        if self.clock is not None and at < self.clock:
            raise ValueError(f"demo actions out of order: {step} at {at} after {self.clock}")
        self.clock = at
        self.steps.append((step, at, arg))

    def _rate(self, at: datetime) -> tuple[Decimal, str]:
        # The rate in force when the invoice is issued (as DuesRate.current() then).
        for effective_from, amount, currency in self.rates:
            if effective_from <= at:
                return amount, currency
        raise DemoError("No sustaining dues rate was in force; staff must set one.")

    def _sustaining_term(self, ms: _Membership, at: datetime, description: str) -> _Term:
        amount, currency = self._rate(at)
        invoice = self.ledger.invoice(at, description, amount, currency)
        self.invoices.append(invoice)
        term = _Term(Category.SUSTAINING, at, invoice=invoice)
        ms.terms.append(term)
        return term

    def _void_pending(self, ms: _Membership, at: datetime, reason: str, by_person: bool, rank: float = 0) -> None:
        for term in ms.pending_terms():
            if term.invoice is not None and self.ledger.void(term.invoice, at, reason, by_person, rank):
                term.voided_at = at

    def _close_if_lapsed(self, ms: _Membership, at: datetime, by_person: bool) -> bool:
        standing = ms.standing(at)
        if standing is None or standing.status != Status.LAPSED:
            return False
        # The lapse job takes memberships newest first (their default ordering).
        rank = 0 if by_person else -ms.created_at.timestamp()
        self._void_pending(ms, at, _("Membership lapsed before this renewal was paid."), by_person, rank)
        ended = max((t.ends_at for t in ms.terms if t.ends_at is not None), default=at)
        ms.closed_at = min(ended, at)
        ms.log(at, "lapsed", by_person, Status.ACTIVE, Status.LAPSED, "paid term ended")
        return True

    def _active(self, at: datetime, category: str) -> _Membership | None:
        ms = self.current
        if ms is None:
            return None
        standing = ms.standing(at)
        if standing is None or standing.status != Status.ACTIVE or standing.category != category:
            return None
        return ms

    # -- what members do (each as the service of the same name) --

    def join(self, category: str, at: datetime) -> bool:
        ms = self.current
        if ms is not None:
            self.nightly(at)
            ms = self.current
            if ms is not None and not self._close_if_lapsed(ms, at, True):
                return False
        self._advance(at, "join", category)
        ms = _Membership(at)
        self.memberships.append(ms)
        if category == Category.GLOBAL:
            ms.terms.append(_Term(Category.GLOBAL, at, starts_at=at))
        else:
            self._sustaining_term(ms, at, _("Sustaining membership dues, first year"))
        ms.log(at, "joined", True, "", ms.status(at), f"joined as {category}")
        return True

    def pay(self, at: datetime) -> bool:
        """The secretariat records full payment of the invoice awaiting payment."""
        ms = self.current
        pending = ms.pending_terms() if ms else []
        if ms is None or not pending or pending[0].invoice is None or pending[0].invoice.balance <= 0:
            return False
        reference = f"BT{self.rng.randrange(10**10):010d}"
        self._advance(at, "pay", reference)
        term, invoice = pending[0], pending[0].invoice
        self.ledger.pay(invoice, at, reference)
        before = ms.status(at)
        paid = [t.ends_at for t in ms.terms if t.starts_at is not None and t.category == Category.SUSTAINING]
        start = _term_start(paid, at)
        term.starts_at, term.ends_at = start, start + TERM_LENGTH
        for other in ms.terms:
            if (other.category == Category.GLOBAL and other.ends_at is None and other.starts_at is not None
                    and other.starts_at <= start):
                other.ends_at = start
        ms.log(at, "paid", False, before, ms.status(at), "{} paid", invoice)
        return True

    def renew(self, at: datetime) -> bool:
        self.nightly(at)
        ms = self._active(at, Category.SUSTAINING)
        if ms is None or ms.pending_terms() or any(t.starts_at and t.starts_at > at for t in ms.terms):
            return False
        self._advance(at, "renew")
        term = self._sustaining_term(ms, at, _("Sustaining membership dues, renewal"))
        ms.log(at, "renewal_invoiced", True, Status.ACTIVE, Status.ACTIVE, "{}", term.invoice)
        return True

    def upgrade(self, at: datetime) -> bool:
        self.nightly(at)
        ms = self._active(at, Category.GLOBAL)
        if ms is None or ms.pending_terms():
            return False
        self._advance(at, "upgrade")
        term = self._sustaining_term(ms, at, _("Sustaining membership dues, upgrade from global"))
        ms.log(at, "upgrade_invoiced", True, Status.ACTIVE, Status.ACTIVE, "{}", term.invoice)
        return True

    def downgrade(self, at: datetime) -> bool:
        self.nightly(at)
        ms = self._active(at, Category.SUSTAINING)
        if ms is None or any(t.category == Category.GLOBAL and t.starts_at and t.starts_at > at for t in ms.terms):
            return False
        self._advance(at, "downgrade")
        self._void_pending(ms, at, _("Renewal withdrawn: downgraded to global."), True)
        start = max(t.ends_at for t in ms.terms if t.category == Category.SUSTAINING and t.ends_at)
        ms.terms.append(_Term(Category.GLOBAL, at, starts_at=start))
        ms.log(at, "downgraded", True, Status.ACTIVE, Status.ACTIVE, f"global from {start:%Y-%m-%d}")
        return True

    def cancel(self, at: datetime) -> bool:
        self.nightly(at)
        ms = self.current
        if ms is None:
            return False
        self._advance(at, "cancel")
        before = ms.status(at)
        self._void_pending(ms, at, _("Membership cancelled."), True)
        ms.cancelled_at = ms.closed_at = at
        ms.log(at, "cancelled", True, before, Status.CANCELLED, "")
        return True

    # -- the nightly lapse job (services.lapse_due) --

    def nightly(self, until: datetime) -> None:
        """Run the lapse job at every night before ``until`` (and before the anchor) on
        which it would do something for this person: 30 and 7 days before a paid term
        ends, and when it ends. On other nights it changes nothing."""
        while (ms := self.current) is not None:
            run = self._next_run(ms)
            if run is None or run >= until or run >= self.anchor:
                return
            self.clock = run
            self.steps.append(("nightly", run, ""))
            if not self._close_if_lapsed(ms, run, False):
                self._queue_reminders(ms, run)

    def _next_run(self, ms: _Membership) -> datetime | None:
        runs = []
        for term in ms.terms:
            if term.category == Category.SUSTAINING and term.ends_at is not None:
                for before in (*REMINDER_DAYS, 0):
                    run = _job_instant(term.ends_at - timedelta(days=before))
                    if self.clock is None or run > self.clock:
                        runs.append(run)
        return min(runs, default=None)

    def _queue_reminders(self, ms: _Membership, at: datetime) -> None:
        if self._active(at, Category.SUSTAINING) is not ms:
            return
        if any((t.starts_at is None and t.voided_at is None) or (t.starts_at and t.starts_at > at) for t in ms.terms):
            return
        term = next((t for t in ms.terms if t.category == Category.SUSTAINING and t.starts_at and t.ends_at
                     and t.starts_at <= at < t.ends_at), None)
        if term is None or term.ends_at is None:
            return
        for days in REMINDER_DAYS:
            if term.ends_at - timedelta(days=days) <= at:
                term.reminders.setdefault(days, at)


class _Organization:
    """One organization member's history under ``services.join_organization``,
    ``record_payment`` and ``renew_organization``."""

    def __init__(self, ledger: _Ledger, rng: Random, index: int, tiers: Sequence[m.OrganizationTier]):
        self.ledger, self.rng, self.index, self.tiers = ledger, rng, index, tiers
        self.legal_name = self.slug = self.country = self.website = self.description = ""
        self.contact = 0  # index into the planned people
        self.tier: m.OrganizationTier = tiers[0]
        self.created_at: datetime | None = None
        self.terms: list[tuple[_Term, m.OrganizationTier]] = []
        self.invoices: list[_Invoice] = []
        self.events: list[_Event] = []
        self.steps: list[tuple[str, datetime, str]] = []  # as _Member.steps
        self.pk: int | None = None

    def _term(self, tier: m.OrganizationTier, at: datetime, description: str) -> _Invoice:
        invoice = self.ledger.invoice(at, description, tier.annual_fee, tier.currency)
        self.invoices.append(invoice)
        self.terms.append((_Term(tier.slug, at, invoice=invoice), tier))
        return invoice

    def join(self, tier: m.OrganizationTier, at: datetime) -> None:
        self.steps.append(("join", at, tier.slug))
        self.created_at, self.tier = at, tier
        self._term(tier, at, _("Organization membership, %(tier)s tier, first year") % {"tier": tier.name})
        self.events.append(_Event(at, "joined", True, "", "", f"tier {tier.slug}"))

    def pending(self) -> _Term | None:
        return next((t for t, _tier in self.terms if t.starts_at is None and t.voided_at is None), None)

    def pay(self, at: datetime) -> None:
        term = self.pending()
        assert term is not None and term.invoice is not None
        reference = f"BT{self.rng.randrange(10**10):010d}"
        self.steps.append(("pay", at, reference))
        self.ledger.pay(term.invoice, at, reference)
        start = _term_start([t.ends_at for t, _tier in self.terms if t.starts_at is not None], at)
        term.starts_at, term.ends_at = start, start + TERM_LENGTH
        tier = next(tier for t, tier in self.terms if t is term)
        if tier.pk != self.tier.pk:
            self.tier = tier
        self.events.append(_Event(at, "paid", False, "", "", "{} paid", term.invoice))

    def renew(self, tier: m.OrganizationTier, at: datetime) -> None:
        self.steps.append(("renew", at, tier.slug))
        invoice = self._term(tier, at, _("Organization membership, %(tier)s tier, renewal") % {"tier": tier.name})
        self.events.append(_Event(at, "renewal_invoiced", True, "", "", "{}", invoice))

    def paid_until(self) -> datetime | None:
        return max((t.ends_at for t, _tier in self.terms if t.ends_at), default=None)

    def standing(self, at: datetime):
        assert self.created_at is not None
        return standing_at([t.facts() for t, _tier in self.terms], at, created_at=self.created_at, cancelled_at=None)


@dataclass
class _Person:
    index: int
    email: str
    first_name: str
    last_name: str
    country: str
    city: str
    organization: str
    bio: str
    website: str
    directory_listed: bool
    shown: tuple[str, ...]
    date_joined: datetime
    member: _Member
    pk: int | None = None


# --- random helpers --------------------------------------------------------------------


def _ago(rng: Random, anchor: datetime, lo: int, hi: int) -> datetime:
    """A random instant between ``hi`` and ``lo - 1`` days before the anchor (lo >= 1)."""
    return anchor - timedelta(days=rng.randint(lo, hi)) + timedelta(seconds=rng.randrange(86400))


def _later(rng: Random, at: datetime, lo: int, hi: int) -> datetime:
    """A random instant ``lo`` to ``hi + 1`` days after ``at``."""
    return at + timedelta(days=rng.randint(lo, hi), seconds=rng.randrange(86400))


def _between(rng: Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randrange(max(1, int((end - start).total_seconds()))))


T = TypeVar("T")


def _weighted(options: Sequence[tuple[T, float]]) -> tuple[list[T], list[float]]:
    values = [value for value, _w in options]
    cumulative = list(itertools.accumulate(w for _v, w in options))
    return values, cumulative


def _ascii(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text`` (accents dropped), for emails."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


# --- membership scripts ----------------------------------------------------------------


def _sustain(member: _Member, rng: Random, anchor: datetime, renew_p: float = 0.8, pay_p: float = 0.9) -> None:
    """Renew year after year until the present, while the member keeps renewing and
    paying; a renewal left unpaid is voided by the lapse job when the year ends."""
    while (end := member.paid_until()) is not None:
        renew_at = end - timedelta(days=rng.randint(1, 28), seconds=rng.randrange(86400))
        if renew_at >= anchor or rng.random() >= renew_p or not member.renew(renew_at):
            return
        paid_at = _later(rng, renew_at, 0, 10)
        if paid_at >= end or paid_at >= anchor or rng.random() >= pay_p:
            return
        member.pay(paid_at)


def _join_and_pay(member: _Member, rng: Random, joined: datetime) -> None:
    member.join(Category.SUSTAINING, joined)
    member.pay(_later(rng, joined, 0, 19))


def _script(kind: str, member: _Member, rng: Random, anchor: datetime) -> None:
    """Drive one person's memberships through the scenario ``kind``."""
    if kind == "global":
        member.join(Category.GLOBAL, _ago(rng, anchor, 1, HISTORY_DAYS))
    elif kind == "pending":
        member.join(Category.SUSTAINING, _ago(rng, anchor, 1, 45))
    elif kind == "sustaining_new":  # joined less than a year ago, paid: active
        _join_and_pay(member, rng, _ago(rng, anchor, 25, 330))
    elif kind == "sustaining":
        _join_and_pay(member, rng, _ago(rng, anchor, 25, HISTORY_DAYS))
        _sustain(member, rng, anchor)
    elif kind == "lapsed":  # one paid year, not renewed; some join again later
        _join_and_pay(member, rng, _ago(rng, anchor, 400, HISTORY_DAYS))
        end = member.paid_until()
        assert end is not None
        again = _later(rng, end, 10, 200)
        if rng.random() < 0.4 and again < anchor:
            if rng.random() < 0.5:
                member.join(Category.GLOBAL, again)
            elif member.join(Category.SUSTAINING, again) and (paid := _later(rng, again, 0, 19)) < anchor:
                member.pay(paid)
    elif kind == "lapsed_recent":
        # The paid year ended since the last nightly run: lapsed, not yet closed.
        last_run = anchor - timedelta(days=1) + timedelta(hours=LAPSE_JOB_HOUR)
        paid = _between(rng, last_run + timedelta(minutes=1), anchor - timedelta(minutes=1)) - TERM_LENGTH
        member.join(Category.SUSTAINING, paid - timedelta(days=rng.randint(0, 19), seconds=rng.randrange(86400)))
        member.pay(paid)
    elif kind == "upgrade":
        joined = _ago(rng, anchor, 60, HISTORY_DAYS)
        member.join(Category.GLOBAL, joined)
        upgraded = _between(rng, joined + timedelta(days=20), anchor - timedelta(days=1))
        member.upgrade(upgraded)
        if rng.random() < 0.8 and (paid := _later(rng, upgraded, 0, 14)) < anchor:
            member.pay(paid)
            _sustain(member, rng, anchor)
    elif kind == "downgrade":
        _join_and_pay(member, rng, _ago(rng, anchor, 60, 700))
        _sustain(member, rng, anchor, renew_p=0.6)
        end = member.paid_until()
        assert end is not None and member.clock is not None
        start = max(end - TERM_LENGTH, member.clock) + timedelta(minutes=1)
        stop = min(end, anchor) - timedelta(minutes=1)
        if start < stop:
            member.downgrade(_between(rng, start, stop))
    elif kind == "cancel_pending":
        joined = _ago(rng, anchor, 5, 400)
        member.join(Category.SUSTAINING, joined)
        member.cancel(_between(rng, joined + timedelta(hours=1), min(anchor, joined + timedelta(days=40))))
    elif kind == "cancel_global":
        joined = _ago(rng, anchor, 30, HISTORY_DAYS)
        member.join(Category.GLOBAL, joined)
        member.cancel(_between(rng, joined + timedelta(days=1), anchor))
    elif kind == "cancel_sustaining":
        _join_and_pay(member, rng, _ago(rng, anchor, 60, 360))
        assert member.clock is not None
        member.cancel(_between(rng, member.clock + timedelta(days=1), anchor))
    member.nightly(anchor)


# --- planning --------------------------------------------------------------------------


class _Fakers:
    """One Faker per locale, each seeded from the demo seed and its locale name, so the
    names drawn for a country depend only on the seed and the order of people."""

    def __init__(self, seed: int):
        self.seed = seed
        self._by_locale: dict[str, Faker] = {}

    def __getitem__(self, locale: str) -> Faker:
        fake = self._by_locale.get(locale)
        if fake is None:
            # Only the providers used: loading all of them for 80 locales takes seconds.
            # Unweighted draws: Faker's frequency-weighted names are ten times slower.
            fake = Faker(locale, providers=FAKER_PROVIDERS, use_weighting=False)
            fake.seed_instance(zlib.crc32(f"{self.seed}:{locale}".encode()))
            self._by_locale[locale] = fake
        return fake


def _email_part(fake: Faker, name: str, romanized: str) -> str:
    # Faker's Chinese and Japanese locales have romanized names; elsewhere accents drop.
    method = getattr(fake, romanized, None)
    return _ascii(method() if method and not _ascii(name) else name)


class _Emails:
    """Unique addresses under the demo domain: ``first.last``, then ``first.last.2``..."""

    def __init__(self, taken: Iterable[str]):
        self.taken = set(taken)
        self.next: dict[str, int] = {}

    def new(self, local: str) -> str:
        n = self.next.get(local, 1)
        email = f"{local}@{DEMO_DOMAIN}" if n == 1 else f"{local}.{n}@{DEMO_DOMAIN}"
        while email in self.taken:
            n += 1
            email = f"{local}.{n}@{DEMO_DOMAIN}"
        self.next[local] = n + 1
        self.taken.add(email)
        return email


def _plan_person(index: int, rng: Random, fakers: _Fakers, countries: tuple[list[tuple[str, str]], list[float]],
                 emails: _Emails, ledger: _Ledger, rates, anchor: datetime, scenarios) -> _Person:
    (country, locale), = rng.choices(countries[0], cum_weights=countries[1])
    fake = fakers[locale]
    first, last = fake.first_name()[:150], fake.last_name()[:150]
    # Names in scripts without a romanization get a neutral address (member.ru.7@...).
    local = ".".join(p for p in (_email_part(fake, first, "first_romanized_name"),
                                 _email_part(fake, last, "last_romanized_name")) if p) or f"member.{country.lower()}"
    email = emails.new(local)
    city, company = fake.city()[:100], fake.company()[:200]
    bio = rng.choice(BIOS) if rng.random() < 0.4 else ""
    website = f"https://www.{local.replace('.', '')}.example/" if rng.random() < 0.25 else ""
    listed = rng.random() < 0.4
    shown = tuple(f for f, p in (("country", 0.85), ("city", 0.45), ("organization", 0.5), ("bio", 0.3),
                                 ("website", 0.2)) if rng.random() < p) if listed else ()
    kind = SCENARIOS[index][0] if index < len(SCENARIOS) else rng.choices(scenarios[0], cum_weights=scenarios[1])[0]
    member = _Member(ledger, rates, rng, anchor)
    _script(kind, member, rng, anchor)
    first_act = member.steps[0][1] if member.steps else _ago(rng, anchor, 1, HISTORY_DAYS)
    joined = first_act - timedelta(seconds=rng.randrange(3 * 86400))
    return _Person(index, email, first, last, country, city, company, bio, website, listed, shown, joined, member)


def _plan_organizations(count: int, rng: Random, fakers: _Fakers, countries, people: list[_Person],
                        ledger: _Ledger, tiers: Sequence[m.OrganizationTier], anchor: datetime) -> list[_Organization]:
    if count and not people:
        raise DemoError("Organizations need contact people: ask for at least one demo person.")
    names = {n.lower() for n in m.Organization.objects.filter(cancelled_at__isnull=True).values_list("legal_name", flat=True)}
    slugs = set(m.Organization.objects.values_list("slug", flat=True))
    contacts = rng.sample(range(len(people)), count) if count <= len(people) else [rng.randrange(len(people)) for _ in range(count)]
    tier_choice = _weighted(list(zip(tiers, TIER_WEIGHTS, strict=False)))
    kinds = _weighted(ORG_KINDS)
    orgs = []
    for i in range(count):
        org = _Organization(ledger, rng, i, tiers)
        (org.country, locale), = rng.choices(countries[0], cum_weights=countries[1])
        fake = fakers[locale]
        org.legal_name = _unique_name(fake.company()[:190], names)
        org.website = f"https://www.{slugify(org.legal_name)[:60] or f'organization-{i + 1}'}.example/"
        org.description = rng.choice(("", "Supports an open, globally connected Internet.",
                                      "Builds and operates networks.", "Internet services and hosting."))
        # The first organizations cover every tier (active) and the other states.
        tier = tiers[i] if i < len(tiers) else rng.choices(tier_choice[0], cum_weights=tier_choice[1])[0]
        kind = ("active" if i < len(tiers) else ORG_KINDS[i - len(tiers)][0] if i < len(tiers) + len(ORG_KINDS)
                else rng.choices(kinds[0], cum_weights=kinds[1])[0])
        _org_script(org, kind, tier, rng, anchor)
        person = people[contacts[i]]
        org.contact = person.index
        person.organization = org.legal_name
        assert org.created_at is not None
        person.date_joined = min(person.date_joined, org.created_at - timedelta(seconds=rng.randrange(86400)))
        orgs.append(org)
    # Slugs as services._unique_slug gives them, in the order the organizations joined.
    for org in sorted(orgs, key=lambda o: (o.created_at, o.index)):
        org.slug = _unique_slug(org.legal_name, slugs)
    return orgs


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate.lower())
    return candidate


def _unique_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:200] or "organization"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _org_script(org: _Organization, kind: str, tier: m.OrganizationTier, rng: Random, anchor: datetime) -> None:
    if kind == "pending":
        org.join(tier, _ago(rng, anchor, 1, 40))
        return
    if kind == "lapsed":
        joined = _ago(rng, anchor, 400, HISTORY_DAYS)
        org.join(tier, joined)
        org.pay(_later(rng, joined, 2, 15))
        return
    joined = _ago(rng, anchor, 20, HISTORY_DAYS)
    org.join(tier, joined)
    org.pay(_later(rng, joined, 2, 15))
    while (end := org.paid_until()) is not None:
        renew_at = end - timedelta(days=rng.randint(15, 45), seconds=rng.randrange(86400))
        if renew_at >= anchor:
            return
        # Now and then an organization moves one tier up or down at renewal.
        rank = org.tier.rank + (rng.choice((-1, 1)) if rng.random() < 0.1 else 0)
        org.renew(next((t for t in org.tiers if t.rank == rank), org.tier), renew_at)
        paid_at = _later(rng, renew_at, 1, 12)
        if paid_at >= anchor:
            return
        org.pay(paid_at)


# --- numbering -------------------------------------------------------------------------


def _number(ledger: _Ledger) -> None:
    """Give every planned document the next numbers of its series and year, in date
    order, continuing (and advancing) the DocumentSequence rows, which stay locked until
    the transaction commits."""
    groups: dict[tuple[str, int], list[_Doc]] = {}
    for doc in itertools.chain(ledger.invoices, ledger.payments, ledger.credits):
        groups.setdefault((doc.series, doc.at.year), []).append(doc)
    for (series, year), docs in sorted(groups.items()):
        m.DocumentSequence.objects.get_or_create(series=series, year=year)
        seq = m.DocumentSequence.objects.select_for_update().get(series=series, year=year)
        docs.sort(key=lambda d: (d.at, d.order))
        for offset, doc in enumerate(docs, start=seq.last + 1):
            doc.number = format_number(series, year, offset)
        seq.last += len(docs)
        seq.save(update_fields=["last"])


# --- writing ---------------------------------------------------------------------------


class _Writer:
    """Inserts rows with ``executemany``. ``bulk_create`` would spend most of its time
    building model instances and preparing each value one by one: minutes for 100,000
    people. Primary keys the other rows need are reserved up front, so nothing has to be
    read back. SQLite and PostgreSQL only (the databases isoc supports)."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        if self.vendor not in ("sqlite", "postgresql"):
            raise DemoError(f"Demo data is written for SQLite or PostgreSQL, not {self.vendor}.")

    def ids(self, model: type[Model], count: int) -> list[int]:
        """Reserve ``count`` primary keys of ``model``'s table."""
        if not count:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [table, model._meta.pk.column, count])
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the transaction holds the write lock, so nobody else takes these.
            # Above the AUTOINCREMENT high-water mark too, so deleted ids are not reused.
            cursor.execute(f"SELECT MAX({connection.ops.quote_name(model._meta.pk.column)}) "
                           f"FROM {connection.ops.quote_name(table)}")
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            first = max(highest, row[0] if row else 0) + 1
        return list(range(first, first + count))

    def insert(self, model: type[Model], rows: list[dict[str, Any]]) -> int:
        """Insert ``rows`` (attribute name -> value; unnamed fields take their defaults;
        the primary key only if every row names it)."""
        if not rows:
            return 0
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in rows[0])]
        defaults = {f.attname: f.get_default() for f in fields if f.attname not in rows[0]}
        prepare = [self._preparer(f) for f in fields]
        qn = connection.ops.quote_name
        sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, [
                    tuple(prep(row[f.attname] if f.attname in row else defaults[f.attname]) if prep else
                          (row[f.attname] if f.attname in row else defaults[f.attname])
                          for f, prep in zip(fields, prepare, strict=True))
                    for row in rows[start : start + 5000]
                ])
        return len(rows)

    @staticmethod
    def _preparer(f: Field) -> Callable[[Any], Any] | None:
        # Only values the database driver cannot take as they are need Django's help.
        if isinstance(f, DateTimeField | DateField | DecimalField | JSONField):
            return lambda value: None if value is None else f.get_db_prep_save(value, connection)
        return None


def _write_people(w: _Writer, people: Sequence[_Person], password_hash: str, group_id: int) -> int:
    """Insert one batch of planned people with their memberships and ledger; returns the
    number of history events written."""
    from allauth.account.models import EmailAddress

    for p, pk in zip(people, w.ids(m.Person, len(people)), strict=True):
        p.pk = pk
    w.insert(m.Person, [{
        "id": p.pk, "email": p.email, "password": password_hash, "first_name": p.first_name,
        "last_name": p.last_name, "country": p.country, "city": p.city, "organization": p.organization,
        "bio": p.bio, "website": p.website, "directory_listed": p.directory_listed, "date_joined": p.date_joined,
        "is_demo": True, **{f"show_{f}": f in p.shown for f in m.DIRECTORY_FIELDS},
    } for p in people])
    w.insert(EmailAddress, [{"user_id": p.pk, "email": p.email, "verified": True, "primary": True} for p in people])
    w.insert(m.Person.groups.through, [{"person_id": p.pk, "group_id": group_id} for p in people])
    _write_ledger(w, [(inv, p.pk, None) for p in people for inv in p.member.invoices])

    pairs = [(p, ms) for p in people for ms in p.member.memberships]
    for (_p, ms), pk in zip(pairs, w.ids(m.IndividualMembership, len(pairs)), strict=True):
        ms.pk = pk
    w.insert(m.IndividualMembership, [{
        "id": ms.pk, "person_id": p.pk, "created_at": ms.created_at, "cancelled_at": ms.cancelled_at,
        "closed_at": ms.closed_at, "is_demo": True,
    } for p, ms in pairs])
    terms = [(ms, t) for _p, ms in pairs for t in ms.terms]
    for (_ms, t), pk in zip(terms, w.ids(m.MembershipTerm, len(terms)), strict=True):
        t.pk = pk
    w.insert(m.MembershipTerm, [{
        "id": t.pk, "membership_id": ms.pk, "category": t.category, "starts_at": t.starts_at, "ends_at": t.ends_at,
        "invoice_id": t.invoice.pk if t.invoice else None, "created_at": t.created_at, "voided_at": t.voided_at,
    } for ms, t in terms])
    w.insert(m.RenewalReminder, [
        {"term_id": t.pk, "days_before": days, "queued_at": at, "sent_at": at}
        for _ms, t in terms for days, at in t.reminders.items()
    ])
    return w.insert(m.MembershipEvent, [{
        "membership_id": ms.pk, "at": e.at, "actor_id": p.pk if e.by_person else None, "kind": e.kind,
        "from_status": e.from_status, "to_status": e.to_status, "note": e.text(),
    } for p, ms in pairs for e in ms.events])


def _write_ledger(w: _Writer, invoices: list[tuple[_Invoice, int | None, int | None]]) -> None:
    """Insert invoices (with the person or organization who owes them), then their
    payments and credit notes. Credit notes issued by the member name them."""
    for (inv, _p, _o), pk in zip(invoices, w.ids(m.Invoice, len(invoices)), strict=True):
        inv.pk = pk
    w.insert(m.Invoice, [{
        "id": inv.pk, "number": inv.number, "person_id": person_id, "organization_id": org_id,
        "issued_at": inv.at, "due_on": (inv.at + PAYMENT_DUE).date(), "description": inv.description,
        "amount": inv.amount, "currency": inv.currency, "is_demo": True,
    } for inv, person_id, org_id in invoices])
    w.insert(m.Payment, [{
        "number": p.number, "invoice_id": inv.pk, "amount": p.amount, "currency": inv.currency,
        "received_at": p.at, "provider": "bank_transfer", "reference": p.reference, "recorded_by_id": None,
        "recorded_at": p.at, "is_demo": True,
    } for inv, _p, _o in invoices for p in inv.payments])
    w.insert(m.CreditNote, [{
        "number": c.number, "invoice_id": inv.pk, "amount": c.amount, "currency": inv.currency,
        "issued_at": c.at, "reason": c.reason[:300], "issued_by_id": person_id if c.by_person else None,
    } for inv, person_id, _o in invoices for c in inv.credits])


def _write_organizations(w: _Writer, orgs: Sequence[_Organization], people: Sequence[_Person]) -> int:
    for o, pk in zip(orgs, w.ids(m.Organization, len(orgs)), strict=True):
        o.pk = pk
    w.insert(m.Organization, [{
        "id": o.pk, "legal_name": o.legal_name, "slug": o.slug, "country": o.country, "website": o.website,
        "tier_id": o.tier.pk, "description": o.description, "created_at": o.created_at, "cancelled_at": None,
        "is_demo": True,
    } for o in orgs])
    contact = {o.pk: people[o.contact].pk for o in orgs}
    w.insert(m.OrganizationContact, [{"organization_id": o.pk, "person_id": contact[o.pk],
                                      "role": "Primary contact"} for o in orgs])
    _write_ledger(w, [(inv, None, o.pk) for o in orgs for inv in o.invoices])
    w.insert(m.OrganizationTerm, [{
        "organization_id": o.pk, "tier_id": tier.pk, "starts_at": t.starts_at, "ends_at": t.ends_at,
        "invoice_id": t.invoice.pk if t.invoice else None, "created_at": t.created_at, "voided_at": t.voided_at,
    } for o in orgs for t, tier in o.terms])
    return w.insert(m.OrganizationEvent, [{
        "organization_id": o.pk, "at": e.at, "actor_id": contact[o.pk] if e.by_person else None,
        "kind": e.kind, "note": e.text(),
    } for o in orgs for e in o.events])


# --- deleting demo data ----------------------------------------------------------------


def _demo_invoices_q() -> Q:
    return Q(is_demo=True) | Q(person__is_demo=True) | Q(organization__is_demo=True)


def _check_ledger_tail() -> dict[tuple[str, int], int]:
    """Deleting demo documents keeps numbering gapless only if, in every series and
    year, they are the last numbers given. Returns the ``last`` each sequence must go
    back to; raises DemoError naming the first series where that is not so."""
    invoices = m.Invoice.objects.filter(_demo_invoices_q()).values("pk")
    resets: dict[tuple[str, int], int] = {}
    for model, demo in ((m.Invoice, Q(pk__in=invoices)), (m.Payment, Q(invoice__in=invoices)),
                        (m.CreditNote, Q(invoice__in=invoices))):
        lowest: dict[tuple[str, int], int] = {}
        for number in model.objects.filter(demo).values_list("number", flat=True).iterator(chunk_size=5000):
            series, year, seq = parse_number(number)
            lowest[series, year] = min(seq, lowest.get((series, year), seq))
        highest: dict[tuple[str, int], int] = {}
        for number in model.objects.exclude(demo).values_list("number", flat=True).iterator(chunk_size=5000):
            series, year, seq = parse_number(number)
            if (series, year) in lowest:
                highest[series, year] = max(seq, highest.get((series, year), 0))
        for key, first_demo in sorted(lowest.items()):
            if highest.get(key, 0) > first_demo:
                raise DemoError(
                    f"Cannot delete the demo ledger: real documents were numbered after demo ones in "
                    f"{key[0]}-{key[1]} (e.g. {format_number(key[0], key[1], highest[key])}); deleting the "
                    f"demo ones would leave gaps in the numbering. Reset the demo in a database of its own."
                )
            resets[key] = highest.get(key, 0)
    return resets


def _purge(queryset: QuerySet, deleted: Counter[str]) -> None:
    """Delete the rows of ``queryset`` and, first, what refers to them, honouring each
    foreign key's on_delete, with one statement per table. Django's ``delete()`` would
    load every row and then query each relation in batches: minutes for 100,000 people.
    The ledger models refuse deleting instances; demo rows are deleted as sets here."""
    model = queryset.model
    keys = queryset.values("pk")
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_one or rel.one_to_many)):
            continue
        related = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": keys})
        on_delete = rel.field.remote_field.on_delete
        if on_delete is CASCADE:
            _purge(related, deleted)
        elif on_delete is SET_NULL:
            related.update(**{rel.field.name: None})
        elif on_delete is not DO_NOTHING and related.exists():
            raise DemoError(f"Cannot delete demo {model._meta.verbose_name_plural}: "
                            f"{rel.related_model._meta.verbose_name_plural} still refer to them.")
    sql, params = keys.query.sql_with_params()
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        # By subquery (SQLite and PostgreSQL accept one on the same table): a list of
        # 100,000 keys would pass SQLite's limit on parameters.
        cursor.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} IN ({sql})",
                       params)
        if cursor.rowcount:
            deleted[str(model._meta.verbose_name_plural)] += cursor.rowcount


def delete_demo() -> dict[str, int]:
    """Delete all demo data (rows marked ``is_demo`` and rows belonging to demo people or
    organizations) and wind the document sequences back. One transaction; returns the
    number of rows deleted by kind."""
    deleted: Counter[str] = Counter()
    with transaction.atomic():
        resets = _check_ledger_tail()
        people = m.Person.objects.filter(is_demo=True)
        orgs = m.Organization.objects.filter(is_demo=True)
        # Memberships and organizations first, then the invoices their terms protected,
        # then the people the invoices protected.
        _purge(m.IndividualMembership.objects.filter(Q(is_demo=True) | Q(person__in=people.values("pk"))), deleted)
        _purge(m.OrganizationTerm.objects.filter(organization__in=orgs.values("pk")), deleted)
        invoices = m.Invoice.objects.filter(_demo_invoices_q()).values("pk")
        _purge(m.Payment.objects.filter(invoice__in=invoices), deleted)
        _purge(m.CreditNote.objects.filter(invoice__in=invoices), deleted)
        _purge(m.Invoice.objects.filter(_demo_invoices_q()), deleted)
        _purge(orgs, deleted)
        _purge(people, deleted)
        for (series, year), last in resets.items():
            if last:
                m.DocumentSequence.objects.filter(series=series, year=year).update(last=last)
            else:
                m.DocumentSequence.objects.filter(series=series, year=year).delete()
    return dict(deleted)


# --- the entry point -------------------------------------------------------------------


def _existing() -> tuple[int, int]:
    return m.Person.objects.filter(is_demo=True).count(), m.Organization.objects.filter(is_demo=True).count()


def _batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def day_start(at: datetime | None = None) -> datetime:
    """The start of the UTC day of ``at`` (default now): demo dates are relative to it."""
    return (at or timezone.now()).astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def plan(people: int, organizations: int, seed: int, anchor: datetime) -> tuple[list[_Person], list[_Organization], _Ledger]:
    """Plan the demo in memory (reads tiers, dues rates and existing names; writes
    nothing): the same arguments give the same plan."""
    rng = Random(seed)
    fakers = _Fakers(seed)
    countries = _weighted([((code, locale), weight) for code, weight, locale in COUNTRIES])
    scenarios = _weighted(SCENARIOS)
    rates = [(r.effective_from, r.amount, r.currency) for r in m.DuesRate.objects.order_by("-effective_from")]
    tiers = list(m.OrganizationTier.objects.order_by("rank"))
    if organizations and len(tiers) < 1:
        raise DemoError("No organization tiers exist; run `isoc migrate` first.")
    emails = _Emails(m.Person.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").values_list("email", flat=True))
    ledger = _Ledger()
    planned = [_plan_person(i, rng, fakers, countries, emails, ledger, rates, anchor, scenarios) for i in range(people)]
    orgs = _plan_organizations(organizations, rng, fakers, countries, planned, ledger, tiers, anchor)
    return planned, orgs, ledger


def generate(people: int = 5000, organizations: int = 200, seed: int = 2026, reset: bool = False,
             progress: Callable[[int], None] | None = None, password: str | None = None) -> DemoReport:
    """Create demo people, memberships in every state, organization members and their
    ledger, reproducibly from ``seed``. Does nothing if demo data exists, unless
    ``reset`` (then the old demo data is deleted first). ``progress(n)`` is called as
    people and organizations are written. All demo people share one password (random
    unless given), hashed once."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    if people < 0 or organizations < 0:
        raise DemoError("The numbers of people and organizations cannot be negative.")
    started = time.monotonic()
    deleted: dict[str, int] = {}
    if reset:
        deleted = delete_demo()
    else:
        have_people, have_orgs = _existing()
        if have_people or have_orgs:
            return DemoReport(created=False, message=(
                f"Demo data already exists ({have_people:,} people, {have_orgs:,} organizations); nothing done. "
                "Use --reset to replace it."))
    anchor = day_start()
    password = password or secrets.token_urlsafe(12)
    password_hash = make_password(password)  # once: Argon2 for each person would take minutes
    with transaction.atomic():
        planned, orgs, ledger = plan(people, organizations, seed, anchor)
        _number(ledger)
        group = Group.objects.get_or_create(name="member")[0]
        writer, events = _Writer(), 0
        for batch in _batches(planned, PEOPLE_PER_BATCH):
            events += _write_people(writer, batch, password_hash, group.pk)
            if progress:
                progress(len(batch))
        events += _write_organizations(writer, orgs, planned)
        if progress and orgs:
            progress(len(orgs))
    return _report(planned, orgs, ledger, events, deleted, time.monotonic() - started, password)


def person_status(person: _Person, at: datetime) -> str:
    """The status of a planned person's latest membership at ``at``, with its category
    when active (``active global``), or ``no membership``."""
    if not person.member.memberships:
        return "no membership"
    standing = person.member.memberships[-1].standing(at)
    if standing is None:
        return "no membership"
    return f"{standing.status} {standing.category}" if standing.status == Status.ACTIVE else str(standing.status)


def _report(planned: list[_Person], orgs: list[_Organization], ledger: _Ledger, events: int,
            deleted: dict[str, int], seconds: float, password: str) -> DemoReport:
    now = timezone.now()
    statuses = Counter(person_status(p, now) for p in planned)
    org_statuses = Counter(str(s.status) if (s := o.standing(now)) else "none" for o in orgs)
    tiers = Counter(o.tier.name for o in sorted(orgs, key=lambda o: o.tier.rank))
    return DemoReport(
        created=True, people=len(planned), organizations=len(orgs),
        statuses=dict(sorted(statuses.items())), organization_statuses=dict(sorted(org_statuses.items())),
        tiers=dict(tiers), invoices=len(ledger.invoices), payments=len(ledger.payments),
        credit_notes=len(ledger.credits), events=events,
        deleted=deleted, seconds=seconds, password=password,
    )
