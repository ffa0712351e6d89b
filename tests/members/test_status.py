"""The membership status rule (``isoc.members.status``): pure, no database, no Django."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from isoc.members.status import Category, Standing, Status, TermFacts, paid_through, standing_at

JAN = datetime(2030, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)


def sustaining(start: datetime | None, end: datetime | None = None) -> TermFacts:
    if start is not None and end is None:
        end = start + YEAR
    return TermFacts(Category.SUSTAINING, start, end)


def status(terms, at, *, created_at=JAN, cancelled_at=None):
    standing = standing_at(terms, at, created_at=created_at, cancelled_at=cancelled_at)
    return standing.status if standing else None


def test_status_module_does_not_import_django():
    code = "import sys, isoc.members.status; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_no_status_before_the_membership_existed():
    assert standing_at([sustaining(JAN)], JAN - timedelta(seconds=1), created_at=JAN, cancelled_at=None) is None


def test_pending_until_the_first_term_is_paid():
    unpaid = sustaining(None)
    assert status([unpaid], JAN) == Status.PENDING
    assert status([unpaid], JAN + 10 * YEAR) == Status.PENDING


def test_active_from_the_first_instant_of_a_term_and_lapsed_at_its_end():
    term = sustaining(JAN)
    assert status([term], JAN) == Status.ACTIVE
    assert status([term], JAN + YEAR - timedelta(microseconds=1)) == Status.ACTIVE
    assert status([term], JAN + YEAR) == Status.LAPSED
    standing = standing_at([term], JAN + timedelta(days=3), created_at=JAN, cancelled_at=None)
    assert standing == Standing(Status.ACTIVE, Category.SUSTAINING, term)


def test_consecutive_terms_leave_no_gap():
    first, second = sustaining(JAN), sustaining(JAN + YEAR)
    assert status([first, second], JAN + YEAR) == Status.ACTIVE
    assert standing_at([first, second], JAN + YEAR, created_at=JAN, cancelled_at=None).term == second
    assert status([first, second], JAN + 2 * YEAR) == Status.LAPSED


def test_a_global_term_is_open_ended():
    free = TermFacts(Category.GLOBAL, JAN, None)
    assert status([free], JAN + 50 * YEAR) == Status.ACTIVE
    assert standing_at([free], JAN, created_at=JAN, cancelled_at=None).category == Category.GLOBAL


def test_an_upgrade_switches_category_at_the_payment_instant():
    paid_at = JAN + timedelta(days=100)
    terms = [TermFacts(Category.GLOBAL, JAN, paid_at), sustaining(paid_at)]
    before = standing_at(terms, paid_at - timedelta(seconds=1), created_at=JAN, cancelled_at=None)
    after = standing_at(terms, paid_at, created_at=JAN, cancelled_at=None)
    assert (before.status, before.category) == (Status.ACTIVE, Category.GLOBAL)
    assert (after.status, after.category) == (Status.ACTIVE, Category.SUSTAINING)


def test_a_downgrade_takes_effect_when_the_paid_year_ends():
    terms = [sustaining(JAN), TermFacts(Category.GLOBAL, JAN + YEAR, None)]
    assert standing_at(terms, JAN + YEAR - timedelta(seconds=1), created_at=JAN, cancelled_at=None).category == "sustaining"
    assert standing_at(terms, JAN + YEAR, created_at=JAN, cancelled_at=None).category == "global"
    assert status(terms, JAN + 5 * YEAR) == Status.ACTIVE


def test_cancellation_wins_from_its_instant_on_and_history_before_it_stays():
    cancelled = JAN + timedelta(days=40)
    terms = [sustaining(JAN)]
    assert status(terms, cancelled - timedelta(microseconds=1), cancelled_at=cancelled) == Status.ACTIVE
    assert status(terms, cancelled, cancelled_at=cancelled) == Status.CANCELLED
    assert status(terms, JAN + 3 * YEAR, cancelled_at=cancelled) == Status.CANCELLED
    assert status([sustaining(None)], cancelled, cancelled_at=cancelled) == Status.CANCELLED


def test_a_renewal_awaiting_payment_does_not_extend_membership():
    assert status([sustaining(JAN), sustaining(None)], JAN + YEAR) == Status.LAPSED


def test_paid_through():
    assert paid_through([]) is None
    assert paid_through([sustaining(None)]) is None
    assert paid_through([sustaining(JAN), sustaining(JAN + YEAR), sustaining(None)]) == JAN + 2 * YEAR
    assert paid_through([TermFacts(Category.GLOBAL, JAN, None)]) is None


# --- properties over arbitrary term histories -------------------------------------------

offsets = st.integers(min_value=-400, max_value=3000)
term_strategy = st.builds(
    lambda start, length, category, paid: TermFacts(
        category,
        JAN + timedelta(days=start) if paid else None,
        (JAN + timedelta(days=start + length) if length else None) if paid else None,
    ),
    offsets,
    st.one_of(st.none(), st.integers(min_value=1, max_value=800)),
    st.sampled_from(list(Category)),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(terms=st.lists(term_strategy, max_size=6), day=offsets, created=offsets, cancel=st.one_of(st.none(), offsets))
def test_status_properties(terms, day, created, cancel):
    at, created_at = JAN + timedelta(days=day), JAN + timedelta(days=created)
    cancelled_at = None if cancel is None else JAN + timedelta(days=cancel)
    standing = standing_at(terms, at, created_at=created_at, cancelled_at=cancelled_at)
    if at < created_at:
        assert standing is None
        return
    assert standing is not None
    if cancelled_at is not None and at >= cancelled_at:
        assert standing.status == Status.CANCELLED
        return
    covering = [t for t in terms if t.covers(at)]
    # Active exactly when some paid or free term covers the instant, in that term's category.
    assert (standing.status == Status.ACTIVE) == bool(covering)
    if covering:
        assert standing.term in covering and standing.category == standing.term.category
    else:
        assert standing.category is None
        started = any(t.starts_at is not None and t.starts_at <= at for t in terms)
        assert standing.status == (Status.LAPSED if started else Status.PENDING)
    # Terms awaiting payment never change the answer.
    dated = [t for t in terms if t.starts_at is not None]
    assert standing_at(dated, at, created_at=created_at, cancelled_at=cancelled_at) == standing
