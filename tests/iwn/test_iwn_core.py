"""The Django-free report core on constructed answers: each verdict per part, the
overall verdict, validation, and hostile answers (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoc.iwn import assess
from isoc.iwn.questionnaire import ANSWERS, CURRENT, EDITIONS, edition
from isoc.iwn.questionnaire.model import Part, Questionnaire, Step, question

Q = CURRENT


def safe_answers() -> dict[str, str]:
    """An answer to every question that signals no harm."""
    return {k: next(a for a in ("yes", "no") if a not in q.harm_if) for k, q in Q.questions.items()}


def test_the_edition_covers_the_five_properties_and_ten_enablers():
    kinds = [p.kind for p in Q.parts]
    assert kinds.count("property") == 5 and kinds.count("enabler") == 10
    assert all(2 <= len(p.questions) <= 3 for p in Q.parts)
    assert all(q.harm_if and q.harm_if <= set(ANSWERS) and q.reason for q in Q.questions.values())
    assert len({q.key for q in Q.questions.values()}) == len(Q.questions)
    assert edition(Q.version) is Q and EDITIONS == {"2026.1": Q}
    with pytest.raises(KeyError):
        edition("1999.1")


def test_all_safe_answers_signal_no_harm():
    r = assess.report(Q, safe_answers())
    assert r.verdict == assess.NO_HARM
    assert r.counts == {assess.MAY_HARM: 0, assess.NOT_ENOUGH: 0, assess.NO_HARM: 15}
    assert r.answered == r.total == len(Q.questions)


@pytest.mark.parametrize("part", Q.parts, ids=lambda p: p.key)
def test_each_part_may_be_harmed_with_the_reason_of_its_question(part):
    answers = safe_answers()
    q = part.questions[-1]
    answers[q.key] = sorted(q.harm_if)[0]
    r = assess.report(Q, answers)
    harmed = r.with_verdict(assess.MAY_HARM)
    assert [f.part.key for f in harmed] == [part.key]
    assert harmed[0].harms == (q,) and q.reason
    assert r.verdict == assess.MAY_HARM


@pytest.mark.parametrize("part", Q.parts, ids=lambda p: p.key)
def test_each_part_lacks_information_when_most_answers_are_unsure_or_missing(part):
    answers = safe_answers()
    for i, q in enumerate(part.questions):
        if i == 0:
            answers[q.key] = "not_sure"
        else:
            del answers[q.key]  # unanswered counts as not sure
    r = assess.report(Q, answers)
    assert [f.part.key for f in r.with_verdict(assess.NOT_ENOUGH)] == [part.key]
    assert r.verdict == assess.NOT_ENOUGH


def test_a_harm_outweighs_uncertainty_and_half_answered_is_enough():
    part = Q.parts[1]  # three questions
    answers = {part.questions[0].key: "not_sure", part.questions[1].key: "not_sure",
               part.questions[2].key: sorted(part.questions[2].harm_if)[0]}
    assert assess.finding(Q, part, answers).verdict == assess.MAY_HARM
    two = Q.parts[0]  # two questions: one answered, one unsure is exactly half: enough
    answers = {two.questions[0].key: "no", two.questions[1].key: "not_sure"}
    f = assess.finding(Q, two, answers)
    assert (f.verdict, f.answered, f.unsure, f.applicable) == (assess.NO_HARM, 1, 1, 2)


def test_not_applicable_questions_leave_the_count():
    part = Q.parts[0]
    all_na = {q.key: "na" for q in part.questions}
    assert assess.finding(Q, part, all_na).verdict == assess.NO_HARM
    one_unsure = {part.questions[0].key: "na", part.questions[1].key: "not_sure"}
    assert assess.finding(Q, part, one_unsure).verdict == assess.NOT_ENOUGH


def test_nothing_answered_is_not_enough_information_everywhere():
    r = assess.report(Q, {})
    assert r.verdict == assess.NOT_ENOUGH and r.counts[assess.NOT_ENOUGH] == 15 and r.answered == 0


def test_a_small_constructed_questionnaire():
    a = Part("a", "property", "A", "", (question("a.1", "?", "yes", "r1"), question("a.2", "?", ("no", "not_sure"), "r2")))
    small = Questionnaire("t", (Step("s", "S", "", (a,)),))
    assert assess.report(small, {"a.1": "no", "a.2": "yes"}).verdict == assess.NO_HARM
    r = assess.report(small, {"a.1": "yes", "a.2": "not_sure"})
    assert r.verdict == assess.MAY_HARM and [q.reason for q in r.findings[0].harms] == ["r1", "r2"]


def test_validation_names_every_unknown_question_and_answer():
    with pytest.raises(assess.InvalidAnswers) as exc:
        assess.validate(Q, {"privacy.1": "maybe", "nope.9": "yes", "privacy.2": "yes"})
    assert exc.value.errors == [("privacy.1", "unknown answer"), ("nope.9", "unknown question")]
    with pytest.raises(assess.InvalidAnswers):
        assess.validate(Q, ["privacy.1"])
    with pytest.raises(assess.InvalidAnswers):
        assess.validate(Q, {"privacy.1": 1})
    with pytest.raises(assess.InvalidAnswers):
        assess.validate(Q, {f"x{i}": "yes" for i in range(assess.MAX_ANSWERS + 1)})
    assert assess.validate(Q, {"privacy.1": "", "privacy.2": None, "capacity.1": "na"}) == {"capacity.1": "na"}


hostile_values = st.one_of(st.text(max_size=30), st.sampled_from(ANSWERS), st.integers(), st.none(), st.booleans(),
                           st.lists(st.text(max_size=3), max_size=2))
hostile_keys = st.one_of(st.sampled_from(sorted(Q.questions)), st.text(max_size=40))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(hostile_keys, hostile_values, max_size=40))
def test_hostile_answers_give_a_report_or_a_clear_refusal(answers):
    try:
        r = assess.report(Q, answers)
    except assess.InvalidAnswers as exc:
        assert exc.errors and all(p in ("unknown question", "unknown answer") for _k, p in exc.errors)
        bad = {k for k, _p in exc.errors}
        assert bad <= {str(k)[:80] for k in answers}
        return
    assert r.verdict in assess.VERDICTS and len(r.findings) == 15
    assert sum(r.counts.values()) == 15


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(Q.questions)), st.sampled_from(ANSWERS)))
def test_valid_answers_verdicts_follow_the_rules(answers):
    r = assess.report(Q, answers)
    for f in r.findings:
        signalled = any(answers.get(q.key) in q.harm_if for q in f.part.questions)
        assert (f.verdict == assess.MAY_HARM) == signalled
    assert (r.verdict == assess.MAY_HARM) == any(f.verdict == assess.MAY_HARM for f in r.findings)
