"""Times are stored in UTC and shown in the reader's zone, with the zone named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from isoc.members import services

JOINED = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)


@pytest.fixture
def global_member(person):
    services.join(person, "global", at=JOINED)
    return person


def _home(client):
    return client.get("/members/").content.decode()


def test_times_are_stored_in_utc(global_member):
    term = global_member.current_membership().terms.get()
    assert term.starts_at.utcoffset().total_seconds() == 0
    assert term.starts_at == JOINED


def test_without_a_choice_times_are_shown_in_utc_and_say_so(client, global_member):
    client.force_login(global_member)
    page = _home(client)
    assert "Mar 5, 2026, 11:30" in page and "(UTC)" in page
    assert 'datetime="2026-03-05T23:30:00Z"' in page
    assert "Times are shown in UTC." in page


def test_the_browser_zone_cookie_moves_times_and_names_the_zone(client, global_member):
    client.force_login(global_member)
    client.cookies["isoc_tz"] = "Asia/Tokyo"
    page = _home(client)
    # 23:30 UTC on 5 March is 08:30 on 6 March in Tokyo.
    assert "Mar 6, 2026, 8:30" in page and "(Asia/Tokyo, UTC+09:00)" in page
    assert "Times are shown in Asia/Tokyo." in page


def test_a_zone_saved_on_the_account_wins_over_the_cookie(client, global_member):
    global_member.time_zone = "America/Sao_Paulo"
    global_member.save()
    client.force_login(global_member)
    client.cookies["isoc_tz"] = "Asia/Tokyo"
    page = _home(client)
    assert "(America/Sao_Paulo, UTC-03:00)" in page and "Mar 5, 2026, 8:30" in page


@pytest.mark.parametrize("cookie", ["Mars/Olympus", "../../etc/passwd", "<script>", "UTC+3", ""])
def test_a_bogus_zone_cookie_falls_back_to_utc(client, global_member, cookie):
    client.force_login(global_member)
    client.cookies["isoc_tz"] = cookie
    response = client.get("/members/")
    assert response.status_code == 200
    assert "Times are shown in UTC." in response.content.decode()


def test_daylight_saving_is_applied_for_the_instant_not_for_today(client, person):
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    services.join(person, "global", at=summer)
    person.time_zone = "Europe/Tallinn"
    person.save()
    client.force_login(person)
    page = _home(client)
    assert "(Europe/Tallinn, UTC+03:00)" in page  # EEST in July, whatever today is


def test_the_preferences_form_saves_the_zone_and_language_on_the_account(client, person):
    client.force_login(person)
    response = client.post("/preferences/", {"language": "et", "time_zone": "Pacific/Auckland", "next": "/members/"})
    assert response.status_code == 302 and response["Location"] == "/members/"
    person.refresh_from_db()
    assert (person.preferred_language, person.time_zone) == ("et", "Pacific/Auckland")
    assert response.cookies["isoc_tz"].value == "Pacific/Auckland"


def test_the_preferences_form_refuses_an_unknown_zone_and_an_offsite_next(client, person):
    client.force_login(person)
    bad = client.post("/preferences/", {"language": "fr", "time_zone": "Nowhere/City"})
    assert bad.status_code == 200
    person.refresh_from_db()
    assert person.time_zone == ""
    offsite = client.post("/preferences/", {"language": "fr", "time_zone": "", "next": "https://evil.example/"})
    assert offsite["Location"] == "/"


def test_the_zone_is_deactivated_after_the_request(client, global_member):
    client.force_login(global_member)
    client.cookies["isoc_tz"] = "Asia/Tokyo"
    _home(client)
    assert timezone.get_current_timezone_name() == "UTC"


def test_an_event_zone_and_the_readers_zone_can_both_be_shown():
    """The tag takes an explicit zone: an event page shows its own zone and the reader's."""
    from django.template import Context, Template
    from django.utils import translation

    template = Template('{% load isoc %}{% instant when zone="Africa/Nairobi" %} / {% instant when %}')
    with translation.override("en"), timezone.override("America/New_York"):
        text = template.render(Context({"when": datetime(2026, 11, 30, 9, 0, tzinfo=UTC)}))
    assert "Nov 30, 2026, 12:00\u202fPM (Africa/Nairobi, UTC+03:00)" in text  # CLDR: narrow no-break space
    assert "Nov 30, 2026, 4:00\u202fAM (America/New_York, UTC-05:00)" in text
