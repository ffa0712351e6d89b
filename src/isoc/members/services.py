"""Domain operations that change memberships and the dues ledger.

Each public function is one transaction and checks its own rules; views, the API, the
admin and the CLI call these and never re-implement a rule. A broken rule raises
``RuleViolation`` with a message for people (and the field it concerns, if any).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from isoc.members import models as m
from isoc.members.hooks import invoice_paid, invoice_voided
from isoc.members.labels import label
from isoc.members.numbering import format_number
from isoc.members.status import Category, Status
from isoc.site import personal_data
from isoc.site.l10n import money

TERM_LENGTH = timedelta(days=365)
PAYMENT_DUE = timedelta(days=30)
REMINDER_DAYS = (30, 7)


class RuleViolation(Exception):
    """A domain rule refused an operation. ``field`` names the input it concerns."""

    def __init__(self, message: str, field: str | None = None, code: str = "rule"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


# --- numbering and the ledger ----------------------------------------------------------


def _next_number(series: str, at: datetime) -> str:
    """Take the next number of ``series`` for ``at``'s year. Must run inside a transaction:
    the sequence row stays locked until it commits, so numbers never repeat or skip."""
    year = at.year
    m.DocumentSequence.objects.get_or_create(series=series, year=year)
    seq = m.DocumentSequence.objects.select_for_update().get(series=series, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return format_number(series, year, seq.last)


def _money(amount: Decimal | str | int, what: str = "amount") -> Decimal:
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise RuleViolation(_("Not an amount of money: %(v)s") % {"v": amount}, what) from exc
    if not value.is_finite() or value <= 0:
        raise RuleViolation(_("The amount must be more than zero."), what)
    if value >= Decimal("1e10"):
        raise RuleViolation(_("The amount is too large."), what)
    return value


@transaction.atomic
def issue_invoice(
    *,
    description: str,
    amount: Decimal,
    currency: str,
    person: m.Person | None = None,
    organization: m.Organization | None = None,
    at: datetime | None = None,
    is_demo: bool = False,
) -> m.Invoice:
    at = at or timezone.now()
    return m.Invoice.objects.create(
        number=_next_number("INV", at),
        person=person,
        organization=organization,
        issued_at=at,
        due_on=(at + PAYMENT_DUE).date(),
        description=description,
        amount=_money(amount),
        currency=currency,
        is_demo=is_demo,
    )


@transaction.atomic
def record_payment(
    invoice: m.Invoice,
    *,
    amount: Decimal | str,
    reference: str,
    provider: str = "bank_transfer",
    actor: m.Person | None = None,
    received_at: datetime | None = None,
    currency: str | None = None,
) -> m.Payment:
    """Record money received against an invoice; a fully paid invoice starts its term."""
    invoice = m.Invoice.objects.select_for_update().get(pk=invoice.pk)
    value = _money(amount)
    currency = currency or invoice.currency
    if currency != invoice.currency:
        raise RuleViolation(
            _("This invoice is in %(cur)s; record the payment in %(cur)s.") % {"cur": invoice.currency}, "currency"
        )
    if not reference or not reference.strip():
        raise RuleViolation(_("A payment needs the bank or provider reference."), "reference")
    state = invoice.state
    if state != "open":
        raise RuleViolation(
            _("Invoice %(n)s is %(state)s; no payment can be recorded against it.")
            % {"n": invoice.number, "state": label("invoice_state", state)},
            "invoice",
            code="invoice_closed",
        )
    if value > invoice.balance():
        raise RuleViolation(
            _("%(v)s is more than the %(b)s still due on %(n)s.")
            % {"v": money(value, invoice.currency, get_language()),
               "b": money(invoice.balance(), invoice.currency, get_language()), "n": invoice.number},
            "amount",
        )
    at = received_at or timezone.now()
    payment = m.Payment.objects.create(
        number=_next_number("PAY", at),
        invoice=invoice,
        amount=value,
        currency=currency,
        received_at=at,
        provider=provider,
        reference=reference.strip()[:200],
        recorded_by=actor,
        is_demo=invoice.is_demo,
    )
    if invoice.is_paid:
        _start_paid_term(invoice, at, actor)
        invoice_paid.send(sender=m.Invoice, invoice=invoice, at=at, actor=actor)
    return payment


@transaction.atomic
def void_invoice(invoice: m.Invoice, *, reason: str, actor: m.Person | None = None) -> m.CreditNote | None:
    """Credit whatever is still due on an invoice, so it asks for nothing more; the
    term waiting on it will never start. Returns None if nothing was due."""
    invoice = m.Invoice.objects.select_for_update().get(pk=invoice.pk)
    balance = invoice.balance()
    now = timezone.now()
    if balance <= 0:
        return None
    note = m.CreditNote.objects.create(
        number=_next_number("CRN", now),
        invoice=invoice,
        amount=balance,
        currency=invoice.currency,
        issued_at=now,
        reason=reason[:300],
        issued_by=actor,
    )
    m.MembershipTerm.objects.filter(invoice=invoice, starts_at__isnull=True).update(voided_at=now)
    m.OrganizationTerm.objects.filter(invoice=invoice, starts_at__isnull=True).update(voided_at=now)
    invoice_voided.send(sender=m.Invoice, invoice=invoice, actor=actor, reason=reason)
    return note


def _start_paid_term(invoice: m.Invoice, paid_at: datetime, actor: m.Person | None) -> None:
    term = m.MembershipTerm.objects.filter(invoice=invoice).select_related("membership").first()
    if term is not None:
        _start_individual_term(term, paid_at, actor)
        return
    org_term = m.OrganizationTerm.objects.filter(invoice=invoice).select_related("organization").first()
    if org_term is not None:
        _start_organization_term(org_term, paid_at, actor)


def _term_start(dated_ends: list[datetime | None], paid_at: datetime) -> datetime:
    """A paid term starts when it is paid, or when the paid time before it runs out."""
    later = [end for end in dated_ends if end is not None and end > paid_at]
    return max(later, default=paid_at)


def _start_individual_term(term: m.MembershipTerm, paid_at: datetime, actor: m.Person | None) -> None:
    membership = term.membership
    before = membership.status(paid_at)
    paid = membership.terms.filter(starts_at__isnull=False, category=Category.SUSTAINING).exclude(pk=term.pk)
    start = _term_start(list(paid.values_list("ends_at", flat=True)), paid_at)
    term.starts_at, term.ends_at = start, start + TERM_LENGTH
    term.save(update_fields=["starts_at", "ends_at"])
    # An upgrade: the free global term gives way when the sustaining one begins.
    membership.terms.filter(category=Category.GLOBAL, ends_at__isnull=True, starts_at__lte=start).exclude(
        pk=term.pk
    ).update(ends_at=start)
    _log(membership, "paid", actor, before, membership.status(paid_at), f"{term.invoice.number} paid")


def _start_organization_term(term: m.OrganizationTerm, paid_at: datetime, actor: m.Person | None) -> None:
    org = term.organization
    dated = org.terms.filter(starts_at__isnull=False).exclude(pk=term.pk)
    start = _term_start(list(dated.values_list("ends_at", flat=True)), paid_at)
    term.starts_at, term.ends_at = start, start + TERM_LENGTH
    term.save(update_fields=["starts_at", "ends_at"])
    if org.tier_id != term.tier_id:
        org.tier = term.tier
        org.save(update_fields=["tier"])
    m.OrganizationEvent.objects.create(organization=org, actor=actor, kind="paid", note=f"{term.invoice.number} paid")


def _log(
    membership: m.IndividualMembership,
    kind: str,
    actor: m.Person | None,
    before: Status | None,
    after: Status | None,
    note: str = "",
) -> None:
    m.MembershipEvent.objects.create(
        membership=membership,
        kind=kind,
        actor=actor,
        from_status=before or "",
        to_status=after or "",
        note=note[:300],
    )


# --- individual membership -------------------------------------------------------------


def _locked_person(person: m.Person) -> m.Person:
    return m.Person.objects.select_for_update().get(pk=person.pk)


def _current(person: m.Person) -> m.IndividualMembership | None:
    return m.IndividualMembership.objects.select_for_update().filter(person=person, closed_at__isnull=True).first()


def _close_if_lapsed(membership: m.IndividualMembership, now: datetime, actor: m.Person | None) -> bool:
    standing = membership.standing(now)
    if standing is None or standing.status != Status.LAPSED:
        return False
    for term in membership.pending_terms().select_related("invoice"):
        if term.invoice is not None:
            void_invoice(term.invoice, reason=_("Membership lapsed before this renewal was paid."), actor=actor)
    facts = membership.term_facts()
    ended = max((t.ends_at for t in facts if t.ends_at is not None), default=now)
    membership.closed_at = min(ended, now)
    membership.save(update_fields=["closed_at"])
    _log(membership, "lapsed", actor, Status.ACTIVE, Status.LAPSED, "paid term ended")
    return True


@transaction.atomic
def join(person: m.Person, category: str, *, actor: m.Person | None = None, at: datetime | None = None) -> m.IndividualMembership:
    """Make ``person`` a member. Sustaining starts pending, with an invoice to pay."""
    try:
        category = Category(category)
    except ValueError as exc:
        raise RuleViolation(_("Choose a membership category: global or sustaining."), "category") from exc
    person = _locked_person(person)
    if person.erased_at or not person.is_active:
        raise RuleViolation(_("This account is closed."), code="account_closed")
    now = at or timezone.now()
    current = _current(person)
    if current is not None and not _close_if_lapsed(current, now, actor):
        status = current.status(now)
        raise RuleViolation(
            _("You already have a membership (status: %(status)s); renew, upgrade or cancel it instead.")
            % {"status": label("status", status)},
            "category",
            code="already_member",
        )
    membership = m.IndividualMembership.objects.create(person=person, created_at=now, is_demo=person.is_demo)
    if category == Category.GLOBAL:
        m.MembershipTerm.objects.create(membership=membership, category=category, starts_at=now, created_at=now)
    else:
        _sustaining_term(membership, now, _("Sustaining membership dues, first year"))
    _log(membership, "joined", actor or person, None, membership.status(now), f"joined as {category}")
    return membership


def _sustaining_term(membership: m.IndividualMembership, now: datetime, description: str) -> m.MembershipTerm:
    try:
        rate = m.DuesRate.current(now)
    except ValidationError as exc:  # no rate in force: a refusal, not a server error
        raise RuleViolation(exc.messages[0], code="no_dues_rate") from exc
    invoice = issue_invoice(
        person=membership.person,
        description=description,
        amount=rate.amount,
        currency=rate.currency,
        at=now,
        is_demo=membership.is_demo,
    )
    return m.MembershipTerm.objects.create(
        membership=membership, category=Category.SUSTAINING, invoice=invoice, created_at=now
    )


def _locked_membership(membership: m.IndividualMembership) -> m.IndividualMembership:
    locked = m.IndividualMembership.objects.select_for_update().get(pk=membership.pk)
    if locked.closed_at is not None:
        raise RuleViolation(_("This membership has ended; join again instead."), code="membership_closed")
    return locked


@transaction.atomic
def renew(membership: m.IndividualMembership, *, actor: m.Person | None = None) -> m.MembershipTerm:
    """Invoice the next sustaining year; it starts when the current paid year ends."""
    membership = _locked_membership(membership)
    now = timezone.now()
    standing = membership.standing(now)
    if standing is None or standing.status != Status.ACTIVE or standing.category != Category.SUSTAINING:
        raise RuleViolation(_("Only an active sustaining membership can be renewed."), code="not_renewable")
    if membership.pending_terms().exists():
        raise RuleViolation(_("A renewal is already awaiting payment."), code="renewal_pending")
    if membership.terms.filter(starts_at__gt=now).exists():
        raise RuleViolation(_("The next year is already paid or a change is scheduled."), code="renewal_pending")
    term = _sustaining_term(membership, now, _("Sustaining membership dues, renewal"))
    _log(membership, "renewal_invoiced", actor, standing.status, standing.status, term.invoice.number)  # type: ignore[union-attr]
    return term


@transaction.atomic
def upgrade(membership: m.IndividualMembership, *, actor: m.Person | None = None) -> m.MembershipTerm:
    """Global → sustaining: the member stays global until the dues are paid."""
    membership = _locked_membership(membership)
    now = timezone.now()
    standing = membership.standing(now)
    if standing is None or standing.status != Status.ACTIVE or standing.category != Category.GLOBAL:
        raise RuleViolation(_("Only an active global membership can be upgraded."), code="not_upgradable")
    if membership.pending_terms().exists():
        raise RuleViolation(_("An upgrade is already awaiting payment."), code="upgrade_pending")
    term = _sustaining_term(membership, now, _("Sustaining membership dues, upgrade from global"))
    _log(membership, "upgrade_invoiced", actor, standing.status, standing.status, term.invoice.number)  # type: ignore[union-attr]
    return term


@transaction.atomic
def downgrade(membership: m.IndividualMembership, *, actor: m.Person | None = None) -> m.MembershipTerm:
    """Sustaining → global, from the end of the year already paid (dues are not refunded,
    and the member keeps what they paid for)."""
    membership = _locked_membership(membership)
    now = timezone.now()
    standing = membership.standing(now)
    if standing is None or standing.status != Status.ACTIVE or standing.category != Category.SUSTAINING:
        raise RuleViolation(_("Only an active sustaining membership can be downgraded."), code="not_downgradable")
    for term in membership.pending_terms().select_related("invoice"):
        if term.invoice is not None:
            void_invoice(term.invoice, reason=_("Renewal withdrawn: downgraded to global."), actor=actor)
    if membership.terms.filter(category=Category.GLOBAL, starts_at__gt=now).exists():
        raise RuleViolation(_("A downgrade is already scheduled."), code="downgrade_pending")
    ends = [t.ends_at for t in membership.terms.filter(starts_at__isnull=False, category=Category.SUSTAINING)]
    start = max((e for e in ends if e is not None), default=None)
    if start is None:  # an open-ended sustaining term (set up by staff): no year end to switch at
        raise RuleViolation(
            _("This sustaining membership has no end date; ask the secretariat to change it."), code="not_downgradable"
        )
    term = m.MembershipTerm.objects.create(membership=membership, category=Category.GLOBAL, starts_at=start, created_at=now)
    _log(membership, "downgraded", actor, standing.status, standing.status, f"global from {start:%Y-%m-%d}")
    return term


@transaction.atomic
def cancel(membership: m.IndividualMembership, *, actor: m.Person | None = None, reason: str = "") -> m.IndividualMembership:
    """End a membership now. Unpaid invoices for it are voided; paid dues are kept."""
    membership = _locked_membership(membership)
    now = timezone.now()
    before = membership.status(now)
    for term in membership.pending_terms().select_related("invoice"):
        if term.invoice is not None:
            void_invoice(term.invoice, reason=_("Membership cancelled."), actor=actor)
    membership.cancelled_at = membership.closed_at = now
    membership.save(update_fields=["cancelled_at", "closed_at"])
    _log(membership, "cancelled", actor, before, Status.CANCELLED, reason)
    return membership


# --- the lapse job ---------------------------------------------------------------------


@dataclass
class LapseReport:
    lapsed: list[int] = field(default_factory=list)
    reminders: list[tuple[int, int]] = field(default_factory=list)  # (term id, days before)

    def __str__(self) -> str:
        return f"{len(self.lapsed)} memberships lapsed, {len(self.reminders)} renewal reminders queued"


def lapse_due(*, at: datetime | None = None, commit: bool = True, progress=None) -> LapseReport:
    """Close memberships whose paid time has ended, and queue renewal reminders 30 and
    7 days before the end. Idempotent: a second run finds nothing to do."""
    now = at or timezone.now()
    report = LapseReport()
    # Candidates: current memberships with a paid term that has ended or ends within 30 days.
    horizon = now + timedelta(days=max(REMINDER_DAYS))
    candidates = (
        m.IndividualMembership.objects.filter(closed_at__isnull=True, terms__ends_at__isnull=False, terms__ends_at__lte=horizon)
        .distinct()
        .values_list("pk", flat=True)
    )
    ids = list(candidates)
    for pk in ids:
        with transaction.atomic():
            membership = m.IndividualMembership.objects.select_for_update().get(pk=pk)
            if membership.closed_at is not None:
                continue
            if _close_if_lapsed(membership, now, None):
                report.lapsed.append(pk)
            else:
                report.reminders.extend(_queue_reminders(membership, now))
            if not commit:
                transaction.set_rollback(True)
        if progress:
            progress()
    return report


def _queue_reminders(membership: m.IndividualMembership, now: datetime) -> list[tuple[int, int]]:
    standing = membership.standing(now)
    if standing is None or standing.status != Status.ACTIVE or standing.category != Category.SUSTAINING:
        return []
    # Nothing to remind about when the next year is paid, invoiced or a change scheduled.
    if membership.terms.filter(Q(starts_at__isnull=True, voided_at__isnull=True) | Q(starts_at__gt=now)).exists():
        return []
    term = membership.terms.filter(starts_at__lte=now, ends_at__gt=now, category=Category.SUSTAINING).first()
    if term is None or term.ends_at is None:
        return []
    queued = []
    for days in REMINDER_DAYS:
        if term.ends_at - timedelta(days=days) <= now:
            try:
                with transaction.atomic():
                    reminder, created = m.RenewalReminder.objects.get_or_create(term=term, days_before=days)
            except IntegrityError:
                continue
            if created:
                queued.append((term.pk, days))
                from isoc.members.tasks import send_renewal_reminder

                transaction.on_commit(lambda rid=reminder.pk: send_renewal_reminder.delay(rid))
    return queued


# --- organizations ---------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "organization"
    slug, n = base, 1
    while m.Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def join_organization(
    contact: m.Person,
    *,
    legal_name: str,
    country: str,
    tier: m.OrganizationTier,
    website: str = "",
    description: str = "",
    at: datetime | None = None,
    is_demo: bool = False,
) -> m.Organization:
    """An organization joins at a tier; ``contact`` manages it. Active once the first
    year's fee is paid."""
    from isoc.members.countries import COUNTRY_NAMES

    legal_name = (legal_name or "").strip()
    if not legal_name:
        raise RuleViolation(_("The organization's legal name is required."), "legal_name")
    if country not in COUNTRY_NAMES:
        raise RuleViolation(_("Choose a country from the list."), "country")
    if contact.erased_at or not contact.is_active:
        raise RuleViolation(_("This account is closed."), code="account_closed")
    if m.Organization.objects.filter(legal_name__iexact=legal_name, cancelled_at__isnull=True).exists():
        raise RuleViolation(_("An organization with this legal name is already a member."), "legal_name")
    now = at or timezone.now()
    org = m.Organization.objects.create(
        legal_name=legal_name[:200],
        slug=_unique_slug(legal_name),
        country=country,
        website=website,
        tier=tier,
        description=description,
        created_at=now,
        is_demo=is_demo,
    )
    m.OrganizationContact.objects.create(organization=org, person=contact)
    _organization_term(org, tier, now, _("Organization membership, %(tier)s tier, first year") % {"tier": tier.localized("name", get_language()).text})
    m.OrganizationEvent.objects.create(organization=org, actor=contact, kind="joined", note=f"tier {tier.slug}")
    return org


def _organization_term(org: m.Organization, tier: m.OrganizationTier, now: datetime, description: str) -> m.OrganizationTerm:
    invoice = issue_invoice(
        organization=org, description=description, amount=tier.annual_fee, currency=tier.currency, at=now, is_demo=org.is_demo
    )
    return m.OrganizationTerm.objects.create(organization=org, tier=tier, invoice=invoice, created_at=now)


@transaction.atomic
def renew_organization(org: m.Organization, *, tier: m.OrganizationTier | None = None, actor: m.Person | None = None) -> m.OrganizationTerm:
    org = m.Organization.objects.select_for_update().get(pk=org.pk)
    if org.cancelled_at:
        raise RuleViolation(_("This organization's membership was cancelled."), code="membership_closed")
    if org.terms.filter(starts_at__isnull=True, voided_at__isnull=True).exists():
        raise RuleViolation(_("A renewal is already awaiting payment."), code="renewal_pending")
    now = timezone.now()
    tier = tier or org.tier
    term = _organization_term(org, tier, now, _("Organization membership, %(tier)s tier, renewal") % {"tier": tier.localized("name", get_language()).text})
    m.OrganizationEvent.objects.create(organization=org, actor=actor, kind="renewal_invoiced", note=term.invoice.number)
    return term


def is_contact(person: m.Person, org: m.Organization) -> bool:
    return person.is_authenticated and m.OrganizationContact.objects.filter(organization=org, person=person).exists()


@transaction.atomic
def add_contact(org: m.Organization, email: str, *, actor: m.Person) -> m.OrganizationContact:
    if not (actor.is_staff or is_contact(actor, org)):
        raise RuleViolation(_("Only the organization's contacts can add contacts."), code="forbidden")
    person = m.Person.objects.filter(email__iexact=(email or "").strip(), erased_at__isnull=True).first()
    if person is None:
        raise RuleViolation(_("No account has this email address; ask them to sign up first."), "email")
    contact, _created = m.OrganizationContact.objects.get_or_create(organization=org, person=person)
    m.OrganizationEvent.objects.create(organization=org, actor=actor, kind="contact_added", note=str(person.pk))
    return contact


# --- privacy ---------------------------------------------------------------------------


def export_person(person: m.Person) -> dict:
    """Everything isoc holds about a person, as JSON-ready data."""

    def dt(value):
        return value.isoformat() if value else None

    return {
        "format": "isoc-personal-data/1",
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "country": person.country,
            "city": person.city,
            "organization": person.organization,
            "bio": person.bio,
            "website": person.website,
            "directory_listed": person.directory_listed,
            "directory_fields": person.visible_directory_fields(),
            "preferred_language": person.preferred_language,
            "time_zone": person.time_zone,
            "date_joined": dt(person.date_joined),
            "last_login": dt(person.last_login),
        },
        "memberships": [
            {
                "id": ms.pk,
                "created_at": dt(ms.created_at),
                "cancelled_at": dt(ms.cancelled_at),
                "status_now": ms.status(),
                "terms": [
                    {"category": t.category, "starts_at": dt(t.starts_at), "ends_at": dt(t.ends_at),
                     "invoice": t.invoice.number if t.invoice else None}
                    for t in ms.terms.select_related("invoice")
                ],
                "history": [
                    {"at": dt(e.at), "kind": e.kind, "from": e.from_status, "to": e.to_status, "note": e.note}
                    for e in ms.events.all()
                ],
            }
            for ms in person.memberships.all()
        ],
        "invoices": [
            {
                "number": inv.number,
                "issued_at": dt(inv.issued_at),
                "description": inv.description,
                "amount": str(inv.amount),
                "currency": inv.currency,
                "state": inv.state,
                "payments": [
                    {"number": p.number, "amount": str(p.amount), "received_at": dt(p.received_at), "reference": p.reference}
                    for p in inv.payments.all()
                ],
                "credit_notes": [
                    {"number": c.number, "amount": str(c.amount), "reason": c.reason} for c in inv.credit_notes.all()
                ],
            }
            for inv in person.invoices.all()
        ],
        "organizations": [
            {"legal_name": o.legal_name, "slug": o.slug} for o in person.organizations_managed.all()
        ],
        "api_tokens": [{"name": t.name, "prefix": t.prefix, "created_at": dt(t.created_at)} for t in person.api_tokens.all()],
        # Every other app's section (chapters, events, elections…), from the registry.
        **personal_data.export(person),
    }


def export_person_json(person: m.Person) -> str:
    return json.dumps(export_person(person), indent=2, ensure_ascii=False, default=str)  # Decimal scores, dates


@transaction.atomic
def erase_person(person: m.Person, *, actor: m.Person | None = None) -> m.Person:
    """Erase a person: cancel their membership, void what they still owe, and replace
    everything that identifies them. Invoices, payments and credit notes stay, so the
    ledger still balances; they now point at a pseudonym."""
    person = _locked_person(person)
    if person.erased_at:
        raise RuleViolation(_("This account was already erased."), code="already_erased")
    # Every app's rows about the person (and the account's addresses, tokens, sign-in
    # records and sessions), in this same transaction; files go after the commit. First,
    # so that an event registration is cancelled by its own rules (voiding its invoice).
    personal_data.erase(person, actor)
    current = _current(person)
    if current is not None:
        cancel(current, actor=actor, reason="account erased")
    for invoice in m.Invoice.objects.filter(person=person):
        if invoice.state == "open":
            void_invoice(invoice, reason=_("Voided on erasure of the account."), actor=actor)
    pk = person.pk
    person.email = f"erased-{pk}@erased.invalid"
    person.first_name = "Erased"
    person.last_name = f"member {pk}"
    for name in ("country", "city", "organization", "bio", "website", "preferred_language", "time_zone"):
        setattr(person, name, "")
    person.directory_listed = False
    person.set_directory_fields([])
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.erased_at = timezone.now()
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    personal_data.detach_actor(person)
    # The history row of the erasure: who asked and when, never what was erased.
    m.Erasure.objects.create(person=person, actor=actor, at=person.erased_at)
    return person
