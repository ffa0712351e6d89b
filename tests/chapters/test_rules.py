"""The standards computation on its own, explored with hypothesis."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from isoc.chapters import rules
from isoc.chapters.rules import Failure, Standards, State

standards = st.builds(Standards, charter_min_members=st.integers(0, 50), min_members=st.integers(0, 50),
                      required_roles=st.lists(st.sampled_from(list(rules.Role)), unique=True).map(tuple),
                      report_due_month=st.integers(1, 12), report_due_day=st.integers(1, 31))
facts = st.builds(rules.Facts, state=st.sampled_from(list(State)), isoc_members=st.integers(0, 80),
                  roles_held=st.frozensets(st.sampled_from(list(rules.Role))),
                  chartered_on=st.none() | st.dates(date(2000, 1, 1), date(2040, 1, 1)),
                  report_years=st.frozensets(st.integers(1999, 2040)))
days = st.dates(date(2000, 1, 1), date(2041, 1, 1))


@given(facts, days, standards)
def test_good_exactly_when_no_rule_fails(f, on, s):
    result = rules.standing(f, on, s)
    assert result.good == (not result.failures)
    expected_good = (f.state == State.CHARTERED and f.isoc_members >= s.min_members
                     and set(s.required_roles) <= f.roles_held
                     and (rules.report_owed(on, f.chartered_on, s) in (None, *f.report_years)))
    assert result.good == expected_good


@given(facts, days, standards, st.integers(1, 30))
def test_more_members_never_hurt(f, on, s, extra):
    before = {x for x, _ in rules.standing(f, on, s).failures}
    more = rules.Facts(f.state, f.isoc_members + extra, f.roles_held, f.chartered_on, f.report_years)
    after = {x for x, _ in rules.standing(more, on, s).failures}
    assert after <= before


@given(days, standards)
def test_report_owed_is_a_year_whose_deadline_passed(on, s):
    owed = rules.report_owed(on, date(1990, 1, 1), s)
    assert owed is not None and rules.report_deadline(owed, s) < on
    assert rules.report_deadline(owed + 1, s) >= on  # the latest such year


def test_report_deadline_day_by_day():
    s = Standards()
    chartered = date(2021, 3, 1)
    assert rules.report_owed(date(2022, 3, 31), chartered, s) is None
    assert rules.report_owed(date(2022, 4, 1), chartered, s) == 2021
    assert rules.standing(rules.Facts(State.CHARTERED, 25, frozenset(s.required_roles), chartered),
                          date(2022, 4, 1), s).failures == ((Failure.MISSING_ANNUAL_REPORT, "2021"),)


@given(st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC)), st.integers(0, 36))
def test_add_months(at, months):
    later = rules.add_months(at, months)
    assert later >= at
    assert (later.year - at.year) * 12 + later.month - at.month == months
    assert later.day <= at.day
    assert later - at <= timedelta(days=31 * months + 1)


area = st.tuples(st.sampled_from(["EE", "LV", "ES"]), st.sampled_from([rules.WHOLE, "ES-CT", "ES-PV"]))


@given(st.frozensets(area), st.frozensets(area))
def test_overlap_is_symmetric(a, b):
    assert rules.overlaps(a, b) == rules.overlaps(b, a)


def test_overlap_cases():
    assert rules.overlaps(rules.areas("ES", "", []), rules.areas("ES", "ES-CT", []))
    assert not rules.overlaps(rules.areas("ES", "ES-PV", []), rules.areas("ES", "ES-CT", []))
    assert rules.overlaps(rules.areas(None, "", ["LV", "EE"]), rules.areas("EE", "", []))
    assert not rules.overlaps(rules.areas(None, "", []), rules.areas("EE", "", []))  # a global group


def test_transitions_cover_every_state():
    assert set(rules.TRANSITIONS) == set(State)
    assert rules.TRANSITIONS[State.DECHARTERED] == frozenset()
