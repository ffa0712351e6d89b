"""Every rule of the fellowship services: drafts over several visits, documents, the
deadline, eligibility, endorsement, conflicts of interest, reviews, ranking, decisions,
notifications, onboarding and alumni."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.fellowships.conftest import ANSWERS, pdf

from isoc.chapters import services as cs
from isoc.fellowships import services as fs
from isoc.fellowships.models import Application, ApplicationChange, Document

PROFILE = fs.Profile(birth_date=date(2000, 5, 1), country="KE", gender="woman")


def states(app):
    return [(c.from_state, c.to_state) for c in ApplicationChange.objects.filter(application=app)
            if c.from_state != c.to_state]


# --- drafts, documents, submit, withdraw ------------------------------------------------------


def test_a_draft_is_saved_over_several_visits(call, open_track, applicant):
    first = fs.save_draft(call, applicant, track=open_track, profile=fs.Profile(), answers={"motivation": "Half"})
    again = fs.save_draft(call, applicant, track=open_track, profile=PROFILE, answers={**ANSWERS})
    assert first.pk == again.pk and again.state == "draft"
    again.refresh_from_db()
    assert again.answers["motivation"] == ANSWERS["motivation"] and again.answers["hours"] == 5
    assert states(again) == [("", "draft")]


def test_a_bad_draft_names_every_field_and_keeps_what_was_saved(call, open_track, applicant):
    app = fs.save_draft(call, applicant, track=open_track, profile=PROFILE, answers=ANSWERS)
    with pytest.raises(fs.FormRefused) as exc:
        fs.save_draft(call, applicant, track=open_track, profile=fs.Profile(country="XX"),
                      answers={"hours": "many", "sector": "pirates"})
    assert {f for f, _m in exc.value.errors} == {"hours", "sector", "country"}
    app.refresh_from_db()
    assert app.answers["sector"] == "civil society" and app.answers["hours"] == 5 and app.country == "KE"


def test_submit_needs_required_answers_and_documents(call, open_track, applicant):
    app = fs.save_draft(call, applicant, track=open_track, profile=PROFILE, answers={"motivation": "x"})
    with pytest.raises(fs.FormRefused) as exc:
        fs.submit(app, actor=applicant)
    assert {f for f, _m in exc.value.errors} == {"sector", "cv"}
    assert Application.objects.get(pk=app.pk).state == "draft"


def test_submit_and_history(submitted, applicant):
    assert submitted.state == "submitted" and submitted.submitted_at
    assert states(submitted) == [("", "draft"), ("draft", "submitted")]
    with pytest.raises(fs.RuleViolation, match="already submitted"):
        fs.submit(submitted, actor=applicant)


def test_a_late_submission_is_refused_with_the_deadline(draft, applicant, call):
    late = call.closes_at + timedelta(seconds=1)
    with pytest.raises(fs.RuleViolation) as exc:
        fs.submit(draft, actor=applicant, at=late)
    assert exc.value.code == "deadline" and "deadline" in exc.value.message
    assert "Zurich" in exc.value.message or "CET" in exc.value.message or "+01" in exc.value.message, exc.value.message
    assert Application.objects.get(pk=draft.pk).state == "draft"
    with pytest.raises(fs.RuleViolation, match="deadline"):
        fs.save_draft(call, applicant, track=draft.track, profile=PROFILE, answers=ANSWERS, at=late)
    fs.submit(draft, actor=applicant, at=call.closes_at - timedelta(seconds=1))  # one second before: fine


def test_only_the_applicant_submits_or_uploads(draft, someone):
    other = someone()
    with pytest.raises(fs.RuleViolation, match="Only the applicant"):
        fs.submit(draft, actor=other)
    with pytest.raises(fs.RuleViolation, match="Only the applicant"):
        fs.upload_document(draft, "cv", SimpleUploadedFile("x.pdf", pdf()), actor=other)


def test_withdraw(submitted, applicant):
    fs.withdraw(submitted, actor=applicant, reason="I found a job")
    submitted.refresh_from_db()
    assert submitted.state == "withdrawn"
    with pytest.raises(fs.RuleViolation, match="no longer be withdrawn"):
        fs.withdraw(submitted, actor=applicant)


def test_uploads_are_checked_by_size_and_content(draft, applicant, settings):
    with pytest.raises(fs.RuleViolation) as exc:
        fs.upload_document(draft, "cv", SimpleUploadedFile("cv.pdf", b"MZ\x90\x00" + b"\x00" * 100), actor=applicant)
    assert exc.value.field == "cv" and "content" in exc.value.message
    with pytest.raises(fs.RuleViolation, match="at most 9 KB"):
        fs.upload_document(draft, "cv", SimpleUploadedFile("cv.pdf", pdf("x" * 20_000)), actor=applicant)
    with pytest.raises(fs.RuleViolation, match="no such document"):
        fs.upload_document(draft, "photo", SimpleUploadedFile("p.pdf", pdf()), actor=applicant)
    # The earlier CV is still there after the refusals.
    [doc] = draft.documents.all()
    assert doc.original_name == "wanjiru-kamau-cv.pdf" and doc.kind == "pdf"
    stored = settings.MEDIA_ROOT / doc.file.name
    assert stored.read_bytes() == pdf() and "wanjiru" not in doc.file.name


def test_a_new_upload_replaces_the_old_and_remove_deletes_the_file(draft, applicant, settings,
                                                                   django_capture_on_commit_callbacks):
    old = draft.documents.get().file.name
    doc = fs.upload_document(draft, "cv", SimpleUploadedFile("cv.txt", "Curriculum vitæ\n".encode()), actor=applicant)
    assert doc.kind == "txt" and draft.documents.count() == 1 and not (settings.MEDIA_ROOT / old).exists()
    with django_capture_on_commit_callbacks(execute=True):
        fs.remove_document(doc, actor=applicant)
    assert not Document.objects.filter(pk=doc.pk).exists() and not (settings.MEDIA_ROOT / doc.file.name).exists()


# --- eligibility -------------------------------------------------------------------------------


def _apply(call, track, person, profile=PROFILE):
    app = fs.save_draft(call, person, track=track, profile=profile, answers=ANSWERS)
    fs.upload_document(app, "cv", SimpleUploadedFile("cv.pdf", pdf()), actor=person)
    return app


def test_age_and_country_rules_refuse_with_reasons(call, programme, applicant):
    track = programme.tracks.create(slug="young", name="Young", min_age=18, max_age=25, countries=["NG", "GH"])
    app = _apply(call, track, applicant, fs.Profile(birth_date=date(1990, 1, 1), country="KE", gender="man"))
    with pytest.raises(fs.Ineligible) as exc:
        fs.submit(app, actor=applicant)
    assert exc.value.code == "ineligible" and len(exc.value.reasons) == 2
    assert "up to the age of 25" in exc.value.reasons[0] and "KE" in exc.value.reasons[1]
    assert Application.objects.get(pk=app.pk).state == "draft"


def test_prerequisite_course_must_be_completed(call, programme, applicant, course):
    from tests.learning.conftest import complete_course

    from isoc.learning import services as learning

    track = programme.tracks.create(slug="pre", name="Pre", prerequisite_course=course)
    app = _apply(call, track, applicant)
    with pytest.raises(fs.Ineligible) as exc:
        fs.submit(app, actor=applicant)
    assert exc.value.reasons == [f"Complete the course “{course.title}” on the learning platform before you submit."]
    enrolment = learning.enrol(applicant, course)
    with pytest.raises(fs.Ineligible, match="Complete the course"):  # enrolled is not enough
        fs.submit(app, actor=applicant)
    complete_course(enrolment)
    assert learning.has_completed(applicant, course)
    assert fs.submit(app, actor=applicant).state == "submitted"


@pytest.fixture
def endorsing_track(programme):
    return programme.tracks.create(slug="endorsed", name="Endorsed", endorsement_required=True)


def test_endorsement_by_an_officer_of_a_chapter_in_good_standing(call, endorsing_track, applicant, live):
    app = _apply(call, endorsing_track, applicant)
    with pytest.raises(fs.Ineligible, match="endorsement"):
        fs.submit(app, actor=applicant)
    chair, plain_member = live.people[0], live.people[10]
    with pytest.raises(fs.RuleViolation, match="Only an officer"):
        fs.endorse(app, live, officer=plain_member)
    fs.endorse(app, live, officer=chair, statement="A tireless volunteer.")
    with pytest.raises(fs.RuleViolation, match="already endorsed"):
        fs.endorse(app, live, officer=live.people[1])
    assert fs.submit(app, actor=applicant).state == "submitted"


def _lose_treasurer_today(chapter, staff):
    """The chapter's treasurer leaves today: from tomorrow it misses a minimum standard."""
    cs.end_officer_term(chapter.officer_terms.get(role="treasurer"), ends_on=timezone.now().date(), actor=staff)
    return timezone.now() + timedelta(days=1)


def test_a_chapter_not_in_good_standing_cannot_endorse(call, endorsing_track, applicant, live, staff):
    app = _apply(call, endorsing_track, applicant)
    tomorrow = _lose_treasurer_today(live, staff)
    assert not cs.may_receive_fellowship_nomination(live, tomorrow)
    with pytest.raises(fs.RuleViolation, match="good standing") as exc:
        fs.endorse(app, live, officer=live.people[0], at=tomorrow)
    assert exc.value.code == "standing" and not app.endorsements.exists()


def test_a_chapter_in_rejuvenation_cannot_endorse(call, endorsing_track, applicant, live, staff):
    app = _apply(call, endorsing_track, applicant)
    tomorrow = _lose_treasurer_today(live, staff)
    cs.review_standing(live, tomorrow)
    live.refresh_from_db()
    cure_ends = live.cure_until
    cs.review_standing(live, cure_ends)
    live.refresh_from_db()
    assert live.state == "rejuvenation" and cs.is_officer(live.people[0], live, at=cure_ends)
    with pytest.raises(fs.RuleViolation, match="rejuvenation"):
        fs.endorse(app, live, officer=live.people[0], at=cure_ends + timedelta(days=1))


def test_an_endorsement_from_a_chapter_that_later_lost_standing_does_not_count(call, endorsing_track, applicant, live,
                                                                               staff):
    app = _apply(call, endorsing_track, applicant)
    fs.endorse(app, live, officer=live.people[0])
    tomorrow = _lose_treasurer_today(live, staff)
    with pytest.raises(fs.Ineligible, match="cannot endorse now"):
        fs.submit(app, actor=applicant, at=tomorrow)


def test_nobody_endorses_their_own_application(call, endorsing_track, live):
    chair = live.people[0]
    app = _apply(call, endorsing_track, chair)
    with pytest.raises(fs.RuleViolation, match="your own"):
        fs.endorse(app, live, officer=chair)


# --- conflicts of interest and reviews ----------------------------------------------------------


@pytest.fixture
def reviewers(someone):
    return [someone(first_name=f"Reviewer{i}") for i in range(3)]


def test_a_conflicted_reviewer_is_never_assigned_nor_sees_the_application(submitted, reviewers, staff):
    r = reviewers[0]
    fs.assign_reviewer(submitted, r, actor=staff)
    assert [a.application_id for a in fs.review_queue(r)] == [submitted.pk]
    fs.declare_conflict(submitted, reviewer=r, reason="She is my cousin.")
    assert fs.review_queue(r) == [] and fs.assignment_for(r, submitted.pk) is None
    with pytest.raises(fs.RuleViolation, match="conflicted") as exc:
        fs.assign_reviewer(submitted, r, actor=staff)
    assert exc.value.code == "conflict" and "cousin" in exc.value.message


def test_conflicts_are_automatic_for_ones_own_chapter_and_application(call, open_track, live, staff):
    applicant, colleague = live.people[5], live.people[6]
    app = _apply(call, open_track, applicant)
    fs.submit(app, actor=applicant)
    with pytest.raises(fs.RuleViolation, match="chapter of yours"):
        fs.assign_reviewer(app, colleague, actor=staff)
    with pytest.raises(fs.RuleViolation, match="your own application"):
        fs.assign_reviewer(app, applicant, actor=staff)


def test_a_reviewer_of_the_endorsing_chapter_is_conflicted(call, endorsing_track, applicant, live, staff):
    app = _apply(call, endorsing_track, applicant)
    fs.endorse(app, live, officer=live.people[0])
    fs.submit(app, actor=applicant)
    assert fs.conflicts(live.people[7], app)  # a member of the endorsing chapter
    with pytest.raises(fs.RuleViolation, match="conflicted"):
        fs.assign_reviewer(app, live.people[7], actor=staff)


def test_a_conflict_found_after_assignment_hides_the_application(call, open_track, applicant, live, staff, reviewers):
    """The reviewer joins the applicant's chapter after being assigned: from then on the
    application is neither listed nor reachable for them, and their review is refused."""
    cs.join(applicant, live)
    app = _apply(call, open_track, applicant)
    fs.submit(app, actor=applicant)
    r = reviewers[0]
    assignment = fs.assign_reviewer(app, r, actor=staff)
    cs.join(r, live)
    assert fs.review_queue(r) == [] and fs.assignment_for(r, app.pk) is None
    with pytest.raises(fs.RuleViolation, match="conflicted"):
        fs.submit_review(assignment, reviewer=r, scores={"motivation": 3, "impact": 3})


def test_only_staff_assign(submitted, reviewers):
    with pytest.raises(fs.RuleViolation, match="secretariat"):
        fs.assign_reviewer(submitted, reviewers[0], actor=reviewers[1])


def test_assignment_moves_the_application_under_review(submitted, reviewers, staff):
    fs.assign_reviewer(submitted, reviewers[0], actor=staff)
    submitted.refresh_from_db()
    assert submitted.state == "under_review"
    with pytest.raises(fs.RuleViolation, match="already assigned"):
        fs.assign_reviewer(submitted, reviewers[0], actor=staff)


def test_drafts_are_not_reviewed(draft, reviewers, staff):
    with pytest.raises(fs.RuleViolation, match="Only submitted"):
        fs.assign_reviewer(draft, reviewers[0], actor=staff)


def test_review_scores_follow_the_rubric(submitted, reviewers, staff):
    a = fs.assign_reviewer(submitted, reviewers[0], actor=staff)
    with pytest.raises(fs.RuleViolation) as exc:
        fs.submit_review(a, reviewer=reviewers[0], scores={"motivation": 9, "impact": 1})
    assert exc.value.field == "score_motivation"
    with pytest.raises(fs.RuleViolation) as exc:
        fs.submit_review(a, reviewer=reviewers[0], scores={"motivation": 3})
    assert exc.value.field == "score_impact"
    with pytest.raises(fs.RuleViolation, match="someone else"):
        fs.submit_review(a, reviewer=reviewers[1], scores={"motivation": 3, "impact": 3})
    review = fs.submit_review(a, reviewer=reviewers[0], scores={"motivation": "5", "impact": "2"}, comment="Strong")
    assert review.raw_score == pytest.approx(4.0) and review.scores == {"motivation": 5, "impact": 2}
    review = fs.submit_review(a, reviewer=reviewers[0], scores={"motivation": 4, "impact": 4})
    assert review.raw_score == pytest.approx(4.0) and a.__class__.objects.get(pk=a.pk).review.scores["impact"] == 4


# --- ranking, quotas, decisions, notifications -----------------------------------------------------


@pytest.fixture
def reviewed(call, open_track, someone, reviewers, staff):
    """Three applications A (KE, woman), B (FR, man), C (NG, woman) scored by a harsh and a
    generous reviewer as in the core test: raw A=1/5, B=2/4, C=3 (harsh only)."""
    apps = {}
    for key, country, gender in (("A", "KE", "woman"), ("B", "FR", "man"), ("C", "NG", "woman")):
        person = someone(country=country)
        app = _apply(call, open_track, person, fs.Profile(birth_date=date(1999, 1, 1), country=country, gender=gender))
        apps[key] = fs.submit(app, actor=person)
    harsh, generous = reviewers[0], reviewers[1]
    for key, motivation in (("A", 1), ("B", 2), ("C", 3)):
        a = fs.assign_reviewer(apps[key], harsh, actor=staff)
        fs.submit_review(a, reviewer=harsh, scores={"motivation": motivation, "impact": motivation})
    for key, motivation in (("A", 5), ("B", 4)):
        a = fs.assign_reviewer(apps[key], generous, actor=staff)
        fs.submit_review(a, reviewer=generous, scores={"motivation": motivation, "impact": motivation})
    return apps


def test_the_ranking_uses_normalised_scores_and_flags_disagreement(reviewed, call):
    rows = fs.ranking(call)
    pk = {v.pk: k for k, v in reviewed.items()}
    assert [pk[r.application.pk] for r in rows] == ["C", "A", "B"]
    by = {pk[r.application.pk]: r for r in rows}
    # By hand: harsh 1, 2, 3 → z −1.224745, 0, +1.224745; generous 5, 4 → z +1, −1.
    assert by["C"].normalised == pytest.approx(1.224745, abs=1e-6)
    assert by["B"].normalised == pytest.approx(-0.5)
    assert by["A"].normalised == pytest.approx(-0.112372, abs=1e-6)
    assert by["A"].disagreement and by["A"].spread == 4  # 5 − 1 > 1.5
    assert by["B"].disagreement and not by["C"].disagreement  # 4 − 2 = 2 > 1.5; C has one review


def test_unreviewed_applications_come_last_unranked(reviewed, call, open_track, someone):
    person = someone()
    late = fs.submit(_apply(call, open_track, person), actor=person)
    rows = fs.ranking(call)
    assert rows[-1].application.pk == late.pk and rows[-1].rank is None


def test_decisions_need_staff_and_a_reason_and_show_against_targets(reviewed, call, staff, reviewers):
    with pytest.raises(fs.RuleViolation, match="secretariat"):
        fs.record_decision(reviewed["C"], outcome="accepted", reason="Top", actor=reviewers[0])
    with pytest.raises(fs.RuleViolation) as exc:
        fs.record_decision(reviewed["C"], outcome="accepted", reason="  ", actor=staff)
    assert exc.value.field == "reason"
    with pytest.raises(fs.RuleViolation) as exc:
        fs.record_decision(reviewed["C"], outcome="maybe", reason="Hm", actor=staff)
    assert exc.value.field == "outcome"
    before = fs.selection(call)
    assert before.accepted == 0 and [(t.key, t.target, t.selected) for t in before.lines] == [
        ("africa", 1, 0), ("europe", 1, 0), ("woman", 1, 0)]
    fs.record_decision(reviewed["C"], outcome="accepted", reason="Ranked first.", actor=staff)
    fs.record_decision(reviewed["A"], outcome="accepted", reason="Ranked second.", actor=staff)
    fs.record_decision(reviewed["B"], outcome="waitlisted", reason="Ranked third.", actor=staff)
    now = fs.selection(call)
    assert now.accepted == 2 and now.places == 2
    assert [(t.dimension, t.key, t.target, t.selected, t.met) for t in now.lines] == [
        ("region", "africa", 1, 2, True), ("region", "europe", 1, 0, False), ("gender", "woman", 1, 2, True)]
    reviewed["C"].refresh_from_db()
    assert reviewed["C"].state == "accepted" and states(reviewed["C"])[-1] == ("under_review", "accepted")


def test_notify_tells_each_applicant_once(reviewed, call, staff, django_capture_on_commit_callbacks):
    fs.record_decision(reviewed["C"], outcome="accepted", reason="Ranked first.", actor=staff)
    fs.record_decision(reviewed["A"], outcome="declined", reason="Out of scope.", actor=staff)
    fs.record_decision(reviewed["B"], outcome="waitlisted", reason="Ranked third.", actor=staff)
    assert fs.told_decision(reviewed["C"]) is None
    with django_capture_on_commit_callbacks(execute=True):
        told = fs.notify(call, actor=staff)
    assert len(told) == 3 and len(mail.outbox) == 3
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[reviewed["C"].applicant.email] == "Accepted: NGL test call"
    assert subjects[reviewed["B"].applicant.email] == "Waitlisted: NGL test call"
    assert "not selected" in next(m.body for m in mail.outbox if m.to[0] == reviewed["A"].applicant.email)
    assert "Out of scope." in next(m.body for m in mail.outbox if m.to[0] == reviewed["A"].applicant.email)
    with django_capture_on_commit_callbacks(execute=True):
        assert fs.notify(call, actor=staff) == []
    assert len(mail.outbox) == 3
    # A revised decision is told again.
    fs.record_decision(reviewed["B"], outcome="accepted", reason="A place freed up.", actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert len(fs.notify(call, actor=staff)) == 1
    assert mail.outbox[-1].subject == "Accepted: NGL test call"


def test_the_decision_mail_is_in_the_applicants_language(reviewed, call, staff, django_capture_on_commit_callbacks):
    person = reviewed["C"].applicant
    person.preferred_language = "fr"
    person.save()
    fs.record_decision(reviewed["C"], outcome="accepted", reason="Premier.", actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        fs.notify(call, actor=staff)
    assert mail.outbox[0].subject.startswith("Accepté")


# --- onboarding and alumni --------------------------------------------------------------------------


@pytest.fixture
def fellow(reviewed, call, staff, django_capture_on_commit_callbacks):
    fs.record_decision(reviewed["C"], outcome="accepted", reason="Ranked first.", actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        fs.notify(call, actor=staff)
    reviewed["C"].refresh_from_db()
    return reviewed["C"]


def test_onboarding_needs_an_accepted_and_told_fellow(reviewed, call, staff):
    fs.record_decision(reviewed["A"], outcome="accepted", reason="Yes.", actor=staff)
    with pytest.raises(fs.RuleViolation, match="told"):
        fs.onboard(reviewed["A"], actor=reviewed["A"].applicant)
    with pytest.raises(fs.RuleViolation, match="accepted fellow"):
        fs.onboard(reviewed["B"], actor=staff)


def test_onboarding_and_travel_for_igf_ambassadors(fellow, call):
    programme = call.programme
    programme.asks_travel = True
    programme.save()
    person = fellow.applicant
    onboarding = fs.onboard(fellow, actor=person)
    fellow.refresh_from_db()
    assert fellow.state == "onboarded" and onboarding.travel_confirmed_at is None
    with pytest.raises(fs.RuleViolation) as exc:
        fs.confirm_travel(fellow, person=person, arrival=date(2026, 12, 10), departure=date(2026, 12, 1),
                          passport_country="KE", visa_needed=True)
    assert exc.value.field == "departure_date"
    with pytest.raises(fs.RuleViolation) as exc:
        fs.confirm_travel(fellow, person=person, arrival=date(2026, 12, 1), departure=date(2026, 12, 5),
                          passport_country="", visa_needed=True)
    assert exc.value.field == "passport_country"
    done = fs.confirm_travel(fellow, person=person, arrival=date(2026, 12, 1), departure=date(2026, 12, 5),
                             passport_country="KE", visa_needed=True)
    assert done.travel_confirmed_at and done.visa_needed


def test_no_travel_for_a_programme_that_does_not_travel(fellow):
    fs.onboard(fellow, actor=fellow.applicant)
    with pytest.raises(fs.RuleViolation, match="no travel"):
        fs.confirm_travel(fellow, person=fellow.applicant, arrival=date(2026, 1, 1), departure=date(2026, 1, 2),
                          passport_country="KE", visa_needed=False)


def test_onboarding_enrols_the_fellow_in_the_programmes_course(fellow, call, course):
    from isoc.learning import services as learning

    call.programme.onboarding_course = course
    call.programme.save()
    onboarding = fs.onboard(fellow, actor=fellow.applicant)
    assert onboarding.enrolled_course == course and onboarding.enrolment_note == ""
    assert learning.enrolment_of(fellow.applicant, course).status == "active"


def test_an_enrolment_refused_by_the_learning_platform_does_not_undo_the_acceptance(fellow, call, course):
    course.enrolment = course.Enrolment.MEMBERS  # the fellow is not an Internet Society member
    course.save()
    call.programme.onboarding_course = course
    call.programme.save()
    onboarding = fs.onboard(fellow, actor=fellow.applicant)
    fellow.refresh_from_db()
    assert fellow.state == "onboarded" and onboarding.enrolled_course is None
    assert "members" in onboarding.enrolment_note


def test_the_alumni_directory_lists_only_those_who_opt_in(fellow, reviewed, call, staff):
    assert list(fs.alumni()) == []
    fs.set_alumni_listing(fellow, person=fellow.applicant, listed=True)
    assert [p.application.pk for p in fs.alumni()] == [fellow.pk]
    assert [p.application.pk for p in fs.alumni(programme="next-generation-leaders", year=call.year,
                                                country="ng")] == [fellow.pk]
    assert list(fs.alumni(country="KE")) == [] and list(fs.alumni(programme="igf-ambassadors")) == []
    fs.set_alumni_listing(fellow, person=fellow.applicant, listed=False)
    assert list(fs.alumni()) == []
    with pytest.raises(fs.RuleViolation, match="Only fellows"):
        fs.set_alumni_listing(reviewed["B"], person=reviewed["B"].applicant, listed=True)
    with pytest.raises(fs.RuleViolation, match="Only the applicant"):
        fs.set_alumni_listing(fellow, person=staff, listed=True)
