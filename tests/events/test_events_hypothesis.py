"""Random sequences of registrations, cancellations and capacity changes: seats never
exceed capacity, nobody waits while a seat is free, the waitlist keeps its order, and
every registration's history ends in its state."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isoc.events import services
from isoc.events.models import Registration
from isoc.members.services import RuleViolation

S = Registration.State
steps = st.lists(st.one_of(
    st.tuples(st.just("register"), st.integers(0, 7)),
    st.tuples(st.just("cancel"), st.integers(0, 7)),
    st.tuples(st.just("capacity"), st.integers(0, 6)),
), min_size=1, max_size=25)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(capacity=st.integers(0, 4), ops=steps)
def test_random_register_cancel_sequences(make_event, new_person, capacity, ops):
    event = make_event(capacity=capacity)
    people = [new_person() for _ in range(8)]
    queue: list[int] = []  # our own model of the waitlist: registration ids in arrival order
    for op, n in ops:
        event.refresh_from_db()
        if op == "register":
            try:
                r = services.register(event, people[n])
            except RuleViolation as exc:
                assert exc.code == "already_registered"
                continue
            if r.state == S.WAITLISTED:
                queue.append(r.pk)
        elif op == "cancel":
            r = services.live_registration(event, people[n])
            if r is None:
                continue
            services.cancel(r)
            if r.pk in queue:
                queue.remove(r.pk)
        else:
            try:
                services.set_capacity(event, n)
            except RuleViolation as exc:
                assert exc.code == "below_taken"
        event.refresh_from_db()
        seated = event.registrations.filter(state__in=Registration.HOLDS_SEAT).count()
        waiting = list(event.registrations.filter(state=S.WAITLISTED).order_by("waitlisted_at", "id")
                       .values_list("pk", flat=True))
        # Promotions take the head of the queue: what is still waiting is a suffix of it.
        promoted = [pk for pk in queue if pk not in waiting]
        assert queue[:len(promoted)] == promoted, "a seat went to someone behind the head of the waitlist"
        queue = queue[len(promoted):]
        assert seated <= event.capacity
        assert not (waiting and seated < event.capacity), "someone waits while a seat is free"
        assert waiting == queue
        assert [services.waitlist_position(r) for r in Registration.objects.filter(pk__in=waiting)
                .order_by("waitlisted_at", "id")] == list(range(1, len(waiting) + 1))
    for r in Registration.objects.filter(event=event):
        assert r.history.last().to_state == r.state
