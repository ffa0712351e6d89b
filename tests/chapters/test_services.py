"""Every life-cycle transition and rule of the chapters services, happy and unhappy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from isoc.chapters import models as cm
from isoc.chapters import services as cs
from isoc.chapters.rules import Failure
from isoc.members.services import RuleViolation

pytestmark = pytest.mark.django_db


def kinds(chapter):
    return list(chapter.transitions.values_list("kind", flat=True))


# --- forming and communities -----------------------------------------------------------


def test_forming_records_history_and_bureau_from_country(forming, staff, t0):
    assert forming.state == "in-formation"
    assert forming.bureau.slug == "europe"
    t = forming.transitions.get()
    assert (t.kind, t.from_state, t.to_state, t.actor, t.at) == ("formed", "", "in-formation", staff, t0)


def test_only_staff_form_chapters(person):
    with pytest.raises(RuleViolation, match="secretariat"):
        cs.form_chapter(name="Rogue", actor=person, community=cs.Community(country="FR"))


def test_overlapping_community_needs_staff_approval(forming, staff):
    with pytest.raises(RuleViolation, match="overlaps that of Estonia Chapter") as exc:
        cs.form_chapter(name="Tartu", actor=staff, community=cs.Community(country="EE", subdivision="EE-78"))
    assert exc.value.code == "overlap"
    tartu = cs.form_chapter(name="Tartu", actor=staff, approve_overlap=True,
                            community=cs.Community(country="EE", subdivision="EE-78"))
    assert tartu.overlap_approved_by == staff
    assert "Estonia Chapter" in tartu.transitions.get().reason


def test_different_subdivisions_do_not_overlap(staff):
    cs.form_chapter(name="Catalonia", actor=staff, community=cs.Community(country="ES", subdivision="ES-CT"))
    cs.form_chapter(name="Basque", actor=staff, community=cs.Community(country="ES", subdivision="ES-PV"))
    with pytest.raises(RuleViolation):
        cs.form_chapter(name="Spain", actor=staff, community=cs.Community(country="ES"))


def test_cross_border_overlap_and_decharted_chapters_free_the_community(forming, staff, t0):
    with pytest.raises(RuleViolation):
        cs.form_chapter(name="Baltics", actor=staff, community=cs.Community(extra_countries=("LV", "EE")))
    cs.decharter(forming, actor=staff, reason="Closed.", at=t0 + timedelta(days=1))
    baltics = cs.form_chapter(name="Baltics", actor=staff, community=cs.Community(extra_countries=("LV", "EE")))
    assert baltics.bureau.slug == "europe" and baltics.country is None


def test_bad_country_and_subdivision_are_refused(staff):
    with pytest.raises(RuleViolation, match="ISO 3166-1"):
        cs.form_chapter(name="X", actor=staff, community=cs.Community(country="XX"))
    with pytest.raises(RuleViolation, match="ISO 3166-2"):
        cs.form_chapter(name="X", actor=staff, community=cs.Community(country="FR", subdivision="ES-CT"))
    with pytest.raises(RuleViolation, match="serves a country"):
        cs.form_chapter(name="X", actor=staff)


# --- chartering ------------------------------------------------------------------------


def test_charter_needs_25_isoc_members(forming, fill, staff, t0):
    fill(forming, 24)
    fill(forming, 5, isoc_member=False)  # chapter members who are not Internet Society members
    with pytest.raises(RuleViolation, match="needs 25 .* it has 24") as exc:
        cs.charter(forming, actor=staff, reason="ok", at=t0)
    assert exc.value.code == "too_few_members"
    fill(forming, 1)
    t = cs.charter(forming, actor=staff, reason="Approved.", at=t0)
    forming.refresh_from_db()
    assert (forming.state, forming.chartered_at, t.from_state, t.to_state) == ("chartered", t0, "in-formation", "chartered")


def test_charter_threshold_is_configurable(forming, fill, staff, t0):
    cm.ChapterStandards.objects.create(effective_from=t0 - timedelta(days=1), charter_min_members=3,
                                       required_roles=["chair"])
    fill(forming, 3)
    cs.charter(forming, actor=staff, reason="Small community.", at=t0)


def test_charter_refused_to_non_staff_and_twice(chartered, staff, t0):
    officer = chartered.people[0]
    with pytest.raises(RuleViolation, match="secretariat"):
        cs.charter(chartered, actor=officer, reason="x")
    with pytest.raises(RuleViolation, match="Only a chapter in formation"):
        cs.charter(chartered, actor=staff, reason="again", at=t0)


def test_reason_is_required(forming, fill, staff, t0):
    fill(forming, 25)
    with pytest.raises(RuleViolation, match="reason"):
        cs.charter(forming, actor=staff, reason="  ", at=t0)
    assert kinds(forming) == ["formed"]


# --- standing --------------------------------------------------------------------------


def test_standing_names_the_failing_rule(chartered, t0):
    assert cs.standing(chartered, t0).good
    cs.end_officer_term(chartered.officer_terms.get(role="treasurer"), ends_on=t0.date(), actor=chartered.people[0])
    result = cs.standing(chartered, t0 + timedelta(days=1))
    assert not result.good
    assert result.failures == ((Failure.MISSING_OFFICER, "treasurer"),)
    assert "Treasurer" in cs.reasons(result)[0]
    # ... but it was in good standing on t0, when the treasurer was still in office.
    assert cs.in_good_standing(chartered, t0)


def test_losing_isoc_membership_costs_standing(chartered, t0):
    from isoc.members import services as ms

    member = chartered.people[-1]
    ms.cancel(member.current_membership(), actor=member)
    later = member.memberships.get().cancelled_at + timedelta(seconds=1)
    result = cs.standing(chartered, later)
    assert result.first == Failure.TOO_FEW_MEMBERS


def test_missing_annual_report_on_deadline(chartered, t0):
    # Chartered 1 March 2021: the 2021 report is due 31 March 2022.
    assert cs.in_good_standing(chartered, date(2022, 3, 31))
    assert cs.standing(chartered, date(2022, 4, 1)).failures == ((Failure.MISSING_ANNUAL_REPORT, "2021"),)
    cs.file_annual_report(chartered, year=2021, activities="Meetups.", membership_count=25,
                          actor=chartered.people[0], at=t0.replace(year=2022, month=4, day=2))
    assert not cs.in_good_standing(chartered, date(2022, 4, 1))  # filed late: still missing that day
    assert cs.in_good_standing(chartered, date(2022, 4, 2))


def test_in_formation_is_never_in_good_standing(forming, fill, t0):
    fill(forming, 30)
    assert cs.standing(forming, t0).first == Failure.NOT_CHARTERED
    assert forming not in cs.chapters_in_good_standing(t0)


def test_chapters_in_good_standing_lists_only_those(chartered, staff, t0):
    other = cs.form_chapter(name="Latvia Chapter", actor=staff, community=cs.Community(country="LV"), at=t0)
    good = cs.chapters_in_good_standing(t0 + timedelta(days=1))
    assert list(good) == [chartered]
    assert other not in good


# --- the automatic review: not in good standing, cure, rejuvenation, de-chartering -----


def lose_treasurer(chapter, on):
    cs.end_officer_term(chapter.officer_terms.get(role="treasurer"), ends_on=on, actor=chapter.people[0])


def test_full_decline_to_decharter(chartered, t0):
    lose_treasurer(chartered, t0.date())
    day1 = t0 + timedelta(days=1)
    t = cs.review_standing(chartered, day1)
    chartered.refresh_from_db()
    assert (t.kind, t.to_state, t.actor) == ("standing-lost", "not-in-good-standing", None)
    assert "Treasurer" in t.reason
    assert chartered.cure_until == day1.replace(month=6)  # three months
    assert cs.review_standing(chartered, day1 + timedelta(days=30)) is None  # still curing: nothing changes
    t = cs.review_standing(chartered, chartered.cure_until)
    chartered.refresh_from_db()
    assert t.to_state == chartered.state == "rejuvenation"
    assert chartered.rejuvenation_until == chartered.state_since.replace(year=chartered.state_since.year + 1)
    assert not cs.may_receive_event_funding(chartered, chartered.state_since)
    assert not cs.may_receive_fellowship_nomination(chartered, chartered.state_since)
    end = chartered.rejuvenation_until
    assert cs.review_standing(chartered, end - timedelta(seconds=1)) is None
    t = cs.review_standing(chartered, end)
    chartered.refresh_from_db()
    assert (chartered.state, t.kind) == ("de-chartered", "dechartered")
    assert not chartered.officer_terms.filter(ends_on__isnull=True).exists()
    assert kinds(chartered) == ["formed", "chartered", "standing-lost", "rejuvenation", "dechartered"]


def test_cure_within_the_period(chartered, t0):
    lose_treasurer(chartered, t0.date())
    cs.review_standing(chartered, t0 + timedelta(days=1))
    cs.appoint_officer(chartered, chartered.people[5], "treasurer", starts_on=(t0 + timedelta(days=10)).date(),
                       actor=chartered.people[0])
    t = cs.review_standing(chartered, t0 + timedelta(days=11))
    chartered.refresh_from_db()
    assert (t.kind, chartered.state, chartered.cure_until) == ("cured", "chartered", None)


def test_rejuvenation_ends_when_standards_met(chartered, t0):
    lose_treasurer(chartered, t0.date())
    cs.review_standing(chartered, t0 + timedelta(days=1))
    chartered.refresh_from_db()
    cs.review_standing(chartered, chartered.cure_until)
    cs.appoint_officer(chartered, chartered.people[5], "treasurer", starts_on=date(2021, 7, 1), actor=chartered.people[0])
    t = cs.review_standing(chartered, t0.replace(month=7, day=2))
    assert (t.kind, t.to_state) == ("rejuvenated", "chartered")
    assert cs.may_receive_event_funding(chartered, t0.replace(month=7, day=3))


def test_review_is_idempotent_and_back_dating_refused(chartered, staff, t0):
    lose_treasurer(chartered, t0.date())
    assert cs.review_standing(chartered, t0 + timedelta(days=2))
    assert cs.review_standing(chartered, t0 + timedelta(days=2)) is None
    with pytest.raises(RuleViolation, match="later change"):
        cs.decharter(chartered, actor=staff, reason="x", at=t0 + timedelta(days=1))


def test_review_all_dry_run_changes_nothing(chartered, t0):
    lose_treasurer(chartered, t0.date())
    changes = cs.review_all(t0 + timedelta(days=1), dry_run=True)
    assert [(c.pk, f, t) for c, f, t in changes] == [(chartered.pk, "chartered", "not-in-good-standing")]
    chartered.refresh_from_db()
    assert chartered.state == "chartered"
    assert len(cs.review_all(t0 + timedelta(days=1))) == 1
    chartered.refresh_from_db()
    assert chartered.state == "not-in-good-standing"


def test_state_at_reads_history(chartered, t0):
    lose_treasurer(chartered, t0.date())
    cs.review_standing(chartered, t0 + timedelta(days=1))
    assert chartered.state_at(t0) == "chartered"
    assert chartered.state_at(t0 + timedelta(days=2)) == "not-in-good-standing"
    assert chartered.state_at(t0 - timedelta(days=1)) == "in-formation"


# --- appeals ---------------------------------------------------------------------------


def test_upheld_appeal_undoes_decharter(chartered, staff, t0):
    t = cs.decharter(chartered, actor=staff, reason="No activity.", at=t0 + timedelta(days=5))
    appeal = cs.decide_appeal(t, decision="upheld", actor=staff, reason="Activity was reported late.",
                              at=t0 + timedelta(days=20))
    chartered.refresh_from_db()
    assert chartered.state == "chartered"
    assert (appeal.kind, appeal.decision, appeal.actor, appeal.appeal_of) == ("appeal", "upheld", staff, t)
    with pytest.raises(RuleViolation, match="already decided"):
        cs.decide_appeal(t, decision="dismissed", actor=staff, reason="again")


def test_dismissed_appeal_keeps_state_and_is_recorded(chartered, staff, t0):
    t = cs.decharter(chartered, actor=staff, reason="No activity.", at=t0 + timedelta(days=5))
    appeal = cs.decide_appeal(t, decision="dismissed", actor=staff, reason="No new facts.", at=t0 + timedelta(days=6))
    chartered.refresh_from_db()
    assert chartered.state == "de-chartered"
    assert (appeal.from_state, appeal.to_state, appeal.decision) == ("de-chartered", "de-chartered", "dismissed")


def test_appeal_rules(chartered, staff, t0):
    charter_t = chartered.transitions.get(kind="chartered")
    with pytest.raises(RuleViolation, match="can be appealed"):
        cs.decide_appeal(charter_t, decision="upheld", actor=staff, reason="x")
    lose_treasurer(chartered, t0.date())
    lost = cs.review_standing(chartered, t0 + timedelta(days=1))
    with pytest.raises(RuleViolation, match="secretariat"):
        cs.decide_appeal(lost, decision="upheld", actor=chartered.people[0], reason="x")
    with pytest.raises(RuleViolation, match="upheld or dismissed"):
        cs.decide_appeal(lost, decision="maybe", actor=staff, reason="x")
    chartered.refresh_from_db()
    cs.review_standing(chartered, chartered.cure_until)  # now in rejuvenation
    with pytest.raises(RuleViolation, match="changed state since"):
        cs.decide_appeal(lost, decision="upheld", actor=staff, reason="x", at=chartered.cure_until + timedelta(days=1))


def test_upheld_appeal_gives_grace_before_next_review(chartered, staff, t0):
    lose_treasurer(chartered, t0.date())
    lost = cs.review_standing(chartered, t0 + timedelta(days=1))
    cs.decide_appeal(lost, decision="upheld", actor=staff, reason="Treasurer was being elected.",
                     at=t0 + timedelta(days=2))
    chartered.refresh_from_db()
    assert chartered.state == "chartered"
    assert cs.review_standing(chartered, t0 + timedelta(days=30)) is None  # grace
    assert cs.review_standing(chartered, chartered.cure_until).to_state == "not-in-good-standing"


# --- membership ------------------------------------------------------------------------


def test_join_and_leave(forming, new_person, t0):
    p = new_person(isoc_member=False)
    cs.join(p, forming, at=t0)
    assert cs.is_member(p, forming, t0)
    with pytest.raises(RuleViolation, match="already a member"):
        cs.join(p, forming, at=t0)
    cs.leave(p, forming, at=t0 + timedelta(days=1))
    assert not cs.is_member(p, forming, t0 + timedelta(days=2))
    assert cs.is_member(p, forming, t0)
    with pytest.raises(RuleViolation, match="not a member"):
        cs.leave(p, forming)
    cs.join(p, forming, at=t0 + timedelta(days=3))  # rejoining is fine
    assert cs.member_count(forming, t0 + timedelta(days=3)) == 1


def test_several_chapters(forming, staff, new_person, t0):
    other = cs.form_chapter(name="Finland", actor=staff, community=cs.Community(country="FI"), at=t0)
    p = new_person()
    cs.join(p, forming, at=t0)
    cs.join(p, other, at=t0)
    assert p.chapter_memberships.count() == 2


def test_standing_groups_want_isoc_members(new_person, t0):
    youth = cm.Chapter.objects.get(slug="youth")
    with pytest.raises(RuleViolation, match="Internet Society members") as exc:
        cs.join(new_person(isoc_member=False), youth, at=t0)
    assert exc.value.code == "not_a_member"
    cs.join(new_person(), youth, at=t0)
    assert youth.kind == "standing-group" and youth.country is None and youth.bureau is None


def test_decharted_chapter_takes_no_members(forming, staff, new_person, t0):
    cs.decharter(forming, actor=staff, reason="x", at=t0)
    with pytest.raises(RuleViolation, match="de-chartered"):
        cs.join(new_person(), forming, at=t0)


def test_officer_cannot_leave_before_handing_over(chartered, t0):
    with pytest.raises(RuleViolation, match="hand it over") as exc:
        cs.leave(chartered.people[0], chartered, at=t0 + timedelta(days=1))
    assert exc.value.code == "officer"


# --- officers --------------------------------------------------------------------------


def test_officers_manage_only_their_own_chapter(chartered, staff, new_person, t0):
    other = cs.form_chapter(name="Finland", actor=staff, community=cs.Community(country="FI"), at=t0)
    chair = chartered.people[0]
    stranger = new_person()
    cs.join(stranger, other, at=t0)
    with pytest.raises(RuleViolation, match="chair can appoint"):
        cs.appoint_officer(other, stranger, "chair", starts_on=t0.date(), actor=chair)
    with pytest.raises(RuleViolation, match="officers or the secretariat"):
        cs.file_annual_report(other, year=2020, activities="x", membership_count=1, actor=chair, at=t0)
    assert cs.can_manage(chair, chartered, t0) and not cs.can_manage(chair, other, t0)
    assert cs.can_manage(staff, other, t0)


def test_only_the_chair_and_staff_manage_officers(chartered, staff, t0):
    chair, secretary, treasurer = chartered.people[:3]
    assert cs.may_manage_officers(chair, chartered) and cs.may_manage_officers(staff, chartered)
    assert not cs.may_manage_officers(secretary, chartered) and not cs.may_manage_officers(chartered.people[9], chartered)
    # Other officers manage the rest of the chapter (dashboard, reports) but not its officers.
    assert cs.can_manage(secretary, chartered)
    with pytest.raises(RuleViolation, match="chair can appoint") as exc:
        cs.appoint_officer(chartered, secretary, "voting-delegate", starts_on=t0.date(), actor=secretary)
    assert exc.value.code == "forbidden"
    with pytest.raises(RuleViolation, match="chair can end"):
        cs.end_officer_term(chartered.officer_terms.get(role="chair"), ends_on=t0.date(), actor=treasurer)
    with pytest.raises(RuleViolation, match="chair can appoint"):
        cs.appoint_officer(chartered, secretary, "voting-delegate", starts_on=t0.date(), actor=None)
    assert chartered.officer_terms.get(role="chair").ends_on is None
    assert not chartered.officer_terms.filter(role="voting-delegate").exists()


def test_officer_history_keeps_every_change(chartered, staff, t0):
    chair = chartered.people[0]
    d = t0.date()
    appointed = [(c.kind, c.role, c.actor) for c in chartered.officer_changes.order_by("at", "id")]
    assert appointed == [("appointed", r, staff) for r in ("chair", "secretary", "treasurer")]
    cs.appoint_officer(chartered, chartered.people[4], "treasurer", starts_on=d + timedelta(days=10), actor=chair,
                       at=t0 + timedelta(days=1))
    appointment, handover = chartered.officer_changes.order_by("-id")[:2]
    assert (appointment.kind, appointment.person, appointment.ends_on, appointment.actor, appointment.at) == (
        "appointed", chartered.people[4], None, chair, t0 + timedelta(days=1))
    assert (handover.kind, handover.person, handover.ends_on, handover.previous_ends_on) == (
        "handed-over", chartered.people[2], d + timedelta(days=9), None)
    term = chartered.officer_terms.get(person=chartered.people[4])
    cs.end_officer_term(term, ends_on=d + timedelta(days=100), actor=staff, at=t0 + timedelta(days=2))
    cs.end_officer_term(term, ends_on=d + timedelta(days=50), actor=chair, at=t0 + timedelta(days=3))
    ends = list(term.changes.filter(kind="ended").order_by("at").values_list("previous_ends_on", "ends_on", "actor"))
    assert ends == [(None, d + timedelta(days=100), staff.pk), (d + timedelta(days=100), d + timedelta(days=50), chair.pk)]
    with pytest.raises(RuleViolation, match="it can end earlier, not later") as exc:
        cs.end_officer_term(term, ends_on=d + timedelta(days=60), actor=chair)
    assert exc.value.code == "already_ended"


def test_de_chartering_ends_and_withdraws_terms_with_history(chartered, staff, t0):
    d = t0.date()
    cs.appoint_officer(chartered, chartered.people[6], "cac-delegate", starts_on=d + timedelta(days=30), actor=staff,
                       at=t0)
    cs.decharter(chartered, actor=staff, reason="Closed.", at=t0 + timedelta(days=5))
    changes = chartered.officer_changes.filter(at=t0 + timedelta(days=5))
    assert sorted(changes.values_list("kind", "role", "ends_on")) == [
        ("dechartered", "chair", d + timedelta(days=5)), ("dechartered", "secretary", d + timedelta(days=5)),
        ("dechartered", "treasurer", d + timedelta(days=5)), ("withdrawn", "cac-delegate", None)]
    withdrawn = changes.get(kind="withdrawn")
    assert withdrawn.term is None and withdrawn.person == chartered.people[6] and withdrawn.actor == staff
    assert not chartered.officer_terms.filter(role="cac-delegate").exists()


def test_is_officer_and_role(chartered, t0):
    chair, secretary = chartered.people[:2]
    assert cs.is_officer(chair, chartered, at=t0)
    assert cs.is_officer(chair, chartered, "chair", at=t0)
    assert not cs.is_officer(chair, chartered, "secretary", at=t0)
    assert not cs.is_officer(chair, chartered, at=t0 - timedelta(days=1))
    assert not cs.is_officer(chartered.people[10], chartered, at=t0)


def test_handover_and_overlap(chartered, t0):
    chair = chartered.people[0]
    nxt = chartered.people[4]
    d = t0.date()
    cs.appoint_officer(chartered, nxt, "chair", starts_on=d + timedelta(days=100), actor=chair)
    old = chartered.officer_terms.get(person=chair, role="chair")
    assert old.ends_on == d + timedelta(days=99)
    assert cs.is_officer(nxt, chartered, "chair", at=d + timedelta(days=100))
    assert not cs.is_officer(chair, chartered, "chair", at=d + timedelta(days=100))
    with pytest.raises(RuleViolation, match="cannot overlap"):
        cs.appoint_officer(chartered, chartered.people[6], "chair", starts_on=d + timedelta(days=50),
                           ends_on=d + timedelta(days=60), actor=nxt)


def test_officer_must_be_member_and_delegate_isoc_member(chartered, fill, new_person, t0):
    chair = chartered.people[0]
    with pytest.raises(RuleViolation, match="not a member of the chapter"):
        cs.appoint_officer(chartered, new_person(), "secretary", starts_on=t0.date(), actor=chair)
    (outsider,) = fill(chartered, 1, isoc_member=False)
    with pytest.raises(RuleViolation, match="voting delegate must be an Internet Society member"):
        cs.appoint_officer(chartered, outsider, "voting-delegate", starts_on=t0.date(), actor=chair)
    with pytest.raises(RuleViolation, match="Unknown officer role"):
        cs.appoint_officer(chartered, outsider, "king", starts_on=t0.date(), actor=chair)
    with pytest.raises(RuleViolation, match="end before"):
        cs.appoint_officer(chartered, outsider, "cac-delegate", starts_on=t0.date(),
                           ends_on=t0.date() - timedelta(days=1), actor=chair)


def test_voting_delegate(chartered, t0):
    assert cs.voting_delegate(chartered, t0) is None
    delegate = chartered.people[7]
    cs.appoint_officer(chartered, delegate, "voting-delegate", starts_on=t0.date(), actor=chartered.people[0],
                       ends_on=t0.date() + timedelta(days=365))
    assert cs.voting_delegate(chartered, t0) == delegate
    assert cs.voting_delegate(chartered, t0 + timedelta(days=400)) is None


# --- annual reports --------------------------------------------------------------------


def test_file_report_rules(chartered, t0):
    chair = chartered.people[0]
    later = t0.replace(year=2022, month=2)
    with pytest.raises(RuleViolation, match="finished calendar year"):
        cs.file_annual_report(chartered, year=2022, activities="x", membership_count=1, actor=chair, at=later)
    with pytest.raises(RuleViolation, match="not chartered in 2020"):
        cs.file_annual_report(chartered, year=2020, activities="x", membership_count=1, actor=chair, at=later)
    with pytest.raises(RuleViolation, match="activities"):
        cs.file_annual_report(chartered, year=2021, activities=" ", membership_count=1, actor=chair, at=later)
    with pytest.raises(RuleViolation, match="Not an amount"):
        cs.file_annual_report(chartered, year=2021, activities="x", membership_count=1, actor=chair, at=later,
                              income="lots")
    with pytest.raises(RuleViolation, match="zero or more"):
        cs.file_annual_report(chartered, year=2021, activities="x", membership_count=1, actor=chair, at=later,
                              expenses="-5")
    report = cs.file_annual_report(chartered, year=2021, activities="Meetups.", membership_count=31, actor=chair,
                                   at=later, income="1200.50", expenses="800")
    assert (report.filed_by, str(report.income), report.membership_count) == (chair, "1200.50", 31)
    with pytest.raises(RuleViolation, match="already filed") as exc:
        cs.file_annual_report(chartered, year=2021, activities="x", membership_count=1, actor=chair, at=later)
    assert exc.value.code == "already_filed"


def test_report_due(chartered, t0):
    assert cs.report_due(chartered, t0) is None
    assert cs.report_due(chartered, date(2022, 1, 5)) == (2021, date(2022, 3, 31))
