"""An event page shows its times in UTC, and also in the reader's zone when that differs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from isoc.shutdowns.models import ReviewState, ShutdownEvent


def _event(db) -> ShutdownEvent:
    start = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
    return ShutdownEvent.objects.create(
        country_id="IR", starts_at=start, ends_at=start + timedelta(hours=5), review_state=ReviewState.PUBLISHED,
        meets_deliberate=True, meets_removes_access=True, meets_affects_group=True,
    )


def test_utc_only_once_for_a_reader_in_utc(client, db):
    page = client.get(_event(db).get_absolute_url()).content.decode()
    assert page.count("Mar 1, 2026, 10:00\u202fPM (UTC)") == 1


def test_utc_and_the_readers_zone(client, db):
    client.cookies["isoc_tz"] = "Asia/Tehran"
    page = client.get(_event(db).get_absolute_url()).content.decode()
    assert "Mar 1, 2026, 10:00\u202fPM (UTC)" in page
    assert "Mar 2, 2026, 1:30\u202fAM (Asia/Tehran, UTC+03:30)" in page
