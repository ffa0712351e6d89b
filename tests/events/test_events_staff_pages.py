"""The secretariat's event pages: granting funding (refused for a chapter in rejuvenation,
as a form error), cancelling an event and recording refunds; who may open them (visitor,
member, organizer, staff), CSRF, and the admin action."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from isoc.events import services
from isoc.events.models import Event, EventFunding, EventRefund, Registration
from isoc.members import services as ledger

pytestmark = pytest.mark.django_db
REASON = "The speakers cannot travel."


def text(response) -> str:
    return response.content.decode()


# --- funding -------------------------------------------------------------------------------


def test_funding_page_permissions(client, make_event, new_person, staff):
    event = make_event()
    url = f"/events/{event.slug}/funding/"
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url, {"amount": "10", "currency": "USD"}).status_code == 302
    client.force_login(new_person())
    assert client.get(url).status_code == 403
    assert client.post(url, {"amount": "10", "currency": "USD"}).status_code == 403
    assert not EventFunding.objects.exists()
    # The event page neither shows funding nor links to it for a member.
    assert "/funding/" not in text(client.get(event.get_absolute_url()))
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200 and "No funding granted yet." in text(page)


def test_staff_grant_funding_and_see_who_granted_it(client, make_event, staff):
    event = make_event()
    client.force_login(staff)
    url = f"/events/{event.slug}/funding/"
    response = client.post(url, {"amount": "1500", "currency": "EUR", "purpose": "Venue hire"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "The funding is recorded." in text(response)
    grant = EventFunding.objects.get()
    assert (grant.amount, grant.currency, grant.granted_by, grant.purpose) == (Decimal("1500.00"), "EUR", staff,
                                                                               "Venue hire")
    for page in (text(response), text(client.get(event.get_absolute_url()))):
        assert "€1,500.00" in page and "Sam Staff" in page and "Venue hire" in page
    assert f'href="{url}"' in text(client.get(event.get_absolute_url()))


def test_a_chapter_in_rejuvenation_is_refused_as_a_form_error(client, make_event, rejuvenating, staff):
    event = make_event(scope=Event.Scope.CHAPTER, chapter=rejuvenating, title="Estonia Chapter meetup")
    client.force_login(staff)
    url = f"/events/{event.slug}/funding/"
    assert "may not receive event funding now" in text(client.get(url))  # warned before asking
    response = client.post(url, {"amount": "100", "currency": "EUR", "purpose": "Meetup"})
    assert response.status_code == 409
    assert "Estonia Chapter may not receive event funding now (state: Rejuvenation)" in text(response)
    assert 'class="errorlist nonfield"' in text(response)
    assert 'value="100"' in text(response)  # the input is kept
    assert not EventFunding.objects.exists()


def test_funding_input_errors_are_form_errors(client, make_event, staff):
    event = make_event()
    client.force_login(staff)
    url = f"/events/{event.slug}/funding/"
    bad = client.post(url, {"amount": "lots", "currency": "EUR"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in text(bad)
    zero = client.post(url, {"amount": "0", "currency": "EUR"})
    assert zero.status_code == 409 and "The amount must be more than zero." in text(zero)
    assert client.post(url, {"amount": "5", "currency": "XXX"}).status_code == 400
    assert not EventFunding.objects.exists()


def test_funding_needs_the_csrf_token(make_event, staff):
    event = make_event()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    url = f"/events/{event.slug}/funding/"
    assert strict.post(url, {"amount": "10", "currency": "USD"}).status_code == 403
    assert not EventFunding.objects.exists()
    token = strict.get(url).context["csrf_token"]
    assert strict.post(url, {"amount": "10", "currency": "USD", "csrfmiddlewaretoken": token}).status_code == 302


# --- cancelling ----------------------------------------------------------------------------


def test_cancellation_page_permissions(client, make_event, new_person, staff):
    event = make_event(fee=Decimal("20.00"))
    url = f"/events/{event.slug}/cancellation/"
    assert client.get(url).status_code == 302
    member = new_person()
    client.force_login(member)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": REASON, "confirm": "on"}).status_code == 403
    assert "/cancellation/" not in text(client.get(event.get_absolute_url()))
    services.register(event, new_person(), notify=False)  # now there is an invoice
    organizer = new_person()
    event.organizers.add(organizer)
    client.force_login(organizer)
    assert client.get(url).status_code == 403  # money is involved: the secretariat's call
    event.refresh_from_db()
    assert event.cancelled_at is None
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200 and "1 seat awaiting payment is cancelled and its invoice voided" in text(page)


def test_staff_cancel_an_event_from_its_page(client, make_event, new_person, staff):
    event = make_event(capacity=1, fee=Decimal("20.00"), currency="USD")
    seat = services.register(event, new_person(), notify=False)
    ledger.record_payment(seat.invoice, amount="20.00", reference="BANK-1")
    services.register(event, new_person(), notify=False)
    client.force_login(staff)
    detail = text(client.get(event.get_absolute_url()))
    assert f'href="/events/{event.slug}/cancellation/"' in detail and "Cancel this event" in detail
    url = f"/events/{event.slug}/cancellation/"
    unconfirmed = client.post(url, {"reason": REASON})
    assert unconfirmed.status_code == 400 and 'aria-invalid="true"' in text(unconfirmed)
    blank = client.post(url, {"reason": "", "confirm": "on"})
    assert blank.status_code == 400
    event.refresh_from_db()
    assert event.cancelled_at is None
    response = client.post(url, {"reason": REASON, "confirm": "on"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    page = text(response)
    assert "The event is cancelled; 2 attendees are being told by email." in page
    assert "Cancelled on" in page and "Sam Staff" in page and REASON in page
    assert "$20.00" in page and seat.invoice.number in page and "Record the refund" in page
    assert not Registration.objects.exclude(state="cancelled").exists()
    again = client.post(url, {"reason": "again", "confirm": "on"})
    assert again.status_code == 409 and "This event was already cancelled." in text(again)
    detail = text(client.get(event.get_absolute_url()))
    assert "This event was cancelled." in detail and REASON in detail and "Cancellation and refunds" in detail


def test_an_organizer_may_cancel_an_event_without_fees(client, make_event, new_person):
    event = make_event()
    organizer = new_person(first_name="Olu", last_name="Organizer")
    event.organizers.add(organizer)
    client.force_login(organizer)
    assert "Cancel this event" in text(client.get(event.get_absolute_url()))
    response = client.post(f"/events/{event.slug}/cancellation/", {"reason": REASON, "confirm": "on"}, follow=True)
    assert response.status_code == 200 and "by Olu Organizer" in text(response)
    assert "Refunds owed" not in text(response)  # the ledger side is for staff
    event.refresh_from_db()
    assert event.cancelled_by == organizer


def test_recording_a_refund(client, make_event, new_person, staff):
    event = make_event(capacity=1, fee=Decimal("20.00"))
    seat = services.register(event, new_person(), notify=False)
    ledger.record_payment(seat.invoice, amount="20.00", reference="BANK-1")
    services.cancel_event(event, actor=staff, reason=REASON)
    refund = EventRefund.objects.get()
    url = f"/events/{event.slug}/refunds/{refund.pk}/"
    member = new_person()
    client.force_login(member)
    assert client.post(url, {f"refund-{refund.pk}-reference": "X"}).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 405
    missing = client.post(url, {f"refund-{refund.pk}-reference": ""})
    assert missing.status_code == 400 and f'id="id_refund-{refund.pk}-reference_error"' in text(missing)
    done = client.post(url, {f"refund-{refund.pk}-reference": "OUT-42"}, follow=True)
    assert "The refund is recorded." in text(done) and "OUT-42" in text(done)
    refund.refresh_from_db()
    assert refund.refunded_by == staff and refund.reference == "OUT-42"
    twice = client.post(url, {f"refund-{refund.pk}-reference": "OUT-43"})
    assert twice.status_code == 409
    other = make_event()
    assert client.post(f"/events/{other.slug}/refunds/{refund.pk}/",
                       {f"refund-{refund.pk}-reference": "X"}).status_code == 404


def test_cancelling_needs_the_csrf_token(make_event, staff):
    event = make_event()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.post(f"/events/{event.slug}/cancellation/", {"reason": REASON, "confirm": "on"}).status_code == 403
    event.refresh_from_db()
    assert event.cancelled_at is None


# --- the admin -----------------------------------------------------------------------------


def test_the_admin_action_asks_for_the_reason_then_cancels(client, make_event, new_person, admin_user):
    event = make_event(title="Open Standards Hackathon")
    services.register(event, new_person(), notify=False)
    client.force_login(admin_user)
    url = "/admin/events/event/"
    ask = client.post(url, {"action": "cancel_events", "_selected_action": [event.pk]})
    assert ask.status_code == 200 and "Reason (attendees are told)" in text(ask) and "1 confirmed" in text(ask)
    event.refresh_from_db()
    assert event.cancelled_at is None
    done = client.post(url, {"action": "cancel_events", "_selected_action": [event.pk], "apply": "1",
                             "reason": REASON}, follow=True)
    assert "Open Standards Hackathon: cancelled; 1 attendees told" in text(done)
    event.refresh_from_db()
    assert event.cancelled_by == admin_user and event.cancellation_reason == REASON
    again = client.post(url, {"action": "cancel_events", "_selected_action": [event.pk], "apply": "1",
                              "reason": REASON}, follow=True)
    assert "This event was already cancelled." in text(again)
    # The cancellation cannot be typed into the event's form: it is read-only there.
    change = text(client.get(f"/admin/events/event/{event.pk}/change/"))
    assert 'name="cancelled_at' not in change and 'name="cancellation_reason"' not in change
    assert client.get("/admin/events/eventrefund/?due=yes").status_code == 200
