"""The membership services: join, renew, upgrade, downgrade and cancel, each with its
rules and its unhappy paths."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from isoc.members import models as m
from isoc.members import services
from isoc.members.services import RuleViolation

YEAR = services.TERM_LENGTH


def events(membership) -> list[tuple[str, str, str]]:
    return [(e.kind, e.from_status, e.to_status) for e in membership.events.order_by("pk")]


# --- join ------------------------------------------------------------------------------


def test_join_global_is_active_at_once_and_free(person, t0, memberships_ok):
    membership = services.join(person, "global", at=t0)
    standing = membership.standing(t0)
    assert (standing.status, standing.category) == ("active", "global")
    assert membership.standing(t0 + 20 * YEAR).status == "active"
    term = membership.terms.get()
    assert (term.starts_at, term.ends_at, term.invoice) == (t0, None, None)
    assert not m.Invoice.objects.exists()
    assert events(membership) == [("joined", "", "active")]
    assert membership.events.get().actor == person
    memberships_ok()


def test_join_sustaining_is_pending_with_an_invoice_at_the_current_rate(person, t0, memberships_ok):
    m.DuesRate.objects.create(amount=Decimal("75.00"), currency="EUR", effective_from=t0 - timedelta(days=1))
    membership = services.join(person, "sustaining", at=t0)
    assert membership.status(t0) == "pending"
    assert membership.status(t0 + 2 * YEAR) == "pending"  # nothing paid, nothing active
    invoice = membership.terms.get().invoice
    assert (invoice.amount, invoice.currency, invoice.person, invoice.state) == (Decimal("75.00"), "EUR", person, "open")
    assert invoice.number == f"INV-{t0.year}-000001"
    assert invoice.due_on == (t0 + timedelta(days=30)).date()
    assert events(membership) == [("joined", "", "pending")]
    memberships_ok()


def test_each_join_is_charged_the_rate_in_force_at_that_instant(person, other_person, t0, dues):
    m.DuesRate.objects.create(amount=Decimal("999.00"), currency="USD", effective_from=t0 + timedelta(days=1))
    before = services.join(person, "sustaining", at=t0)
    after = services.join(other_person, "sustaining", at=t0 + timedelta(days=2))
    assert before.terms.get().invoice.amount == dues
    assert after.terms.get().invoice.amount == Decimal("999.00")


def test_paying_the_first_invoice_starts_a_year_of_sustaining_membership(person, t0, pay, memberships_ok, ledger_ok):
    membership = services.join(person, "sustaining", at=t0)
    paid_at = t0 + timedelta(days=3)
    pay(membership.terms.get().invoice, at=paid_at)
    assert membership.status(paid_at - timedelta(seconds=1)) == "pending"
    standing = membership.standing(paid_at)
    assert (standing.status, standing.category) == ("active", "sustaining")
    term = membership.terms.get()
    assert (term.starts_at, term.ends_at) == (paid_at, paid_at + YEAR)
    assert membership.status(paid_at + YEAR) == "lapsed"
    assert events(membership)[-1] == ("paid", "pending", "active")
    memberships_ok()
    ledger_ok()


def test_a_partial_payment_does_not_start_the_membership(person, t0, dues, pay):
    membership = services.join(person, "sustaining", at=t0)
    invoice = membership.terms.get().invoice
    services.record_payment(invoice, amount="20.00", reference="PART-1", received_at=t0)
    assert membership.status(t0 + timedelta(days=1)) == "pending"
    assert invoice.balance() == dues - Decimal("20.00")
    pay(invoice, at=t0 + timedelta(days=2))
    assert membership.status(t0 + timedelta(days=2)) == "active"
    assert invoice.payments.count() == 2


def test_double_join_is_refused_and_stores_nothing(person, t0, memberships_ok):
    first = services.join(person, "sustaining", at=t0)
    for category in ("global", "sustaining"):
        with pytest.raises(RuleViolation) as err:
            services.join(person, category, at=t0 + timedelta(days=1))
        assert err.value.code == "already_member"
        assert "pending" in err.value.message
    assert list(person.memberships.all()) == [first]
    assert m.Invoice.objects.count() == 1
    memberships_ok()


def test_the_database_itself_refuses_two_current_memberships(person, t0):
    services.join(person, "global", at=t0)
    with pytest.raises(IntegrityError), transaction.atomic():
        m.IndividualMembership.objects.create(person=person, created_at=t0)


@pytest.mark.parametrize("category", ["", "gold", "GLOBAL ", None])
def test_join_names_the_category_field_when_the_category_is_unknown(person, category):
    with pytest.raises(RuleViolation) as err:
        services.join(person, category)
    assert err.value.field == "category"
    assert not person.memberships.exists()


def test_a_closed_account_cannot_join(person):
    person.is_active = False
    person.save()
    with pytest.raises(RuleViolation) as err:
        services.join(person, "global")
    assert err.value.code == "account_closed"
    assert not person.memberships.exists()


def test_join_without_a_dues_rate_in_force_is_refused_and_stores_nothing(person, t0):
    m.DuesRate.objects.all().delete()
    with pytest.raises(RuleViolation) as err:
        services.join(person, "sustaining", at=t0)
    assert "rate" in err.value.message
    assert not m.IndividualMembership.objects.exists()
    assert not m.Invoice.objects.exists()
    assert not m.DocumentSequence.objects.filter(last__gt=0).exists()


def test_join_again_after_cancelling(person, t0, clock):
    clock.set(t0)
    old = services.join(person, "global", at=t0)
    clock.set(t0 + timedelta(days=10))
    services.cancel(old, actor=person)
    new = services.join(person, "sustaining", at=t0 + timedelta(days=11))
    old.refresh_from_db()
    assert old.closed_at == t0 + timedelta(days=10)
    assert person.current_membership() == new
    assert old.status(t0 + timedelta(days=11)) == "cancelled"
    assert old.status(t0 + timedelta(days=5)) == "active"  # history stays exact


def test_join_after_a_lapse_the_lapse_job_has_not_yet_closed(sustaining_member, person, t0, clock, ledger_ok, memberships_ok):
    # A renewal was invoiced but never paid, and the year ran out.
    clock.set(t0 + YEAR - timedelta(days=20))
    renewal = services.renew(sustaining_member).invoice
    rejoin_at = t0 + YEAR + timedelta(days=3)
    clock.set(rejoin_at)
    assert sustaining_member.status(rejoin_at) == "lapsed"
    new = services.join(person, "global", at=rejoin_at)
    sustaining_member.refresh_from_db()
    assert sustaining_member.closed_at == t0 + YEAR  # closed when the paid time ran out
    assert sustaining_member.status(rejoin_at) == "lapsed"
    assert ("lapsed", "active", "lapsed") in events(sustaining_member)
    assert person.current_membership() == new and new.status(rejoin_at) == "active"
    renewal.refresh_from_db()
    assert renewal.state == "void"
    assert sustaining_member.pending_terms().count() == 0
    with pytest.raises(RuleViolation):
        services.record_payment(renewal, amount="50.00", reference="LATE")
    ledger_ok()
    memberships_ok()


# --- renew -----------------------------------------------------------------------------


def test_an_early_renewal_starts_when_the_paid_year_ends(sustaining_member, t0, clock, pay, memberships_ok):
    clock.set(t0 + timedelta(days=300))
    term = services.renew(sustaining_member, actor=sustaining_member.person)
    assert term.starts_at is None and term.invoice.description.endswith("renewal")
    assert events(sustaining_member)[-1] == ("renewal_invoiced", "active", "active")
    pay(term.invoice, at=t0 + timedelta(days=301))
    term.refresh_from_db()
    assert (term.starts_at, term.ends_at) == (t0 + YEAR, t0 + 2 * YEAR)
    assert sustaining_member.status(t0 + YEAR) == "active"
    assert sustaining_member.status(t0 + 2 * YEAR - timedelta(seconds=1)) == "active"
    assert sustaining_member.status(t0 + 2 * YEAR) == "lapsed"
    memberships_ok()


def test_a_renewal_paid_after_the_year_ran_out_starts_at_payment(sustaining_member, t0, clock, pay):
    clock.set(t0 + YEAR - timedelta(days=5))
    term = services.renew(sustaining_member)
    late = t0 + YEAR + timedelta(days=4)
    pay(term.invoice, at=late)
    term.refresh_from_db()
    assert term.starts_at == late
    assert sustaining_member.status(t0 + YEAR + timedelta(days=1)) == "lapsed"  # the gap is on record
    assert sustaining_member.status(late) == "active"


def test_renewing_twice_is_refused(sustaining_member, t0, clock, pay):
    clock.set(t0 + timedelta(days=200))
    term = services.renew(sustaining_member)
    with pytest.raises(RuleViolation) as err:
        services.renew(sustaining_member)
    assert err.value.code == "renewal_pending"
    pay(term.invoice, at=t0 + timedelta(days=201))
    with pytest.raises(RuleViolation) as err:
        services.renew(sustaining_member)  # next year already paid
    assert err.value.code == "renewal_pending"
    assert m.Invoice.objects.count() == 2


def test_only_an_active_sustaining_membership_can_be_renewed(person, other_person, t0, clock):
    clock.set(t0)
    free = services.join(person, "global", at=t0)
    unpaid = services.join(other_person, "sustaining", at=t0)
    for membership in (free, unpaid):
        with pytest.raises(RuleViolation) as err:
            services.renew(membership)
        assert err.value.code == "not_renewable"
    assert m.Invoice.objects.count() == 1


def test_a_lapsed_membership_cannot_be_renewed(sustaining_member, t0, clock):
    clock.set(t0 + YEAR + timedelta(days=1))
    with pytest.raises(RuleViolation) as err:
        services.renew(sustaining_member)
    assert err.value.code == "not_renewable"


# --- upgrade ---------------------------------------------------------------------------


def test_upgrade_keeps_the_member_global_until_the_dues_are_paid(global_member, t0, clock, pay, memberships_ok):
    clock.set(t0 + timedelta(days=50))
    term = services.upgrade(global_member, actor=global_member.person)
    assert global_member.standing(t0 + timedelta(days=60)).category == "global"
    with pytest.raises(RuleViolation) as err:
        services.upgrade(global_member)
    assert err.value.code == "upgrade_pending"
    paid_at = t0 + timedelta(days=70)
    pay(term.invoice, at=paid_at)
    assert global_member.standing(paid_at - timedelta(seconds=1)).category == "global"
    assert global_member.standing(paid_at).category == "sustaining"
    free = global_member.terms.get(category="global")
    assert free.ends_at == paid_at
    assert global_member.standing(paid_at + YEAR).status == "lapsed"
    assert [e[0] for e in events(global_member)] == ["joined", "upgrade_invoiced", "paid"]
    memberships_ok()


def test_only_an_active_global_membership_can_be_upgraded(sustaining_member, other_person, t0):
    pending = services.join(other_person, "sustaining", at=t0)
    for membership in (sustaining_member, pending):
        with pytest.raises(RuleViolation) as err:
            services.upgrade(membership)
        assert err.value.code == "not_upgradable"


# --- downgrade -------------------------------------------------------------------------


def test_downgrade_takes_effect_when_the_paid_year_ends_and_keeps_the_dues(sustaining_member, t0, clock, ledger_ok):
    clock.set(t0 + timedelta(days=100))
    term = services.downgrade(sustaining_member, actor=sustaining_member.person)
    assert (term.category, term.starts_at, term.ends_at) == ("global", t0 + YEAR, None)
    assert sustaining_member.standing(t0 + YEAR - timedelta(seconds=1)).category == "sustaining"
    assert sustaining_member.standing(t0 + YEAR).category == "global"
    assert sustaining_member.status(t0 + 5 * YEAR) == "active"
    assert not m.CreditNote.objects.exists()  # dues are not refunded
    assert events(sustaining_member)[-1][0] == "downgraded"
    with pytest.raises(RuleViolation) as err:
        services.downgrade(sustaining_member)
    assert err.value.code == "downgrade_pending"
    with pytest.raises(RuleViolation):
        services.renew(sustaining_member)
    # The lapse job sees a global member after the year: nothing lapses.
    report = services.lapse_due(at=t0 + YEAR + timedelta(days=1))
    assert report.lapsed == []
    ledger_ok()


def test_downgrade_withdraws_a_renewal_awaiting_payment(sustaining_member, t0, clock, ledger_ok):
    clock.set(t0 + timedelta(days=340))
    renewal = services.renew(sustaining_member).invoice
    services.downgrade(sustaining_member)
    renewal.refresh_from_db()
    assert renewal.state == "void" and renewal.balance() == 0
    assert sustaining_member.pending_terms().count() == 0
    with pytest.raises(RuleViolation) as err:
        services.record_payment(renewal, amount=renewal.amount, reference="X")
    assert err.value.code == "invoice_closed"
    ledger_ok()


def test_a_refused_second_downgrade_leaves_the_renewal_invoice_alone(sustaining_member, t0, clock):
    clock.set(t0 + timedelta(days=100))
    services.downgrade(sustaining_member)
    # Staff invoice a renewal anyway (e.g. through the admin): the refused downgrade must not void it.
    invoice = services.issue_invoice(person=sustaining_member.person, description="x", amount="50", currency="USD")
    m.MembershipTerm.objects.create(membership=sustaining_member, category="sustaining", invoice=invoice)
    with pytest.raises(RuleViolation):
        services.downgrade(sustaining_member)
    invoice.refresh_from_db()
    assert invoice.state == "open" and not m.CreditNote.objects.exists()


def test_downgrading_a_global_or_pending_membership_is_a_clear_refusal(global_member, other_person, t0):
    pending = services.join(other_person, "sustaining", at=t0)
    for membership in (global_member, pending):
        with pytest.raises(RuleViolation) as err:
            services.downgrade(membership)
        assert err.value.code == "not_downgradable"
    assert m.MembershipTerm.objects.filter(category="global").count() == 1


def test_downgrading_an_open_ended_sustaining_term_is_a_clear_refusal(person, t0, clock):
    """Staff may record a sustaining term without an end (e.g. honorary); there is then no
    year end to downgrade at."""
    clock.set(t0)
    membership = services.join(person, "global", at=t0)
    invoice = services.issue_invoice(person=person, description="Honorary", amount="1", currency="USD", at=t0)
    services.record_payment(invoice, amount="1", reference="HONORARY", received_at=t0)
    m.MembershipTerm.objects.create(membership=membership, category="sustaining", invoice=invoice, starts_at=t0)
    m.MembershipTerm.objects.filter(category="global").update(ends_at=t0)
    clock.set(t0 + timedelta(days=1))
    assert membership.standing(t0 + timedelta(days=1)).category == "sustaining"
    with pytest.raises(RuleViolation) as err:
        services.downgrade(membership)
    assert err.value.code == "not_downgradable"
    assert membership.terms.count() == 2


def test_upgrade_then_downgrade_then_upgrade_again(global_member, t0, clock, pay, memberships_ok):
    clock.set(t0 + timedelta(days=10))
    pay(services.upgrade(global_member).invoice, at=t0 + timedelta(days=10))
    clock.set(t0 + timedelta(days=20))
    services.downgrade(global_member)
    back = t0 + timedelta(days=10) + YEAR
    assert global_member.standing(back).category == "global"
    clock.set(back + timedelta(days=30))
    term = services.upgrade(global_member)
    pay(term.invoice, at=back + timedelta(days=31))
    assert global_member.standing(back + timedelta(days=31)).category == "sustaining"
    assert global_member.standing(back + timedelta(days=15)).category == "global"
    memberships_ok()


# --- cancel ----------------------------------------------------------------------------


def test_cancel_ends_the_membership_now_and_voids_what_is_unpaid(sustaining_member, t0, clock, ledger_ok):
    clock.set(t0 + timedelta(days=330))
    renewal = services.renew(sustaining_member).invoice
    cancelled_at = clock.set(t0 + timedelta(days=331))
    services.cancel(sustaining_member, actor=sustaining_member.person, reason="moving on")
    sustaining_member.refresh_from_db()
    assert sustaining_member.cancelled_at == sustaining_member.closed_at == cancelled_at
    assert sustaining_member.status(cancelled_at) == "cancelled"
    assert sustaining_member.status(cancelled_at - timedelta(seconds=1)) == "active"
    assert events(sustaining_member)[-1] == ("cancelled", "active", "cancelled")
    renewal.refresh_from_db()
    first = sustaining_member.terms.exclude(invoice=renewal).get().invoice
    assert renewal.state == "void" and first.state == "paid"  # paid dues are kept
    assert sustaining_member.person.current_membership() is None
    ledger_ok()


def test_paying_the_invoice_of_a_cancelled_membership_is_refused(person, t0, clock):
    clock.set(t0)
    membership = services.join(person, "sustaining", at=t0)
    invoice = membership.terms.get().invoice
    services.cancel(membership)
    with pytest.raises(RuleViolation) as err:
        services.record_payment(invoice, amount=invoice.amount, reference="TOO-LATE")
    assert err.value.code == "invoice_closed"
    assert not m.Payment.objects.exists()
    membership.refresh_from_db()
    assert membership.status(t0 + timedelta(days=1)) == "cancelled"
    assert membership.terms.get().starts_at is None


def test_a_closed_membership_cannot_be_changed(global_member, t0, clock):
    clock.set(t0 + timedelta(days=1))
    services.cancel(global_member)
    for operation in (services.cancel, services.renew, services.upgrade, services.downgrade):
        with pytest.raises(RuleViolation) as err:
            operation(global_member)
        assert err.value.code == "membership_closed"
    assert global_member.events.filter(kind="cancelled").count() == 1


# --- the pages that call these services --------------------------------------------------


def test_the_join_page_joins_and_a_second_join_is_explained(member_client, person):
    response = member_client.post("/members/join/", {"category": "sustaining"})
    assert response.status_code == 302 and response["Location"] == "/members/"
    home = member_client.get("/members/").content.decode()
    assert 'data-testid="membership-status">Pending' in home
    again = member_client.post("/members/join/", {"category": "global"})
    assert again.status_code == 200
    assert "You already have a membership (status: pending)" in again.content.decode()
    assert person.memberships.count() == 1


def test_an_empty_join_submission_says_what_is_missing(member_client, person):
    response = member_client.post("/members/join/", {})
    assert response.status_code == 200
    assert response.context["form"].errors["category"] == ["This field is required."]
    assert not person.memberships.exists()


def test_the_join_page_quotes_the_rate_in_force_not_a_future_one(member_client, dues):
    from django.utils import timezone

    m.DuesRate.objects.create(amount=Decimal("999.00"), currency="USD", effective_from=timezone.now() + timedelta(days=9))
    page = member_client.get("/members/join/").content.decode()
    assert f"Sustaining dues are ${dues:,.2f} a year" in page and "999.00" not in page


def test_membership_buttons_on_the_home_page(member_client, person, pay):
    membership = services.join(person, "sustaining")
    pay(membership.terms.get().invoice)
    assert member_client.post("/members/membership/renew/").status_code == 302
    assert membership.pending_terms().count() == 1
    page = member_client.get(member_client.post("/members/membership/renew/")["Location"]).content.decode()
    assert "A renewal is already awaiting payment." in page
    assert member_client.post("/members/membership/explode/").status_code == 404
    assert member_client.get("/members/membership/cancel/").status_code == 405
    member_client.post("/members/membership/cancel/")
    membership.refresh_from_db()
    assert membership.status() == "cancelled"
    page = member_client.get(member_client.post("/members/membership/cancel/")["Location"]).content.decode()
    assert "You have no current membership." in page
