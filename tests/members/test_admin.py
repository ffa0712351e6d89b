"""The secretariat's admin: recording payments, actions, CSV export, read-only ledger."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from isoc.members import services
from isoc.members.models import Invoice, Payment


def _pending_invoice(person) -> Invoice:
    services.join(person, "sustaining")
    return person.invoices.get()


def test_staff_records_a_bank_transfer_and_the_membership_becomes_active(staff_client, person, staff):
    invoice = _pending_invoice(person)
    url = reverse("admin:members_invoice_mark_paid", args=[invoice.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    response = staff_client.post(url, {"amount": str(invoice.amount), "reference": "UBS-2026-0042"})
    assert response.status_code == 302
    payment = Payment.objects.get(invoice=invoice)
    assert payment.reference == "UBS-2026-0042"
    assert payment.recorded_by == staff
    assert person.current_membership().status() == "active"


def test_recording_more_than_is_due_is_refused_with_a_message(staff_client, person):
    invoice = _pending_invoice(person)
    url = reverse("admin:members_invoice_mark_paid", args=[invoice.pk])
    response = staff_client.post(url, {"amount": str(invoice.amount * 2), "reference": "X"})
    assert response.status_code == 200
    assert "still due" in response.content.decode()
    assert not Payment.objects.exists()


def test_mark_paid_action_pays_the_selected_invoices(staff_client, person, other_person):
    first, second = _pending_invoice(person), _pending_invoice(other_person)
    response = staff_client.post(
        reverse("admin:members_invoice_changelist"),
        {"action": "mark_paid", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    assert {i.state for i in Invoice.objects.all()} == {"paid"}


def test_invoices_cannot_be_edited_or_deleted_in_the_admin(staff_client, person):
    invoice = _pending_invoice(person)
    change = staff_client.post(reverse("admin:members_invoice_change", args=[invoice.pk]), {"amount": "1.00"})
    assert change.status_code in (302, 403) or b"readonly" in change.content
    invoice.refresh_from_db()
    assert invoice.amount != 1
    delete = staff_client.post(reverse("admin:members_invoice_delete", args=[invoice.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_csv_export_neutralises_spreadsheet_formulas(staff_client, person):
    person.first_name = "=HYPERLINK(\"http://evil\")"
    person.save()
    response = staff_client.post(
        reverse("admin:members_person_changelist"),
        {"action": "export_csv", "_selected_action": [person.pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["pk", "email", "first_name"]
    assert rows[1][2].startswith("'=")


def test_a_member_cannot_open_the_admin(member_client):
    response = member_client.get(reverse("admin:members_invoice_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
