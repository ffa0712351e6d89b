"""The full round trip of a person's data across every app: Ada (the subject) and Grace
(someone else) each leave rows in members, chapters, events, elections, learning,
fellowships, the impact assessments and infrastructure, made through the apps' services
where there is one. Ada's export holds each app's section with her data and nothing of
Grace's; after erasure no row links to Ada except those declared kept-and-anonymised,
no row anywhere holds her name or address, Grace's data and every count (election
tallies, turnout, chapter membership, learners trained) are unchanged, Ada cannot sign
in, and her export shows nothing identifying."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from isoc.members import services as ms
from isoc.site import personal_data

PASSWORD = "correct-horse-battery-staple"
ADA_TRACES = ("Lovelace", "ada@example.org", "Analytical engines", "My village network needs a bridge")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _chapter(staff, people):
    from isoc.chapters import services as cs

    chapter = cs.form_chapter(name="Estonia Chapter", actor=staff, community=cs.Community(country="EE"),
                              at=timezone.now() - timedelta(days=30))
    for p in people:
        cs.join(p, chapter, at=timezone.now() - timedelta(days=20))
    cs.appoint_officer(chapter, people[0], "chair", starts_on=timezone.now().date() - timedelta(days=10), actor=staff)
    return chapter


def _events(people, staff):
    from isoc.events import services as es
    from isoc.events.models import Event

    now = timezone.now()
    made = []
    for slug, starts in (("past", now - timedelta(days=30)), ("coming", now + timedelta(days=30))):
        event = Event.objects.create(
            slug=slug, title=f"IGF side meeting ({slug})", time_zone="UTC", starts_at=starts,
            ends_at=starts + timedelta(hours=8), capacity=5, members_open_at=starts - timedelta(days=60),
            public_open_at=starts - timedelta(days=50), closes_at=starts, fee=Decimal("0.00"), currency="USD")
        for p in people:
            es.register(event, p, notify=False, at=starts - timedelta(days=40))
        made.append(event)
    made[1].organizers.add(people[0])
    return made


def _election(ada, grace, staff):
    """An election in its voting period, written row by row: both on the roll and voted,
    Ada a candidate with a forum question from Grace, Grace a candidate asked by Ada."""
    from isoc.elections import models as em
    from isoc.elections import services as es
    from isoc.elections.seed import seed as seed_electorates
    from isoc.elections.tally import tally

    # The electorates come from a data migration; a transactional test before this one on
    # the same worker flushes them (tests/elections/conftest.py re-seeds the same way).
    seed_electorates()
    election = es.create_election(slug="bot-test", title="Board election", method=em.Method.PLURALITY,
                                  nominations_open=timezone.now() - timedelta(days=60), actor=staff)
    electorate = em.Electorate.objects.exclude(kind="appointed").order_by("order").first()
    contest = election.contests.first() or em.Contest.objects.create(election=election, electorate=electorate, seats=1)
    nominations = {}
    for p in (ada, grace):
        nominations[p.pk] = em.Nomination.objects.create(
            contest=contest, name=p.display_name, email=p.email, person=p,
            statement=f"{p.last_name}'s statement", status=em.Nomination.Status.CANDIDATE)
    em.ForumPost.objects.create(nomination=nominations[ada.pk], asked_by=grace, question="Why you?")
    em.ForumPost.objects.create(nomination=nominations[grace.pk], asked_by=ada, question="And you?")
    for n, p in enumerate((ada, grace)):
        roll = em.RollEntry.objects.create(contest=contest, unit=f"person:{p.pk}", label=p.display_name, weight=1,
                                           voter=p)
        em.Participation.objects.create(roll=roll)
        em.Ballot.objects.create(contest=contest, weight=1, choices=[nominations[grace.pk].pk], receipt=f"R{n}")
    em.Challenge.objects.create(election=election, filed_by=ada, grounds="A question of procedure.")
    em.CertificationApproval.objects.create(election=election, person=ada)
    return election, lambda: tally(es._ballots_data(election))


def _learning(ada, grace, staff, tmp_path):
    import shutil

    from tests.learning.conftest import SMOKE, complete_course

    from isoc.learning import services as ls

    shutil.copytree(SMOKE, tmp_path / "course")
    course = ls.import_course(tmp_path / "course", publish_it=True, actor=staff)
    certificate = complete_course(ls.enrol(ada, course))
    complete_course(ls.enrol(grace, course))
    return certificate


def _fellowships(ada, grace, staff):
    from tests.fellowships.conftest import ANSWERS, FORM, RUBRIC, pdf

    from isoc.fellowships import services as fs
    from isoc.fellowships.models import Call, Programme, Review
    from isoc.fellowships.seed import seed

    seed()
    programme = Programme.objects.get(slug="next-generation-leaders")
    track = programme.tracks.create(slug="open", name="Open")
    now = timezone.now()
    call = Call.objects.create(programme=programme, slug="ngl-test", year=now.year, title="NGL test call",
                               opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=10),
                               time_zone="UTC", status=Call.Status.PUBLISHED, form=FORM, rubric=RUBRIC, places=2)
    applications = {}
    for p, motivation in ((ada, "My village network needs a bridge."), (grace, "Compilers for everyone.")):
        app = fs.save_draft(call, p, track=track, answers=ANSWERS | {"motivation": motivation},
                            profile=fs.Profile(birth_date=date(2000, 5, 1), country="KE", gender="woman"))
        fs.upload_document(app, "cv", SimpleUploadedFile(f"{p.last_name}-cv.pdf", pdf(p.last_name)), actor=p)
        applications[p.pk] = fs.submit(app, actor=p)
    # Ada reviews Grace's application: her scores and comment are her data, and rank Grace.
    assignment = fs.assign_reviewer(applications[grace.pk], ada, actor=staff)
    Review.objects.create(assignment=assignment, scores={"motivation": 4, "impact": 3}, raw_score=11,
                          comment="Strong, clear plan.")
    return applications


def _infra(ada, staff):
    from isoc.infra.models.community import NetworkEvent
    from isoc.infra.services import community as svc

    network = svc.add_network(staff, name="Village Mesh", country="KE", place="A village",
                              technologies=["wifi-mesh"], people_served=400, operator="Village association",
                              latitude="-1.3", longitude="36.8")
    NetworkEvent.objects.filter(network=network).update(actor=ada)  # as if Ada had added it


def _admin_log(ada, grace, staff):
    """Staff changed both in the admin: the change log describes each by name."""
    from django.contrib.admin.models import CHANGE, LogEntry

    for p in (ada, grace):
        LogEntry.objects.log_actions(staff.pk, [p], CHANGE, change_message="Changed city.", single_object=True)


def _members(ada, grace):
    from allauth.mfa.models import Authenticator
    from axes.models import AccessLog

    from isoc.members.models import OrganizationTier
    from isoc.members.tokens import create_token

    for p in (ada, grace):
        membership = ms.join(p, "sustaining")
        invoice = membership.terms.get().invoice
        ms.record_payment(invoice, amount=invoice.amount, reference=f"BANK-{p.first_name.upper()}-1")
        create_token(p, "backup script")
        AccessLog.objects.create(username=p.email, ip_address="192.0.2.7", user_agent="test", http_accept="*/*",
                                 path_info="/accounts/login/", attempt_time=timezone.now())
        # A second factor, as staff have (its secret must never reach the export).
        Authenticator.objects.create(user=p, type=Authenticator.Type.TOTP, data={"secret": f"SECRET{p.first_name.upper()}"})
    ms.join_organization(ada, legal_name="Engines Ltd", country="GB",
                         tier=OrganizationTier.objects.get(slug="silver"))


@pytest.fixture
def world(db, make_person, staff, tmp_path, client):
    from isoc.iwn import services as iwn

    ada = make_person("ada@example.org", first_name="Ada", last_name="Lovelace", country="GB", bio="Analytical engines.")
    grace = make_person("grace@example.org", first_name="Grace", last_name="Hopper", country="US")
    _members(ada, grace)
    applications = _fellowships(ada, grace, staff)  # before the chapter: a shared chapter is a conflict of interest
    chapter = _chapter(staff, [ada, grace])
    events = _events([ada, grace], staff)
    election, recount = _election(ada, grace, staff)
    certificate = _learning(ada, grace, staff, tmp_path)
    for p in (ada, grace):
        iwn.create_assessment(title=f"{p.last_name}'s assessment of a data localisation bill", owner=p, country="KE")
    _infra(ada, staff)
    _admin_log(ada, grace, staff)
    client.force_login(ada)
    return {"ada": ada, "grace": grace, "staff": staff, "chapter": chapter, "events": events, "election": election,
            "recount": recount, "certificate": certificate, "applications": applications, "client": client}


@pytest.fixture
def make_person(request):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "conftest.py"
    return request.config.pluginmanager.get_plugin(str(root)).make_person


def _person_links():
    """Every (model, field) that links to a person."""
    person = get_user_model()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if (f.concrete or f.many_to_many) and f.is_relation and not f.auto_created and f.related_model is person:
                yield model, f


def _rows_linking(person) -> dict[str, int]:
    found = {}
    for model, f in _person_links():
        n = model._default_manager.filter(**{f.name: person}).count()
        if n:
            found[f"{model._meta.label}.{f.name}"] = n
    return found


def _rows_mentioning(texts) -> list[str]:
    """Every row of every table whose text holds one of ``texts`` (case-insensitive)."""
    hits = []
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            blob = json.dumps(row, default=str).lower()
            hits += [f"{model._meta.label} #{row.get('id')}: {t}" for t in texts if t.lower() in blob]
    return hits


def _counts(world) -> dict:
    from isoc.chapters import services as cs
    from isoc.elections import models as em
    from isoc.learning.services import learners_trained

    return {
        "recount": world["recount"](),
        "participations": em.Participation.objects.count(),
        "roll_weight": sum(em.RollEntry.objects.values_list("weight", flat=True)),
        "ballots": sorted(map(str, em.Ballot.objects.values_list("receipt", "choices"))),
        "chapter_members_last_week": cs.member_count(world["chapter"], timezone.now() - timedelta(days=7)),
        "learners_trained": learners_trained(),
        "past_event_registrations": world["events"][0].registrations.count(),
    }


def _grace_export(grace) -> dict:
    data = ms.export_person(grace)
    data.pop("exported_at")
    return data


def test_export_holds_every_apps_section_of_the_persons_data_and_nothing_of_others(world):
    response = world["client"].get("/members/profile/export/")
    assert response.status_code == 200
    data = json.loads(response.content)
    for section in ("account", "chapters", "events", "elections", "learning", "fellowships", "iwn", "acted_on"):
        assert section in data, section
    assert data["account"]["email_addresses"] == [{"email": "ada@example.org", "primary": True, "verified": True}]
    assert data["account"]["sign_ins"][0]["ip_address"] == "192.0.2.7"
    assert [f["type"] for f in data["account"]["second_factors"]] == ["totp"] and "SECRETADA" not in json.dumps(data)
    assert [m["chapter"] for m in data["chapters"]["memberships"]] == ["Estonia Chapter"]
    assert [t["role"] for t in data["chapters"]["officer_terms"]] == ["chair"]
    assert {r["event_slug"] for r in data["events"]["registrations"]} == {"past", "coming"}
    assert data["elections"]["voter_roll"][0]["voted_at"] is not None
    assert data["elections"]["nominations"][0]["statement"] == "Lovelace's statement"
    assert [q["question"] for q in data["elections"]["questions_asked"]] == ["And you?"]
    assert data["learning"]["enrolments"][0]["certificate"]["code"] == world["certificate"].code
    assert data["learning"]["enrolments"][0]["quiz_attempts"]
    [application] = data["fellowships"]["applications"]
    assert application["answers"]["motivation"] == "My village network needs a bridge."
    assert application["documents"][0]["name"] == "Lovelace-cv.pdf"
    assert data["fellowships"]["reviews_written"][0]["comment"] == "Strong, clear plan."
    assert data["iwn"]["assessments"][0]["title"].startswith("Lovelace's")
    assert "infra.NetworkEvent.actor" in data["acted_on"] and "events.Event.organizers" in data["acted_on"]
    text = response.content.decode()
    # Nothing of Grace: not her name, address, answers, statement, assessment or ballot.
    for trace in ("Hopper", "grace@example.org", "Compilers for everyone", "BANK-GRACE-1"):
        assert trace not in text, trace
    # Never a ballot: no receipt, no choices.
    assert '"R0"' not in text and '"R1"' not in text and "receipt" not in text


def test_erasure_unlinks_the_person_everywhere_and_changes_no_count_or_other_persons_data(
        world, django_capture_on_commit_callbacks, client):
    from isoc.fellowships.models import Document
    from isoc.learning.services import verify

    ada, grace = world["ada"], world["grace"]
    document = Document.objects.get(application__applicant=ada)
    path = document.file.path
    assert os.path.exists(path)
    counts_before, grace_before = _counts(world), _grace_export(grace)
    assert _rows_linking(ada) and _rows_mentioning(ADA_TRACES)  # the checks below can fail
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    assert authenticate(RequestFactory().post("/accounts/login/"), email="ada@example.org", password=PASSWORD) == ada

    with django_capture_on_commit_callbacks(execute=True):
        ms.erase_person(ada, actor=ada)
    ada.refresh_from_db()

    # No link to Ada but the rows declared kept (anonymised, pointing at the pseudonym).
    covered = personal_data.coverage()
    for key, n in _rows_linking(ada).items():
        label, field = key.rsplit(".", 1)
        rule = covered[label][1]
        assert rule.action == "anonymise" and field not in rule.fields, f"{key}: {n} rows still link to the person"
    # Nowhere in the database: her name, address, bio, application answers.
    assert _rows_mentioning(ADA_TRACES) == []
    assert not os.path.exists(path)  # her CV left the disk after the commit
    # Every count and Grace's own data are as before.
    assert _counts(world) == counts_before
    assert _grace_export(grace) == grace_before
    # The erasure itself is on record: who asked and when.
    assert ada.erasure.actor_id == ada.pk and ada.erasure.at == ada.erased_at
    # Her certificate still verifies as issued, to nobody in particular.
    checked = verify(world["certificate"].code)
    assert checked.state == "valid" and "Lovelace" not in str(checked)
    # She cannot sign in any more.
    for address in ("ada@example.org", ada.email):
        assert authenticate(RequestFactory().post("/accounts/login/"), email=address, password=PASSWORD) is None
    assert world["client"].get("/members/").status_code == 302


def test_export_after_erasure_shows_nothing_identifying(world, django_capture_on_commit_callbacks):
    ada = world["ada"]
    with django_capture_on_commit_callbacks(execute=True):
        ms.erase_person(ada, actor=world["staff"])
    ada.refresh_from_db()
    data = ms.export_person(ada)
    text = json.dumps(data)
    for trace in ADA_TRACES:
        assert trace not in text, trace
    assert data["account"] == {"email_addresses": [], "sign_ins": [], "failed_sign_ins": [], "sessions": [],
                               "second_factors": [],
                               "organization_contacts": []}
    assert data["fellowships"]["applications"] == [] and data["iwn"]["assessments"] == []
    assert data["elections"]["voter_roll"] == [] and data["elections"]["nominations"] == []
    assert data["acted_on"] == {}
    assert data["api_tokens"] == []


def test_a_failing_app_rolls_the_whole_erasure_back(world, monkeypatch):
    """One transaction over every app: if one part fails, nothing is erased anywhere."""
    from isoc.fellowships.models import Application
    from isoc.iwn import personal_data as iwn_part

    ada = world["ada"]

    def broken(person, actor):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(iwn_part, "erase", broken)
    with pytest.raises(RuntimeError):
        ms.erase_person(ada, actor=ada)
    ada.refresh_from_db()
    assert ada.erased_at is None and ada.email == "ada@example.org"
    assert Application.objects.filter(applicant=ada).exists()
