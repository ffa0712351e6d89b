"""``isoc chapters review|charter|decharter|appeal``: each through the services, happy
paths, refusals (exit status 1 and the service's reason), unknown names and non-staff
deciders (exit status 2), and the review's dry run (the default) against ``--commit``."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from isoc.chapters import models as cm
from isoc.chapters import services as cs
from isoc.site.cli import app

pytestmark = pytest.mark.django_db


def run(*args: str):
    result = CliRunner().invoke(app, ["chapters", *args])
    # Rich wraps long lines at the runner's width: compare the words.
    result.text = " ".join(result.output.split())
    return result


def states(chapter) -> tuple[str, int]:
    chapter.refresh_from_db()
    return chapter.state, chapter.transitions.count()


# --- review ----------------------------------------------------------------------------


@pytest.fixture
def only_ours(db, staff):
    """The seeded standing groups (chartered, no members yet) would lose their standing in
    every review too: taken out of it, so the counts are the test's chapter's alone."""
    for group in cm.Chapter.objects.filter(kind="standing-group"):
        cs.decharter(group, actor=staff, reason="Out of this test's way.")


def test_review_pretends_by_default_and_applies_with_commit(only_ours, chartered):
    # Chartered in 2021 and no annual report since: today it misses the standards.
    before = states(chartered)
    for args in ([], ["--dry-run"]):
        dry = run("review", *args)
        assert dry.exit_code == 0, dry.output
        assert f"(dry run) {chartered.slug}: chartered → not-in-good-standing" in dry.text
        assert "1 chapter(s) would change" in dry.text
        assert states(chartered) == before
    done = run("review", "--commit")
    assert done.exit_code == 0, done.output
    assert f"{chartered.slug}: chartered → not-in-good-standing" in done.text and "(dry run)" not in done.text
    assert "1 chapter(s) changed" in done.text
    chartered.refresh_from_db()
    assert chartered.state == "not-in-good-standing" and chartered.cure_until is not None
    t = chartered.transitions.last()
    assert (t.kind, t.actor) == ("standing-lost", None) and "annual report" in t.reason
    again = run("review", "--commit")
    assert again.exit_code == 0 and "0 chapter(s) changed" in again.text  # idempotent


def test_review_with_nothing_to_do(only_ours, forming):
    result = run("review")
    assert result.exit_code == 0 and "0 chapter(s) would change" in result.text
    assert states(forming) == ("in-formation", 1)


# --- charter ---------------------------------------------------------------------------


def test_charter(forming, fill, staff):
    fill(forming, 25)
    result = run("charter", forming.slug, "--reason", "Approved by the Board.", "--by", staff.email.upper())
    assert result.exit_code == 0, result.output
    assert f"{forming.slug}: in-formation → chartered" in result.text
    t = forming.transitions.last()
    assert states(forming)[0] == "chartered"
    assert (t.kind, t.actor, t.reason) == ("chartered", staff, "Approved by the Board.")


def test_charter_refusals(forming, fill, staff, person):
    fill(forming, 3)
    before = states(forming)
    too_few = run("charter", forming.slug, "--reason", "Approved.", "--by", staff.email)
    assert too_few.exit_code == 1
    assert "refused: A chapter needs 25 Internet Society members among its members to be chartered; it has 3." \
        in too_few.text
    no_reason = run("charter", forming.slug, "--reason", "  ", "--by", staff.email)
    assert no_reason.exit_code == 1 and "refused:" in no_reason.text
    not_staff = run("charter", forming.slug, "--reason", "Approved.", "--by", person.email)
    assert not_staff.exit_code == 2 and f"error: {person.email} is not a secretariat account" in not_staff.text
    nobody = run("charter", forming.slug, "--reason", "Approved.", "--by", "nobody@example.org")
    assert nobody.exit_code == 2 and "is not a secretariat account" in nobody.text
    unknown = run("charter", "no-such-chapter", "--reason", "Approved.", "--by", staff.email)
    assert unknown.exit_code == 2 and "error: no chapter 'no-such-chapter'" in unknown.text
    missing = run("charter", forming.slug, "--by", staff.email)
    assert missing.exit_code == 2 and "--reason" in missing.text
    assert states(forming) == before


def test_charter_refuses_a_chartered_chapter(chartered, staff):
    result = run("charter", chartered.slug, "--reason", "Again.", "--by", staff.email)
    assert result.exit_code == 1 and "Only a chapter in formation can be chartered; this one is Chartered." \
        in result.text


# --- decharter -------------------------------------------------------------------------


def test_decharter_ends_the_officers_terms(chartered, staff):
    result = run("decharter", chartered.slug, "--reason", "No activity for two years.", "--by", staff.email)
    assert result.exit_code == 0, result.output
    assert f"{chartered.slug}: chartered → de-chartered" in result.text
    assert states(chartered)[0] == "de-chartered"
    assert not chartered.officer_terms.filter(ends_on__isnull=True).exists()
    ended = chartered.officer_changes.filter(kind="dechartered")
    assert ended.count() == 3 and set(ended.values_list("actor", flat=True)) == {staff.pk}
    again = run("decharter", chartered.slug, "--reason", "Again.", "--by", staff.email)
    assert again.exit_code == 1 and "refused: The chapter is already de-chartered." in again.text


def test_decharter_refusals(chartered, staff, person):
    before = states(chartered)
    assert run("decharter", chartered.slug, "--reason", "", "--by", staff.email).exit_code == 1
    not_staff = run("decharter", chartered.slug, "--reason", "Closed.", "--by", person.email)
    assert not_staff.exit_code == 2 and "is not a secretariat account" in not_staff.text
    assert run("decharter", "nope", "--reason", "Closed.", "--by", staff.email).exit_code == 2
    assert states(chartered) == before


# --- appeal ----------------------------------------------------------------------------


@pytest.fixture
def dechartered(chartered, staff):
    """The de-chartering appealed against."""
    return cs.decharter(chartered, actor=staff, reason="No activity.")


def test_an_upheld_appeal_undoes_the_change(chartered, dechartered, staff):
    result = run("appeal", str(dechartered.pk), "--decision", "upheld", "--reason", "Activity was shown.",
                 "--by", staff.email)
    assert result.exit_code == 0, result.output
    assert f"{chartered.slug}: appeal upheld; now chartered" in result.text
    assert states(chartered)[0] == "chartered" and chartered.cure_until is not None
    decision = chartered.transitions.last()
    assert (decision.kind, decision.appeal_of, decision.actor, decision.reason) == (
        "appeal", dechartered, staff, "Activity was shown.")
    again = run("appeal", str(dechartered.pk), "--decision", "dismissed", "--reason", "Again.", "--by", staff.email)
    assert again.exit_code == 1 and "refused: This change's appeal was already decided." in again.text


def test_a_dismissed_appeal_keeps_the_change(chartered, dechartered, staff):
    result = run("appeal", str(dechartered.pk), "--decision", "dismissed", "--reason", "No new facts.",
                 "--by", staff.email)
    assert result.exit_code == 0 and f"{chartered.slug}: appeal dismissed; now de-chartered" in result.text
    assert states(chartered)[0] == "de-chartered"
    assert chartered.transitions.last().decision == "dismissed"


def test_appeal_refusals(chartered, dechartered, staff, person):
    before = states(chartered)
    formed = chartered.transitions.get(kind="formed")
    not_appealable = run("appeal", str(formed.pk), "--decision", "upheld", "--reason", "x", "--by", staff.email)
    assert not_appealable.exit_code == 1
    assert "Only losing good standing, rejuvenation or de-chartering can be appealed." in not_appealable.text
    bad = run("appeal", str(dechartered.pk), "--decision", "maybe", "--reason", "x", "--by", staff.email)
    assert bad.exit_code == 1 and "The decision is either upheld or dismissed." in bad.text
    no_reason = run("appeal", str(dechartered.pk), "--decision", "upheld", "--reason", " ", "--by", staff.email)
    assert no_reason.exit_code == 1 and "Give the reason" in no_reason.text
    not_staff = run("appeal", str(dechartered.pk), "--decision", "upheld", "--reason", "x", "--by", person.email)
    assert not_staff.exit_code == 2 and "is not a secretariat account" in not_staff.text
    unknown = run("appeal", "999999", "--decision", "upheld", "--reason", "x", "--by", staff.email)
    assert unknown.exit_code == 2 and "error: no change #999999" in unknown.text
    not_a_number = run("appeal", "latest", "--decision", "upheld", "--reason", "x", "--by", staff.email)
    assert not_a_number.exit_code == 2
    assert states(chartered) == before
    assert not cm.ChapterTransition.objects.filter(kind="appeal").exists()


def test_the_commands_have_help():
    for command in ("review", "charter", "decharter", "appeal"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output
    assert "--commit" in run("review", "--help").text
