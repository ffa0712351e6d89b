"""Fixtures for the members app's tests: members at each stage of a membership, a clock
to move through a membership year, and the ledger's invariants as one assertion."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
REFERENCE = "BANK-REF-0001"
_emails = count(1)


@pytest.fixture
def make_person(request) -> Callable:
    """``tests/conftest.py``'s ``make_person`` (conftest modules cannot be imported by name:
    every non-package conftest is called ``conftest``)."""
    return request.config.pluginmanager.get_plugin(str(ROOT_CONFTEST)).make_person


@pytest.fixture
def password(request) -> str:
    return request.config.pluginmanager.get_plugin(str(ROOT_CONFTEST)).PASSWORD


@pytest.fixture
def new_person(db, make_person) -> Callable:
    """A fresh person with a unique email address each call."""

    def make(**fields):
        return make_person(f"person{next(_emails)}@example.net", **fields)

    return make


class Clock:
    """Moves ``django.utils.timezone.now`` (what services read as "now")."""

    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self.now: datetime | None = None

    def set(self, when: datetime) -> datetime:
        from django.utils import timezone

        self.now = when
        self._monkeypatch.setattr(timezone, "now", lambda: when)
        return when


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def t0() -> datetime:
    """A fixed instant to start membership stories at (UTC)."""
    return datetime(2031, 3, 1, 12, 0, tzinfo=UTC)


def pay_in_full(invoice, *, at: datetime | None = None, reference: str = REFERENCE, actor=None):
    from isoc.members import services

    invoice.refresh_from_db()
    return services.record_payment(invoice, amount=invoice.balance(), reference=reference, received_at=at, actor=actor)


@pytest.fixture
def pay() -> Callable:
    """Record payment of everything still due on an invoice (a bank transfer)."""
    return pay_in_full


@pytest.fixture
def sustaining_member(person, clock, t0):
    """Ada joined as a sustaining member at ``t0`` and paid at once: active for a year.
    The clock stands at ``t0``."""
    from isoc.members import services

    clock.set(t0)
    membership = services.join(person, "sustaining", at=t0)
    pay_in_full(membership.terms.get().invoice, at=t0)
    return membership


@pytest.fixture
def global_member(person, clock, t0):
    from isoc.members import services

    clock.set(t0)
    return services.join(person, "global", at=t0)


def check_ledger() -> None:
    """The dues ledger's invariants: every invoice that is no longer open is balanced by
    its payments and credit notes, nothing is over-settled, and the numbers of each
    series and year run 1..n without gaps or repeats."""
    from isoc.members import models as m
    from isoc.members.numbering import parse_number

    for invoice in m.Invoice.objects.all():
        paid, credited = invoice.paid_total(), invoice.credited_total()
        assert paid + credited <= invoice.amount, invoice
        if invoice.state != "open":
            assert invoice.amount == paid + credited, invoice
        for entry in [*invoice.payments.all(), *invoice.credit_notes.all()]:
            assert entry.currency == invoice.currency
    for model in (m.Invoice, m.Payment, m.CreditNote):
        seen: dict[tuple[str, int], list[int]] = {}
        for number in model.objects.values_list("number", flat=True):
            series, year, seq = parse_number(number)
            seen.setdefault((series, year), []).append(seq)
        for (series, year), seqs in seen.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), (series, year, sorted(seqs))
            last = m.DocumentSequence.objects.get(series=series, year=year).last
            assert last == len(seqs), (series, year, last, len(seqs))


@pytest.fixture
def ledger_ok() -> Callable[[], None]:
    return check_ledger


def check_memberships() -> None:
    """No person holds two current memberships; every membership has its first term and
    its "joined" event; no sustaining term is dated without a paid invoice."""
    from django.db.models import Count

    from isoc.members import models as m

    doubled = m.IndividualMembership.objects.filter(closed_at__isnull=True).values("person").annotate(
        n=Count("pk")
    ).filter(n__gt=1)
    assert not doubled.exists()
    for membership in m.IndividualMembership.objects.all():
        assert membership.terms.exists(), membership
        assert membership.events.filter(kind="joined").count() == 1, membership
    for term in m.MembershipTerm.objects.filter(category="sustaining"):
        assert term.invoice_id is not None
        if term.starts_at is not None:
            assert term.invoice.is_paid, term.invoice
            assert term.invoice.paid_total() == term.invoice.amount


@pytest.fixture
def memberships_ok() -> Callable[[], None]:
    return check_memberships


def error_shape(body: dict) -> None:
    """The API's one error shape: ``{"detail": str, "errors": [{"field", "message"}]}``."""
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["errors"], list), body
    for error in body["errors"]:
        assert set(error) == {"field", "message"}, error
        assert error["field"] is None or isinstance(error["field"], str)
        assert isinstance(error["message"], str) and error["message"]


@pytest.fixture
def assert_error_shape() -> Callable[[dict], None]:
    return error_shape


@pytest.fixture
def dues() -> Decimal:
    """The sustaining dues seeded by migration 0002."""
    return Decimal("50.00")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; these tests create many accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
