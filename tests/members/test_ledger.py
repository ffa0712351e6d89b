"""The dues ledger: append-only invoices, payments and credit notes in Decimal with a
currency, numbered without gaps, a printable receipt, and staff marking bank transfers paid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from isoc.members import models as m
from isoc.members import services
from isoc.members.payments import provider_for
from isoc.members.services import RuleViolation


def invoice_for(person, amount="50.00", currency="USD", at=None):
    return services.issue_invoice(person=person, description="Sustaining membership dues", amount=amount,
                                  currency=currency, at=at)


# --- numbering -------------------------------------------------------------------------


def test_numbers_run_per_series_and_year_without_gaps(person, ledger_ok):
    late = datetime(2030, 12, 31, 23, 59, tzinfo=UTC)
    early = datetime(2031, 1, 1, 0, 0, tzinfo=UTC)
    numbers = [invoice_for(person, at=late).number for _ in range(3)] + [invoice_for(person, at=early).number]
    assert numbers == ["INV-2030-000001", "INV-2030-000002", "INV-2030-000003", "INV-2031-000001"]
    payment = services.record_payment(m.Invoice.objects.get(number="INV-2031-000001"), amount="50",
                                      reference="R1", received_at=early)
    note = services.void_invoice(m.Invoice.objects.get(number="INV-2030-000001"), reason="duplicate")
    assert payment.number == "PAY-2031-000001"
    assert note.number == f"CRN-{note.issued_at.year}-000001"
    ledger_ok()


def test_a_rolled_back_document_gives_its_number_back(person, ledger_ok):
    at = datetime(2031, 5, 1, tzinfo=UTC)
    invoice_for(person, at=at)
    with pytest.raises(RuntimeError), transaction.atomic():
        invoice_for(person, at=at)
        raise RuntimeError("the operation failed after the invoice was numbered")
    assert invoice_for(person, at=at).number == "INV-2031-000002"
    ledger_ok()


# --- append-only, Decimal with a currency ------------------------------------------------


def test_ledger_entries_cannot_be_changed_or_deleted(person, pay):
    invoice = invoice_for(person)
    payment = pay(invoice)
    note_invoice = invoice_for(person)
    note = services.void_invoice(note_invoice, reason="test")
    for entry, field, value in ((invoice, "amount", Decimal("1.00")), (payment, "reference", "edited"),
                                (note, "reason", "edited")):
        setattr(entry, field, value)
        with pytest.raises(ValidationError):
            entry.save()
        with pytest.raises(ValidationError):
            entry.delete()
        entry.refresh_from_db()
        assert getattr(entry, field) != value
    assert m.Invoice.objects.count() == 2 and m.Payment.objects.count() == 1 and m.CreditNote.objects.count() == 1


def test_amounts_are_decimal_to_the_cent(person):
    invoice = invoice_for(person, amount="0.10", currency="CHF")
    payment = services.record_payment(invoice, amount="0.05", reference="R")
    services.record_payment(invoice, amount=Decimal("0.05"), reference="R2")
    invoice.refresh_from_db()
    assert isinstance(payment.amount, Decimal)
    assert invoice.paid_total() == Decimal("0.10") and invoice.balance() == Decimal("0.00")
    assert invoice.state == "paid"


@pytest.mark.parametrize("amount", ["abc", "", "0", "-5", "0.001", "NaN", "Infinity", "sNaN", "1e10", "1e400"])
def test_payments_of_no_sensible_amount_are_refused(person, amount):
    invoice = invoice_for(person)
    with pytest.raises(RuleViolation) as err:
        services.record_payment(invoice, amount=amount, reference="R")
    assert err.value.field == "amount"
    assert not m.Payment.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-1", "nope"])
def test_invoices_of_no_sensible_amount_are_refused(person, amount):
    with pytest.raises(RuleViolation):
        invoice_for(person, amount=amount)
    assert not m.Invoice.objects.exists()


def test_a_payment_in_another_currency_is_refused(person):
    invoice = invoice_for(person, currency="EUR")
    with pytest.raises(RuleViolation) as err:
        services.record_payment(invoice, amount="50", reference="R", currency="USD")
    assert err.value.field == "currency" and "EUR" in err.value.message
    assert not m.Payment.objects.exists()


def test_a_payment_needs_a_reference(person):
    invoice = invoice_for(person)
    for reference in ("", "   "):
        with pytest.raises(RuleViolation) as err:
            services.record_payment(invoice, amount="50", reference=reference)
        assert err.value.field == "reference"
    assert not m.Payment.objects.exists()


def test_overpayment_and_payment_of_a_paid_invoice_are_refused(person, pay, ledger_ok):
    invoice = invoice_for(person)
    with pytest.raises(RuleViolation) as err:
        services.record_payment(invoice, amount="50.01", reference="R")
    assert err.value.field == "amount"
    pay(invoice)
    with pytest.raises(RuleViolation) as err:
        services.record_payment(invoice, amount="1", reference="R")
    assert err.value.code == "invoice_closed"
    assert invoice.payments.count() == 1
    ledger_ok()


def test_voiding_credits_only_what_is_still_due(person, pay, ledger_ok):
    invoice = invoice_for(person)
    services.record_payment(invoice, amount="20", reference="R")
    note = services.void_invoice(invoice, reason="member left")
    assert note.amount == Decimal("30.00") and note.currency == "USD"
    assert invoice.state == "settled" and invoice.balance() == 0
    assert services.void_invoice(invoice, reason="again") is None
    paid = invoice_for(person)
    pay(paid)
    assert services.void_invoice(paid, reason="too late") is None
    assert paid.state == "paid"
    untouched = invoice_for(person)
    services.void_invoice(untouched, reason="issued in error")
    assert untouched.state == "void"
    with pytest.raises(RuleViolation) as err:
        services.record_payment(untouched, amount="50", reference="R")
    assert err.value.code == "invoice_closed"
    ledger_ok()


# --- receipts --------------------------------------------------------------------------


def test_a_member_can_print_the_receipt_of_a_paid_invoice(member_client, person, t0, pay):
    membership = services.join(person, "sustaining", at=t0)
    invoice = membership.terms.get().invoice
    pay(invoice, at=t0, reference="UBS-778899")
    page = member_client.get(f"/members/invoices/{invoice.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Receipt {invoice.number}" in html
    assert "Ada Lovelace" in html and "$50.00" in html and "UBS-778899" in html
    assert 'data-testid="balance">$0.00' in html
    assert "data-print" in html  # the Print button (site.js prints; no inline handler under the CSP)
    assert "by bank transfer" not in html  # nothing left to pay


def test_an_open_invoice_shows_how_to_pay_it(member_client, person, t0):
    invoice = services.join(person, "sustaining", at=t0).terms.get().invoice
    html = member_client.get(invoice.get_absolute_url()).content.decode()
    assert f"Invoice {invoice.number}" in html
    assert provider_for("bank_transfer").instructions(invoice) in html
    assert invoice.number in provider_for("bank_transfer").instructions(invoice)


def test_unknown_payment_provider_is_named_in_the_error():
    with pytest.raises(ValueError, match="card"):
        provider_for("card")


# --- staff mark bank transfers paid ------------------------------------------------------


def test_staff_record_a_bank_transfer_with_its_reference(staff_client, staff, person):
    membership = services.join(person, "sustaining")
    invoice = membership.terms.get().invoice
    url = f"/admin/members/invoice/{invoice.pk}/mark-paid/"
    form = staff_client.get(url)
    assert form.status_code == 200 and invoice.number in form.content.decode()
    done = staff_client.post(url, {"amount": "50.00", "reference": "BANK 2031-03-02 #17"})
    assert done.status_code == 302
    payment = invoice.payments.get()
    assert (payment.reference, payment.recorded_by, payment.provider) == ("BANK 2031-03-02 #17", staff, "bank_transfer")
    assert membership.status() == "active"


def test_staff_cannot_mark_a_voided_invoice_paid(staff_client, person, t0):
    membership = services.join(person, "sustaining", at=t0)
    invoice = membership.terms.get().invoice
    services.cancel(membership)
    page = staff_client.post(f"/admin/members/invoice/{invoice.pk}/mark-paid/", {"amount": "50.00", "reference": "X"})
    assert page.status_code == 200
    assert "no payment can be recorded" in page.content.decode()
    assert not m.Payment.objects.exists()


def test_the_mark_paid_admin_action_pays_each_open_invoice_in_full(staff_client, person, other_person, ledger_ok):
    a = services.join(person, "sustaining")
    b = services.join(other_person, "sustaining")
    ids = [a.terms.get().invoice_id, b.terms.get().invoice_id]
    response = staff_client.post("/admin/members/invoice/", {
        "action": "mark_paid", "_selected_action": ids, "reference": "BATCH-7",
    })
    assert response.status_code == 302
    assert sorted(m.Payment.objects.values_list("reference", flat=True)) == ["BATCH-7", "BATCH-7"]
    assert a.status() == "active" and b.status() == "active"
    ledger_ok()


def test_members_cannot_record_payments(member_client, person, t0):
    invoice = services.join(person, "sustaining", at=t0).terms.get().invoice
    response = member_client.post(f"/admin/members/invoice/{invoice.pk}/mark-paid/", {"amount": "50", "reference": "X"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not m.Payment.objects.exists()


def test_due_date_is_thirty_days_after_issue(person):
    at = datetime(2031, 1, 15, 9, tzinfo=UTC)
    assert invoice_for(person, at=at).due_on == (at + timedelta(days=30)).date()
