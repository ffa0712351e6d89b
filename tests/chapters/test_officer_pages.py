"""The officer dashboard's officer forms (appoint, end a term) and the chapter's events on
its page and dashboard: who may do what (visitor, plain member, another chapter's officer,
an officer who is not the chair, the chair, staff), refusals shown as form errors with a
4xx and nothing changed, CSRF, and the officer history the services keep."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from isoc.chapters import forms
from isoc.chapters import services as cs

pytestmark = pytest.mark.django_db


def appoint_url(chapter) -> str:
    return f"/chapters/{chapter.slug}/officers/appoint/"


def end_url(chapter, term) -> str:
    return f"/chapters/{chapter.slug}/officers/{term.pk}/end/"


def appointment(person, role: str = "voting-delegate", starts_on=None, ends_on=None) -> dict:
    data = {"appoint-person": person.pk, "appoint-role": role,
            "appoint-starts_on": (starts_on or timezone.localdate()).isoformat()}
    if ends_on:
        data["appoint-ends_on"] = ends_on.isoformat()
    return data


def ending(term, day) -> dict:
    return {f"end-{term.pk}-ends_on": day.isoformat()}


def snapshot(chapter) -> tuple:
    """Everything an officer form could change."""
    return (sorted(chapter.officer_terms.values_list("pk", "person_id", "role", "starts_on", "ends_on")),
            chapter.officer_changes.count())


@pytest.fixture
def other(staff, new_person):
    """Latvia Chapter (in formation) and its chair, an officer of another chapter."""
    latvia = cs.form_chapter(name="Latvia Chapter", actor=staff, community=cs.Community(country="LV"))
    chair = new_person()
    cs.join(chair, latvia)
    cs.appoint_officer(latvia, chair, "chair", starts_on=timezone.localdate(), actor=staff)
    latvia.chair = chair
    return latvia


# --- who sees the forms ----------------------------------------------------------------


def test_the_chair_sees_the_forms_and_the_history(client, live):
    client.force_login(live.people[0])
    html = client.get(f"/chapters/{live.slug}/dashboard/").content.decode()
    assert "Appoint an officer" in html and 'name="appoint-person"' in html
    # One end form per officer in office, each with its own field.
    for term in live.officer_terms.all():
        assert f'action="{end_url(live, term)}#officers-heading"' in html
        assert f'id="id_end-{term.pk}-ends_on"' in html
    # The select offers the chapter's members only (and a blank first choice).
    select = html[html.index('name="appoint-person"'):]
    select = select[:select.index("</select>")]
    assert select.count("<option value=") == 25 + 1
    assert select.count("@example.net&gt;</option>") == 25 and live.people[0].email in select
    assert "Officer history" in html and html.count("<td>Appointed</td>") == 3


def test_another_officer_sees_the_officers_but_no_forms(client, live):
    client.force_login(live.people[1])  # the secretary
    html = client.get(f"/chapters/{live.slug}/dashboard/").content.decode()
    assert "Secretary" in html and live.people[0].display_name in html
    assert "Appoint an officer" not in html and "/officers/" not in html
    assert "Only the chapter's chair and the secretariat appoint officers" in html


# --- permissions: nobody else changes officers -----------------------------------------


def test_a_visitor_is_sent_to_sign_in_and_nothing_changes(client, live):
    before = snapshot(live)
    term = live.officer_terms.get(role="treasurer")
    for url, data in [(appoint_url(live), appointment(live.people[5])),
                      (end_url(live, term), ending(term, timezone.localdate()))]:
        r = client.post(url, data)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert snapshot(live) == before


def test_a_plain_member_is_refused(client, live):
    before = snapshot(live)
    term = live.officer_terms.get(role="treasurer")
    client.force_login(live.people[10])
    assert client.post(appoint_url(live), appointment(live.people[10])).status_code == 403
    assert client.post(end_url(live, term), ending(term, timezone.localdate())).status_code == 403
    assert snapshot(live) == before


@pytest.mark.parametrize("officer", [1, 2], ids=["secretary", "treasurer"])
def test_an_officer_who_is_not_the_chair_is_refused(client, live, officer):
    before = snapshot(live)
    client.force_login(live.people[officer])
    # Not even to make themselves the voting delegate, or to end the chair's term.
    r = client.post(appoint_url(live), appointment(live.people[officer]))
    assert r.status_code == 403 and "chair and the secretariat" in r.content.decode()
    chair_term = live.officer_terms.get(role="chair")
    assert client.post(end_url(live, chair_term), ending(chair_term, timezone.localdate())).status_code == 403
    assert snapshot(live) == before


def test_an_officer_of_another_chapter_never_acts_on_this_one(client, live, other):
    before, before_other = snapshot(live), snapshot(other)
    term = live.officer_terms.get(role="treasurer")
    client.force_login(other.chair)
    assert client.get(f"/chapters/{live.slug}/dashboard/").status_code == 403
    assert client.post(appoint_url(live), appointment(live.people[5])).status_code == 403
    assert client.post(end_url(live, term), ending(term, timezone.localdate())).status_code == 403
    # Through their own chapter's address, with this chapter's term or member: not found / refused.
    assert client.post(end_url(other, term), ending(term, timezone.localdate())).status_code == 404
    r = client.post(appoint_url(other), appointment(live.people[5], role="secretary"))
    assert r.status_code == 400 and "Select a valid choice" in r.content.decode()
    assert snapshot(live) == before and snapshot(other) == before_other


def test_staff_of_one_chapter_address_cannot_end_another_chapters_term(client, live, other, staff):
    client.force_login(staff)
    term = other.officer_terms.get()
    assert client.post(end_url(live, term), ending(term, timezone.localdate())).status_code == 404
    term.refresh_from_db()
    assert term.ends_on is None


def test_get_is_not_allowed(client, live):
    client.force_login(live.people[0])
    term = live.officer_terms.get(role="treasurer")
    assert client.get(appoint_url(live)).status_code == 405
    assert client.get(end_url(live, term)).status_code == 405


def test_posts_need_the_csrf_token(live):
    before = snapshot(live)
    client = Client(enforce_csrf_checks=True)
    client.force_login(live.people[0])
    term = live.officer_terms.get(role="treasurer")
    assert client.post(appoint_url(live), appointment(live.people[5])).status_code == 403
    assert client.post(end_url(live, term), ending(term, timezone.localdate())).status_code == 403
    assert snapshot(live) == before
    # With the token the dashboard's form carries, the same appointment goes through.
    html = client.get(f"/chapters/{live.slug}/dashboard/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    r = client.post(appoint_url(live), {**appointment(live.people[5]), "csrfmiddlewaretoken": token})
    assert r.status_code == 302 and cs.voting_delegate(live) == live.people[5]


# --- the chair and staff appoint and end terms -----------------------------------------


def test_the_chair_appoints_a_voting_delegate(client, live):
    chair, delegate = live.people[0], live.people[5]
    client.force_login(chair)
    r = client.post(appoint_url(live), appointment(delegate), follow=True)
    assert r.redirect_chain[-1][0] == f"/chapters/{live.slug}/dashboard/#officers-heading"
    html = r.content.decode()
    assert f"{delegate.display_name} is appointed Voting delegate." in html
    term = live.officer_terms.get(role="voting-delegate")
    assert (term.person, term.appointed_by, term.ends_on) == (delegate, chair, None)
    change = live.officer_changes.first()
    assert (change.kind, change.term, change.actor, change.role) == ("appointed", term, chair, "voting-delegate")
    assert html.count("<td>Appointed</td>") == 4


def test_appointing_a_new_chair_hands_over_and_keeps_the_history(client, live):
    chair, successor = live.people[0], live.people[4]
    start = timezone.localdate() + timedelta(days=30)
    client.force_login(chair)
    r = client.post(appoint_url(live), appointment(successor, role="chair", starts_on=start))
    assert r.status_code == 302
    old = live.officer_terms.get(person=chair, role="chair")
    assert old.ends_on == start - timedelta(days=1)
    kinds = list(live.officer_changes.filter(role="chair").values_list("kind", "person_id", "previous_ends_on"))
    assert ("handed-over", chair.pk, None) in kinds and ("appointed", successor.pk, None) in kinds
    html = client.get(f"/chapters/{live.slug}/dashboard/").content.decode()
    assert "Handed over to a successor" in html


def test_staff_appoint_and_end_terms(client, live, staff):
    client.force_login(staff)
    r = client.post(appoint_url(live), appointment(live.people[6], role="cac-delegate",
                                                   ends_on=timezone.localdate() + timedelta(days=365)))
    assert r.status_code == 302
    term = live.officer_terms.get(role="cac-delegate")
    r = client.post(end_url(live, term), ending(term, timezone.localdate()))
    assert r.status_code == 302
    term.refresh_from_db()
    assert term.ends_on == timezone.localdate()
    change = live.officer_changes.first()
    assert (change.kind, change.actor, change.previous_ends_on) == ("ended", staff,
                                                                     timezone.localdate() + timedelta(days=365))


def test_the_chair_ends_the_treasurers_term(client, live):
    chair = live.people[0]
    term = live.officer_terms.get(role="treasurer")
    client.force_login(chair)
    r = client.post(end_url(live, term), ending(term, timezone.localdate()), follow=True)
    html = r.content.decode()
    assert "as Treasurer ends on" in html and "Term ended" in html
    term.refresh_from_db()
    assert term.ends_on == timezone.localdate()
    assert (live.officer_changes.first().kind, live.officer_changes.first().actor) == ("ended", chair)


# --- refusals: form errors, a 4xx, nothing changed -------------------------------------


def test_appointment_refusals_are_form_errors(client, live, fill):
    (outsider,) = fill(live, 1, isoc_member=False)  # a chapter member, not an Internet Society member
    client.force_login(live.people[0])
    before = snapshot(live)
    today = timezone.localdate()
    cases = [
        (appointment(outsider), 409, "The voting delegate must be an Internet Society member."),
        (appointment(live.people[5], role="secretary", starts_on=today - timedelta(days=3)), 409,
         "terms of one role cannot overlap"),
        (appointment(live.people[5], role="cac-delegate", ends_on=today - timedelta(days=1)), 409,
         "A term cannot end before it starts."),
        ({**appointment(live.people[5]), "appoint-role": "king"}, 400, "Select a valid choice"),
        ({**appointment(live.people[5]), "appoint-starts_on": "31/02/2026"}, 400, "Enter a valid date."),
        ({**appointment(live.people[5]), "appoint-person": ""}, 400, "This field is required."),
    ]
    for data, status, message in cases:
        r = client.post(appoint_url(live), data)
        html = r.content.decode()
        assert r.status_code == status, (data, html[:500])
        assert message in html, data
        assert 'aria-invalid="true"' in html or "errorlist nonfield" in html
        assert "Appoint an officer" in html  # the dashboard again, with what was typed
    assert snapshot(live) == before


def test_a_de_chartered_chapter_takes_no_officers(client, live, staff):
    cs.decharter(live, actor=staff, reason="Closed.")
    client.force_login(staff)
    r = client.post(appoint_url(live), appointment(live.people[5]))
    assert r.status_code == 409 and "A de-chartered chapter has no officers." in r.content.decode()


def test_ending_refusals_are_form_errors(client, live):
    term = live.officer_terms.get(role="treasurer")
    client.force_login(live.people[0])
    r = client.post(end_url(live, term), ending(term, term.starts_on - timedelta(days=1)))
    assert r.status_code == 409 and "A term cannot end before it starts." in r.content.decode()
    r = client.post(end_url(live, term), {f"end-{term.pk}-ends_on": "not a day"})
    assert r.status_code == 400 and "Enter a valid date." in r.content.decode()
    assert f'id="id_end-{term.pk}-ends_on"' in r.content.decode()
    client.post(end_url(live, term), ending(term, timezone.localdate()))
    before = snapshot(live)
    r = client.post(end_url(live, term), ending(term, timezone.localdate()))
    assert r.status_code == 409 and "it can end earlier, not later" in r.content.decode()
    assert snapshot(live) == before


def test_a_large_chapter_asks_for_the_members_email(client, live, new_person, monkeypatch):
    monkeypatch.setattr(forms, "MEMBER_SELECT_LIMIT", 10)
    client.force_login(live.people[0])
    html = client.get(f"/chapters/{live.slug}/dashboard/").content.decode()
    assert 'type="email" name="appoint-person"' in html
    stranger = new_person()  # has an account, is not a member: not revealed, refused alike
    for address in (stranger.email, "nobody@example.org"):
        r = client.post(appoint_url(live), {**appointment(live.people[5]), "appoint-person": address})
        assert r.status_code == 400 and "No member of this chapter has this email address." in r.content.decode()
    delegate = live.people[5]
    r = client.post(appoint_url(live), {**appointment(delegate), "appoint-person": delegate.email.upper()})
    assert r.status_code == 302 and cs.voting_delegate(live) == delegate


# --- the chapter's events --------------------------------------------------------------


@pytest.fixture
def chapter_events(live, other, new_person):
    """Events of the live chapter: two upcoming (one unpublished), one past; one of Latvia's."""
    from isoc.events import services as es
    from isoc.events.models import Event

    now = timezone.now()

    def event(slug, title, starts, chapter=live, **fields):
        return Event.objects.create(
            slug=slug, title=title, scope="chapter", chapter=chapter, starts_at=starts,
            ends_at=starts + timedelta(hours=3), capacity=2, members_open_at=starts - timedelta(days=40),
            public_open_at=starts - timedelta(days=30), closes_at=starts, time_zone="Europe/Tallinn", **fields)

    meetup = event("tallinn-meetup", "Tallinn IPv6 meetup", now + timedelta(days=20))
    for _ in range(3):
        es.register(meetup, new_person(), notify=False)  # two seats taken, one waiting
    draft = event("draft-workshop", "Draft workshop", now + timedelta(days=60), published=False)
    past = event("igf-2025", "Estonian IGF", now - timedelta(days=100))
    theirs = event("riga-meetup", "Riga meetup", now + timedelta(days=10), chapter=other)
    return {"meetup": meetup, "draft": draft, "past": past, "theirs": theirs}


def test_the_chapter_page_lists_its_upcoming_and_recent_events(client, live, chapter_events):
    html = client.get(live.get_absolute_url()).content.decode()
    section = html[html.index('id="events-heading"'):html.index('id="standing-heading"')]
    assert "Tallinn IPv6 meetup" in section and "/events/tallinn-meetup/" in section
    assert "Full: registrations join the waitlist" in section
    assert "Recent events" in section and "Estonian IGF" in section
    assert section.index("Tallinn IPv6 meetup") < section.index("Recent events") < section.index("Estonian IGF")
    assert "Draft workshop" not in html and "Riga meetup" not in html


def test_a_chapter_without_events_says_so(client, other):
    html = client.get(other.get_absolute_url()).content.decode()
    assert "No upcoming events." in html and "Recent events" not in html


def test_the_dashboard_lists_every_event_with_its_registrations(client, live, chapter_events):
    client.force_login(live.people[1])  # any officer
    html = client.get(f"/chapters/{live.slug}/dashboard/").content.decode()
    section = html[html.index('id="events-heading"'):html.index('id="reports-heading"')]
    rows = re.findall(r"<tr><td>(.*?)</tr>", section, re.S)
    assert [re.sub(r"<[^>]+>", "", r.split("</td>")[0]) for r in rows] == [
        "Draft workshop", "Tallinn IPv6 meetup", "Estonian IGF"]
    meetup = next(r for r in rows if "Tallinn IPv6" in r)
    assert re.findall(r'<td class="num">(\d+)</td>', meetup) == ["2", "2", "1"]  # taken, capacity, waiting
    draft = next(r for r in rows if "Draft" in r)
    assert "Not published" in draft and "/events/draft-workshop/" not in draft  # its page is staff-only
    assert "Riga meetup" not in html
