"""The pure rules: registration phases and seat placement."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isoc.events import rules

T = datetime(2031, 5, 1, 12, tzinfo=UTC)
W = rules.Window(T, T + timedelta(days=7), T + timedelta(days=30))


@pytest.mark.parametrize("at, phase", [
    (T - timedelta(seconds=1), rules.Phase.NOT_YET_OPEN),
    (T, rules.Phase.MEMBERS_ONLY),
    (T + timedelta(days=7) - timedelta(seconds=1), rules.Phase.MEMBERS_ONLY),
    (T + timedelta(days=7), rules.Phase.OPEN),
    (T + timedelta(days=30) - timedelta(seconds=1), rules.Phase.OPEN),
    (T + timedelta(days=30), rules.Phase.CLOSED),
])
def test_phases_at_their_edges(at, phase):
    assert W.phase(at) == phase


def test_a_window_out_of_order_is_refused():
    with pytest.raises(ValueError):
        rules.Window(T, T - timedelta(days=1), T + timedelta(days=1))


def test_no_priority_window_when_both_open_together():
    assert rules.Window(T, T, T + timedelta(days=1)).phase(T) == rules.Phase.OPEN


def test_a_newcomer_never_jumps_the_waitlist():
    assert rules.place(10, 3, 0) == rules.Placement.SEAT
    assert rules.place(10, 3, 1) == rules.Placement.WAITLIST
    assert rules.place(3, 3, 0) == rules.Placement.WAITLIST
    assert rules.place(0, 0, 0) == rules.Placement.WAITLIST
    with pytest.raises(ValueError):
        rules.place(-1, 0, 0)


@given(st.integers(0, 50), st.integers(0, 60), st.integers(0, 20))
def test_promotions_fill_free_seats_only(capacity, taken, waiting):
    n = rules.promotions(capacity, taken, waiting)
    assert 0 <= n <= waiting
    assert taken + n <= max(capacity, taken)
    if taken < capacity:
        assert n == min(capacity - taken, waiting)
