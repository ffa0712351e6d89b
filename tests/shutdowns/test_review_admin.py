"""The admin: list filters and search work, actions go through the review rules, edits
leave revisions."""

from datetime import UTC, datetime

import pytest
from tests.conftest import make_person

from isoc.shutdowns.models import EventRevision, ReviewState, ShutdownEvent

pytestmark = pytest.mark.django_db


def test_admin_list_actions_and_edit_history(client):
    admin_user = make_person("boss@example.org", staff=True, admin=True)
    client.force_login(admin_user)
    ev = ShutdownEvent.objects.create(country_id="IN", starts_at=datetime(2021, 3, 1, tzinfo=UTC), area="Srinagar",
                                      meets_removes_access=True, meets_affects_group=True)
    url = "/admin/shutdowns/shutdownevent/"
    for q in ("", "?year=2021", "?review_state=draft", "?shutdown_type=full", "?q=Srinagar"):
        r = client.get(url + q)
        assert r.status_code == 200 and b"Srinagar" in r.content, q
    assert b"Srinagar" not in client.get(url + "?year=2020").content
    client.post(url, {"action": "action_review", "_selected_action": [ev.pk]})
    client.post(url, {"action": "action_publish", "_selected_action": [ev.pk]})
    ev.refresh_from_db()
    assert ev.review_state == ReviewState.REVIEWED  # publish refused: not confirmed deliberate
    assert EventRevision.objects.filter(event=ev, changes__has_key="review_state").count() == 1
