"""Concurrent writers, with real threads and real transactions: two renewals of one
membership give one invoice; invoice numbers stay gapless; a person cannot join twice.

Each thread has its own database connection (tests/race_helpers.py and the
``threaded_db`` fixture say how SQLite and PostgreSQL serialize them)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from isoc.members import models as m
from isoc.members import services
from isoc.members.services import RuleViolation
from race_helpers import THREADS, race

# Real commits (tests/conftest.py seeds roles, tiers and dues again after the flush).
pytestmark = pytest.mark.django_db(transaction=True)


def unexpected(results) -> list[object]:
    return [r for r in results if isinstance(r, Exception) and not isinstance(r, RuleViolation)]


def test_two_simultaneous_renewals_give_exactly_one_invoice(threaded_db, make_person, pay, ledger_ok):
    person = make_person("ada@example.org", first_name="Ada")
    membership = services.join(person, "sustaining")
    pay(membership.terms.get().invoice)
    results = race(lambda i: services.renew(m.IndividualMembership.objects.get(pk=membership.pk)), n=2)
    assert unexpected(results) == []
    renewals = [r for r in results if isinstance(r, m.MembershipTerm)]
    refusals = [r for r in results if isinstance(r, RuleViolation)]
    assert len(renewals) == 1 and [r.code for r in refusals] == ["renewal_pending"]
    assert membership.pending_terms().count() == 1
    assert m.Invoice.objects.count() == 2
    assert membership.events.filter(kind="renewal_invoiced").count() == 1
    ledger_ok()


def test_many_simultaneous_renewals_still_give_one_invoice(threaded_db, make_person, pay):
    person = make_person("ada@example.org", first_name="Ada")
    membership = services.join(person, "sustaining")
    pay(membership.terms.get().invoice)
    results = race(lambda i: services.renew(m.IndividualMembership.objects.get(pk=membership.pk)))
    assert unexpected(results) == []
    assert sum(isinstance(r, m.MembershipTerm) for r in results) == 1
    assert membership.terms.count() == 2


def test_concurrent_invoice_numbers_are_gapless_and_unique(threaded_db, make_person, ledger_ok):
    people = [make_person(f"p{i}@example.org") for i in range(THREADS)]
    results = race(lambda i: services.join(people[i], "sustaining").terms.get().invoice.number)
    assert unexpected(results) == [] and not any(isinstance(r, Exception) for r in results)
    year = m.Invoice.objects.first().issued_at.year
    assert sorted(results) == [f"INV-{year}-{n:06d}" for n in range(1, THREADS + 1)]
    ledger_ok()


def test_concurrent_payments_and_voids_keep_every_series_gapless(threaded_db, make_person, ledger_ok):
    people = [make_person(f"p{i}@example.org") for i in range(THREADS)]
    invoices = [services.join(p, "sustaining").terms.get().invoice for p in people]

    def settle(i: int):
        if i % 2:
            return services.void_invoice(invoices[i], reason="test")
        return services.record_payment(invoices[i], amount=invoices[i].amount, reference=f"R{i}")

    results = race(settle)
    assert not any(isinstance(r, Exception) for r in results), results
    assert m.Payment.objects.count() == THREADS // 2 and m.CreditNote.objects.count() == THREADS // 2
    ledger_ok()


def test_a_double_join_at_the_same_instant_stores_one_membership(threaded_db, make_person, memberships_ok):
    person = make_person("ada@example.org", first_name="Ada")
    results = race(lambda i: services.join(m.Person.objects.get(pk=person.pk), "sustaining"), n=4)
    assert unexpected(results) == []
    assert sum(isinstance(r, m.IndividualMembership) for r in results) == 1
    assert {r.code for r in results if isinstance(r, RuleViolation)} == {"already_member"}
    assert person.memberships.count() == 1 and m.Invoice.objects.count() == 1
    memberships_ok()


def test_the_same_invoice_paid_twice_at_once_is_recorded_once(threaded_db, make_person, memberships_ok):
    person = make_person("ada@example.org", first_name="Ada")
    invoice = services.join(person, "sustaining").terms.get().invoice
    results = race(lambda i: services.record_payment(invoice, amount=invoice.amount, reference=f"DUP-{i}"), n=3)
    assert unexpected(results) == []
    assert invoice.payments.count() == 1
    assert {r.code for r in results if isinstance(r, RuleViolation)} == {"invoice_closed"}
    term = invoice.term
    term.refresh_from_db()
    assert term.ends_at - term.starts_at == timedelta(days=365)
    memberships_ok()
