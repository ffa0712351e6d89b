"""The index core on a small constructed tree with hand-computed scores, the published
pillar→overall example, missing data, and properties (hypothesis) of clipping and
normalisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from isoc.resilience import index
from isoc.resilience.tree import Dimension, Indicator, Pillar, Tree


def ind(code, weight=1.0, hib=True, per_capita=False):
    return Indicator(code=code, name=code.upper(), description="", unit="", weight=weight, higher_is_better=hib,
                     per_capita=per_capita, source="external")


#: A: A1 (weight 1: a1, a2 lower is better, weight 3), A2 (weight 3: a3 per capita); B, C, D: one indicator each.
TREE = Tree(version="test.1", title="test", pillars=(
    Pillar("a", "A", (Dimension("a1-dim", "A1", 1.0, (ind("a1"), ind("a2", 3.0, hib=False))),
                      Dimension("a2-dim", "A2", 3.0, (ind("a3", per_capita=True),)))),
    Pillar("b", "B", (Dimension("b-dim", "B1", 1.0, (ind("b"),)),)),
    Pillar("c", "C", (Dimension("c-dim", "C1", 1.0, (ind("c"),)),)),
    Pillar("d", "D", (Dimension("d-dim", "D1", 1.0, (ind("d"),)),)),
))
RAW = {
    "XX": {"a1": 0, "a2": 1, "a3": 2, "b": 5, "c": 1, "d": 30},
    "YY": {"a1": 10, "a2": 2, "a3": 4, "b": 5, "c": 2, "d": 20},
    "ZZ": {"a1": 20, "a2": 3, "a3": 2, "b": 5, "c": 4, "d": 10},
}
POPULATION = {"XX": 1_000_000, "YY": 2_000_000, "ZZ": 500_000}


def test_hand_computed_scores():
    r = index.compute(TREE, RAW, POPULATION).countries
    x, y, z = r["XX"], r["YY"], r["ZZ"]
    # a1: 0, 10, 20 → 0, 50, 100; a2 (lower is better): 1, 2, 3 → 100, 50, 0
    assert x.indicators["a1"] == 0 and y.indicators["a1"] == 50 and z.indicators["a1"] == 100
    assert (x.indicators["a2"], y.indicators["a2"], z.indicators["a2"]) == (100, 50, 0)
    # A1 = (1·a1 + 3·a2) / 4
    assert x.dimensions["a1-dim"].score == 75 and y.dimensions["a1-dim"].score == 50 and z.dimensions["a1-dim"].score == 25
    # a3 per million people: 2/1, 4/2, 2/0.5 = 2, 2, 4 → 0, 0, 100
    assert x.adjusted["a3"] == 2 and y.adjusted["a3"] == 2 and z.adjusted["a3"] == 4
    assert (x.indicators["a3"], y.indicators["a3"], z.indicators["a3"]) == (0, 0, 100)
    # A = (1·A1 + 3·A2) / 4
    assert x.pillars["a"].score == 18.75 and y.pillars["a"].score == 12.5 and z.pillars["a"].score == 81.25
    # b: every country equal → 50 each
    assert {c.pillars["b"].score for c in (x, y, z)} == {index.ALL_EQUAL_SCORE}
    # c: 1, 2, 4 → 0, 33.3, 100; d: 30, 20, 10 → 100, 50, 0
    assert y.pillars["c"].score == pytest.approx(100 / 3)
    # overall: the unweighted mean of the four pillars
    assert x.overall == pytest.approx((18.75 + 50 + 0 + 100) / 4)
    assert y.overall == pytest.approx((12.5 + 50 + 100 / 3 + 50) / 4)
    assert z.overall == pytest.approx((81.25 + 50 + 100 + 0) / 4)
    assert all(c.coverage == 1 and not c.partial for c in (x, y, z))
    assert [c.country for c in index.compute(TREE, RAW, POPULATION).ranking()] == ["ZZ", "XX", "YY"]


@pytest.mark.parametrize(("pillars", "overall"), [
    ((41, 73, 62, 44), 55),  # the published IRI example the issue quotes
    ((50, 50, 50, 50), 50),  # constructed: equal pillars
    ((10, 20, 30, 40), 25),  # constructed
])
def test_overall_is_the_unweighted_mean_of_the_pillars(pillars, overall):
    assert index.overall_from_pillars(list(pillars)) == pytest.approx(overall)


def test_outliers_are_clipped_at_the_tukey_fences():
    # Q1 = 2, Q3 = 4 (linear interpolation), IQR = 2: the upper fence is 7, so 100 counts as 7.
    assert index.tukey_fences(np.array([1.0, 2, 3, 4, 100])) == (-1.0, 7.0)
    out = index.normalise_column(np.array([1.0, 2, 3, 4, 100]), True)
    assert list(out) == pytest.approx([0, 100 / 6, 200 / 6, 50, 100])
    low = index.normalise_column(np.array([-100.0, 2, 3, 4, 5]), False)  # lower fence 0.5; inverted
    assert low[0] == 100 and low[-1] == 0


def test_no_clipping_when_the_iqr_is_zero():
    # Most countries had no shutdown: the fences would be 0…0 and everyone would score 50.
    out = index.normalise_column(np.array([0.0] * 7 + [2, 5]), False)
    assert list(out) == pytest.approx([100] * 7 + [60, 0])


def test_linear_interpolation_of_quartiles():
    # numpy's "linear" (type 7): Q1 of 1..4 is 1.75, Q3 is 3.25.
    low, high = index.tukey_fences(np.array([1.0, 2, 3, 4]))
    assert (low, high) == pytest.approx((1.75 - 2.25, 3.25 + 2.25))


def test_a_missing_indicator_is_reweighted_and_shows_in_the_coverage():
    raw = {cc: dict(v) for cc, v in RAW.items()}
    del raw["YY"]["a2"]
    y = index.compute(TREE, raw, POPULATION).countries["YY"]
    assert "a2" not in y.indicators
    assert y.dimensions["a1-dim"].score == 50  # a1 alone, not (1·50 + 3·0) / 4
    assert y.dimensions["a1-dim"].coverage == 0.25
    assert y.pillars["a"].coverage == pytest.approx((1 * 0.25 + 3 * 1) / 4)
    assert y.coverage == pytest.approx((0.8125 + 3) / 4)


def test_a_missing_node_is_missing_not_zero():
    raw = {cc: dict(v) for cc, v in RAW.items()}
    del raw["YY"]["a3"]
    y = index.compute(TREE, raw, POPULATION).countries["YY"]
    assert y.dimensions["a2-dim"].score is None and y.dimensions["a2-dim"].coverage == 0
    assert y.pillars["a"].score == y.dimensions["a1-dim"].score  # A1 alone


def test_no_population_means_no_per_capita_value():
    y = index.compute(TREE, RAW, {"XX": 1e6, "ZZ": 5e5}).countries["YY"]
    assert "a3" not in y.adjusted and y.dimensions["a2-dim"].score is None


def test_a_missing_pillar_flags_the_overall_and_too_few_pillars_give_none():
    raw = {cc: dict(v) for cc, v in RAW.items()}
    del raw["YY"]["d"]
    y = index.compute(TREE, raw, POPULATION).countries["YY"]
    assert y.partial and y.pillars["d"].score is None
    assert y.overall == pytest.approx((12.5 + 50 + 100 / 3) / 3)  # the mean of the three pillars present
    assert y.coverage == pytest.approx(0.75)
    del raw["YY"]["c"]
    y = index.compute(TREE, raw, POPULATION).countries["YY"]
    assert y.overall is None and y.partial
    assert "YY" not in [c.country for c in index.compute(TREE, raw, POPULATION).ranking()]


def test_what_if_recomputes_the_whole_distribution():
    before, after = index.what_if(TREE, RAW, POPULATION, "YY", "c", 10)
    assert before.pillars["c"].score == pytest.approx(100 / 3)
    # c: 1, 10, 4: Q1 2.5, Q3 7, fences −4.25…13.75: no clipping; YY is now the highest
    assert after.pillars["c"].score == 100
    assert after.overall > before.overall
    assert RAW["YY"]["c"] == 2  # the inputs are not changed
    with pytest.raises(KeyError):
        index.what_if(TREE, RAW, POPULATION, "YY", "nope", 1)


def test_region_means():
    means = index.region_means({"XX": 40, "YY": 60, "ZZ": None, "WW": 10}, {"XX": "r1", "YY": "r1", "ZZ": "r1", "WW": "r2"})
    assert means == {"r1": (50, 2), "r2": (10, 1)}


# --- properties ------------------------------------------------------------------------

values = st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
countries = st.lists(st.tuples(*[values] * 6), min_size=1, max_size=12)
CODES = ("a1", "a2", "a3", "b", "c", "d")


def _raw(rows):
    return {f"C{i:02d}": {code: v for code, v in zip(CODES, row, strict=True) if v is not None} for i, row in enumerate(rows)}


def _all_scores(result):
    for c in result.countries.values():
        yield c.overall
        yield from (n.score for n in c.pillars.values())
        yield from (n.score for n in c.dimensions.values())
        yield from c.indicators.values()


@settings(max_examples=200, deadline=None)
@given(countries)
def test_every_score_is_within_0_and_100(rows):
    raw = _raw(rows)
    result = index.compute(TREE, raw, {cc: 1e6 for cc in raw})
    for s in _all_scores(result):
        assert s is None or (-1e-9 <= s <= 100 + 1e-9 and math.isfinite(s))
    for c in result.countries.values():
        assert 0 <= c.coverage <= 1


def _raise_c(rows, who, raise_by):
    raw = _raw(rows)
    cc = f"C{who % len(rows):02d}"
    if "c" not in raw[cc]:
        raw[cc]["c"] = 0.0
    before_values = np.array([v["c"] for v in raw.values() if "c" in v])
    before = index.compute(TREE, raw, {}).countries[cc]
    raw[cc]["c"] += raise_by
    after_values = np.array([v["c"] for v in raw.values() if "c" in v])
    after = index.compute(TREE, raw, {}).countries[cc]
    return before, after, index.tukey_fences(before_values), index.tukey_fences(after_values)


def _assert_not_lower(before, after):
    assert after.indicators["c"] >= before.indicators["c"] - 1e-9
    assert after.pillars["c"].score >= before.pillars["c"].score - 1e-9
    if before.overall is not None:
        assert after.overall >= before.overall - 1e-9


@settings(max_examples=300, deadline=None)
@given(countries, st.integers(min_value=0, max_value=11), st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_raising_a_higher_is_better_value_never_lowers_the_score_while_the_fences_stay(rows, who, raise_by):
    """Monotone whenever the raise leaves the Tukey fences where they were (the usual case:
    one country's value rarely moves a quartile). See the next tests for when it does."""
    before, after, fences_before, fences_after = _raise_c(rows, who, raise_by)
    assume(fences_before == fences_after)
    _assert_not_lower(before, after)


@settings(max_examples=300, deadline=None)
@given(countries, st.integers(min_value=0, max_value=11), st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_without_clipping_min_max_is_always_monotone(rows, who, raise_by):
    fence = index.FENCE
    index.FENCE = 1e300  # no clipping: min–max alone
    try:
        before, after, _fb, _fa = _raise_c(rows, who, raise_by)
    finally:
        index.FENCE = fence
    _assert_not_lower(before, after)


def test_clipping_is_not_monotone_when_a_raise_moves_the_fences():
    """A finding, kept as a test: with Tukey clipping as the IRI specifies it, raising one
    country's value can lower its own score. Values −3, 0, 1, 2, 3: no clipping, 0 scores
    50. Raise 0 to 1: Q1 becomes 1, the lower fence −0.5, so −3 is clipped to −0.5, the
    minimum rises and 1 scores 1.5 / 3.5 · 100 ≈ 42.9. The methodology page says so."""
    before = index.normalise_column(np.array([0.0, 1, 2, 3, -3]), True)[0]
    after = index.normalise_column(np.array([1.0, 1, 2, 3, -3]), True)[0]
    assert before == 50 and after == pytest.approx(150 / 3.5)
