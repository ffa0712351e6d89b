"""The Django-free core: eligibility, the weighted rubric, normalisation with
hand-computed values, disagreement, and the form schema."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoc.fellowships import eligibility as el
from isoc.fellowships import forms_schema as fsch
from isoc.fellowships import scoring as sc

# --- eligibility ------------------------------------------------------------------------

YOUTH = el.TrackRules(min_age=18, max_age=30, countries=frozenset({"KE", "NG"}), prerequisite="Internet governance",
                      endorsement_required=True)
ON = date(2026, 6, 30)


def facts(**kw):
    base = dict(on=ON, birth_date=date(2000, 1, 1), country="KE", completed_prerequisite=True,
                endorsements=(el.Endorsing("Kenya Chapter", True),))
    base.update(kw)
    return el.Facts(**base)


def codes(rules, f):
    return [m.code for m in el.reasons(rules, f)]


def test_an_eligible_applicant_has_no_reasons():
    assert el.reasons(YOUTH, facts()) == []


@pytest.mark.parametrize("born, expected", [
    (date(2008, 6, 30), []),  # 18 exactly on the day
    (date(2008, 7, 1), ["too_young"]),  # 18 the day after
    (date(1995, 7, 1), []),  # 30 (31 the next day)
    (date(1995, 6, 30), ["too_old"]),  # 31 on the day
])
def test_the_age_range_is_inclusive_on_the_reference_day(born, expected):
    assert codes(YOUTH, facts(birth_date=born)) == expected


def test_age_on_a_leap_day_birthday():
    assert el.age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
    assert el.age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18


def test_reasons_name_the_age_and_the_limit():
    [m] = el.reasons(YOUTH, facts(birth_date=date(1980, 1, 1)))
    assert m.text() == "You will be 46 on 2026-06-30; this track is open up to the age of 30."


def test_country_prerequisite_and_missing_facts():
    assert codes(YOUTH, facts(country="FR")) == ["country"]
    assert codes(YOUTH, facts(country="")) == ["country_unknown"]
    assert codes(YOUTH, facts(birth_date=None)) == ["age_unknown"]
    assert codes(YOUTH, facts(completed_prerequisite=False)) == ["prerequisite"]
    assert "Internet governance" in el.reasons(YOUTH, facts(completed_prerequisite=False))[0].text()


def test_endorsement_by_a_chapter_that_may_not_endorse_does_not_count():
    assert codes(YOUTH, facts(endorsements=())) == ["endorsement"]
    [m] = el.reasons(YOUTH, facts(endorsements=(el.Endorsing("Atlantis Chapter", False),)))
    assert m.code == "endorser_standing" and "Atlantis Chapter" in m.text()
    mixed = (el.Endorsing("Atlantis Chapter", False), el.Endorsing("Kenya Chapter", True))
    assert codes(YOUTH, facts(endorsements=mixed)) == []


def test_a_track_without_rules_accepts_anyone():
    assert el.reasons(el.TrackRules(), facts(birth_date=None, country="", completed_prerequisite=False,
                                             endorsements=())) == []


def test_every_reason_at_once():
    f = facts(birth_date=date(1950, 1, 1), country="FR", completed_prerequisite=False, endorsements=())
    assert codes(YOUTH, f) == ["too_old", "country", "prerequisite", "endorsement"]


# --- rubric and normalisation -------------------------------------------------------------

CRITERIA = [sc.Criterion("motivation", 2), sc.Criterion("impact", 1)]


def test_weighted_score():
    assert sc.weighted_score({"motivation": 5, "impact": 2}, CRITERIA) == pytest.approx(4.0)  # (10+2)/3
    with pytest.raises(sc.RubricError, match="impact"):
        sc.weighted_score({"motivation": 5}, CRITERIA)
    with pytest.raises(sc.RubricError, match="outside"):
        sc.weighted_score({"motivation": 6, "impact": 1}, CRITERIA)


def test_normalisation_by_hand():
    """Harsh H scores A=1, B=2, C=3 (mean 2, σ=√(2/3)); generous G scores A=5, B=4 (mean
    4.5, σ=0.5); S scored only C (z=0).

    z: H·A = −1/√(2/3) = −1.224745, H·B = 0, H·C = +1.224745; G·A = +1, G·B = −1; S·C = 0.
    A = (−1.224745 + 1)/2 = −0.112372; B = (0 − 1)/2 = −0.5; C = (1.224745 + 0)/2 = 0.612372.
    """
    reviews = [sc.Review("H", "A", 1), sc.Review("H", "B", 2), sc.Review("H", "C", 3),
               sc.Review("G", "A", 5), sc.Review("G", "B", 4), sc.Review("S", "C", 2)]
    zs = sc.z_scores(reviews)
    assert zs == pytest.approx([-1.224745, 0, 1.224745, 1, -1, 0], abs=1e-6)
    ranked = sc.rank(reviews, disagreement_threshold=3.0)
    assert [r.application for r in ranked] == ["C", "A", "B"]
    by = {r.application: r for r in ranked}
    assert by["A"].normalised == pytest.approx(-0.112372, abs=1e-6)
    assert by["B"].normalised == pytest.approx(-0.5)
    assert by["C"].normalised == pytest.approx(0.612372, abs=1e-6)
    assert by["A"].raw_mean == 3 and by["A"].spread == 4 and by["A"].disagreement  # 5 − 1 > 3
    assert not by["B"].disagreement and not by["C"].disagreement  # spreads 2 and 1
    assert [r.rank for r in ranked] == [1, 2, 3]


def test_a_harsh_reviewer_does_not_sink_an_application():
    """X is reviewed only by a harsh reviewer, Y only by a generous one: raw scores favour Y,
    but each is the best of its reviewer's pile, so both normalise to the same z."""
    reviews = [sc.Review("harsh", "X", 3), sc.Review("harsh", "p", 1), sc.Review("harsh", "q", 2),
               sc.Review("kind", "Y", 5), sc.Review("kind", "r", 4), sc.Review("kind", "s", 3)]
    by = {r.application: r for r in sc.rank(reviews, 10)}
    assert by["X"].raw_mean < by["Y"].raw_mean
    assert by["X"].normalised == pytest.approx(by["Y"].normalised)


def test_zero_spread_reviewer_counts_zero():
    reviews = [sc.Review("flat", "A", 3.7), sc.Review("flat", "B", 3.7), sc.Review("flat", "C", 3.7)]
    assert sc.z_scores(reviews) == [0.0, 0.0, 0.0]


def test_the_threshold_is_strict():
    reviews = [sc.Review("a", "X", 1), sc.Review("b", "X", 3)]
    assert not sc.rank(reviews, 2.0)[0].disagreement
    assert sc.rank(reviews, 1.99)[0].disagreement


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 8), st.floats(0, 5, allow_nan=False)), max_size=60))
def test_normalised_scores_are_finite_and_ranks_complete(rows):
    reviews = [sc.Review(r, a, raw) for r, a, raw in rows]
    ranked = sc.rank(reviews, 1.0)
    assert {r.application for r in ranked} == {a for _r, a, _raw in rows}
    assert all(math.isfinite(r.normalised) for r in ranked)
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))


# --- the form schema -------------------------------------------------------------------------

FORM = fsch.parse_form([
    {"name": "motivation", "label": "Why?", "kind": "long_text", "required": True, "max_length": 20},
    {"name": "sector", "label": "Sector", "kind": "choice", "choices": ["a", "b"], "required": True},
    {"name": "langs", "label": "Languages", "kind": "multiple_choice", "choices": ["en", "fr"]},
    {"name": "start", "label": "Start", "kind": "date", "min": "2026-01-01"},
    {"name": "hours", "label": "Hours", "kind": "number", "min": 1, "max": 40, "integer": True},
    {"name": "cv", "label": "CV", "kind": "file", "required": True, "allowed_types": ["pdf"], "max_size": 100},
])


def test_valid_answers_come_out_clean():
    r = fsch.validate(FORM, {"motivation": "  Because  ", "sector": "a", "langs": ["fr", "en", "fr"],
                             "start": "2026-02-03", "hours": "12", "extra": "ignored"}, files=["cv"])
    assert r.ok and r.clean == {"motivation": "Because", "sector": "a", "langs": ["en", "fr"], "start": "2026-02-03",
                                "hours": 12}


def test_each_error_names_its_field():
    r = fsch.validate(FORM, {"motivation": "x" * 21, "sector": "z", "langs": ["de"], "start": "2025-12-31",
                             "hours": "2.5"})
    assert {e.field: e.message.code for e in r.errors} == {
        "motivation": "too_long", "sector": "choice", "langs": "choice", "start": "min", "hours": "integer",
        "cv": "required"}


def test_a_draft_needs_nothing_but_keeps_checking_values():
    assert fsch.validate(FORM, {}, partial=True).ok
    assert [e.field for e in fsch.validate(FORM, {"hours": "lots"}, partial=True).errors] == ["hours"]


@pytest.mark.parametrize("definition, problem", [
    ({}, "list of fields"),
    ([{"name": "Bad Name", "label": "x", "kind": "text"}], "name must be"),
    ([{"name": "a", "label": "x", "kind": "essay"}], "kind must be"),
    ([{"name": "a", "label": "x", "kind": "choice"}], "choices"),
    ([{"name": "a", "label": "x", "kind": "file", "allowed_types": ["exe"]}], "allowed_types"),
    ([{"name": "a", "label": "x", "kind": "text"}, {"name": "a", "label": "y", "kind": "text"}], "used twice"),
])
def test_bad_definitions_are_refused_naming_the_problem(definition, problem):
    with pytest.raises(fsch.FormDefinitionError, match=problem):
        fsch.parse_form(definition)


ANSWER = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
                   st.lists(st.text(max_size=5), max_size=4), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                              max_size=2))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["motivation", "sector", "langs", "start", "hours", "cv", "other"]), ANSWER),
       st.booleans())
def test_arbitrary_answers_give_errors_or_a_clean_dict(answers, partial):
    r = fsch.validate(FORM, answers, partial=partial)
    for e in r.errors:
        assert FORM.field(e.field) is not None and e.message.text()
    assert set(r.clean) <= {f.name for f in FORM.fields}
    if r.ok and not partial:
        assert {"motivation", "sector"} <= set(r.clean)


# --- uploads by content ------------------------------------------------------------------------


@pytest.mark.parametrize("head, kind", [
    (b"%PDF-1.7\n", "pdf"), (b"\x89PNG\r\n\x1a\n\x00\x00", "png"), (b"\xff\xd8\xff\xe0", "jpeg"),
    ("Résumé\n".encode(), "txt"), (b"MZ\x90\x00\x03\x00", None), (b"\x7fELF\x02\x01", None), (b"", None),
    (b"PK\x03\x04", None),
])
def test_sniff_reads_the_content(head, kind):
    assert fsch.sniff(head) == kind


def test_check_upload_size_then_type():
    cv = FORM.field("cv")
    assert fsch.check_upload(cv, b"%PDF-1.4", 101).code == "too_big"
    assert fsch.check_upload(cv, b"MZ\x90", 50).code == "type"
    assert fsch.check_upload(cv, b"plain text", 50).code == "type"  # txt is not allowed here
    assert fsch.check_upload(cv, b"%PDF-1.4", 0).code == "empty"
    assert fsch.check_upload(cv, b"%PDF-1.4", 50) is None
