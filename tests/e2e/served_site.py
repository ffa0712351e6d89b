"""The site as a deployment serves it, for the accessibility crawl and the page-weight test.

``isoc serve`` (gunicorn, whitenoise, production settings: ``ISOC_DEBUG=0``, hashed and
pre-compressed static files, far-future cache headers) runs in a subprocess on a free
loopback port, against its own SQLite data folder in a temporary directory that
``prepare`` fills with migrations, a small demo data set and the few extra rows the crawl
needs (a staff administrator, one row in every admin table…). It is TLS-terminated in
spirit only: the browser sends ``X-Forwarded-Proto: https`` as a proxy would
(``ISOC_SECURE_PROXY=1``).

Why a real server and not pytest-django's ``live_server``: the live server serves static
files through Django's own handler, uncompressed and without cache headers, so page
weights measured there would say nothing about what a reader downloads; and its database
is emptied after every test, while one crawl visits a hundred pages of demo data.

The server uses SQLite whatever ``DATABASE_URL`` the test run has: these tests check
pages, not the database engine (the rest of the suite runs on both).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSWORD = "correct-horse-battery-staple"
DEMO_PEOPLE = 200
DEMO_ORGANIZATIONS = 30
DEMO_SEED = 2026
STAFF_EMAIL = "crawl-admin@isoc.example"
# Variables of the test run that must not leak into the served site.
DROPPED = ("DATABASE_URL", "CELERY_BROKER_URL", "ISOC_BROKER_URL", "ISOC_EMAIL_HOST", "DJANGO_SETTINGS_MODULE", "ISOC_BENCH",
           "DJANGO_ALLOW_ASYNC_UNSAFE")


@dataclass
class ServedSite:
    base_url: str
    facts: dict
    data_dir: Path
    log: Path

    # Sent with every request, as the TLS-terminating proxy of a deployment would.
    headers = {"X-Forwarded-Proto": "https"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update({
        "ISOC_DATA_DIR": str(data_dir),
        "ISOC_DEBUG": "0",
        "ISOC_SECURE_PROXY": "1",
        "ISOC_ALLOWED_HOSTS": "127.0.0.1",
        "ISOC_SITE_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def start(data_dir: Path, prepared: Path | None = None) -> tuple[ServedSite, subprocess.Popen]:
    """Prepare ``data_dir`` and start the server; the caller stops the process.

    With ``prepared`` (a folder every test process of the run can reach), the data folder
    is prepared there once, by whichever process comes first, and copied: the staff crawl
    runs on a second served site in another process (site_crawl.CRAWL_ROLES), and
    preparing costs a minute of demo data on an idle machine."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = _environment(data_dir, port)
    facts_file = data_dir / "crawl-facts.json"
    if prepared is None:
        _prepare(env, facts_file)
    else:
        _prepare_once(env, prepared)
        shutil.copytree(prepared, data_dir, dirs_exist_ok=True)
    isoc = Path(sys.executable).with_name("isoc")
    log = data_dir / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(isoc), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--threads", "4"],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    base_url = f"http://127.0.0.1:{port}"
    # Generous: collectstatic (compressing every asset) and gunicorn's start take seconds on
    # an idle machine but minutes on a loaded 2-core one; this is a hang guard, not a timing.
    deadline = time.monotonic() + 300
    while True:
        try:
            request = urllib.request.Request(base_url + "/healthz", headers=ServedSite.headers)
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"`isoc serve` did not come up on {base_url}:\n{log.read_text()}")
        time.sleep(0.2)
    return ServedSite(base_url=base_url, facts=json.loads(facts_file.read_text()), data_dir=data_dir, log=log), process


def _prepare(env: dict[str, str], facts_file: Path) -> None:
    prepared = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); import served_site; "
                               f"served_site.prepare({str(facts_file)!r})"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    if prepared.returncode != 0:
        raise RuntimeError(f"preparing the served site failed:\n{prepared.stdout}\n{prepared.stderr}")


def _prepare_once(env: dict[str, str], prepared: Path) -> None:
    """Prepare the shared folder unless another process did; a lock makes a second
    process wait for the first one's data rather than prepare its own."""
    prepared.mkdir(parents=True, exist_ok=True)
    facts_file = prepared / "crawl-facts.json"
    with open(prepared.with_name(prepared.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not facts_file.exists():
            _prepare({**env, "ISOC_DATA_DIR": str(prepared)}, facts_file)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def prepare(facts_file: str) -> None:
    """Run in the server's environment: migrate, generate demo data, and write down the
    facts the crawl needs to fill in URLs (who signs in, which invoice, which slug…)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isoc.site.settings")
    import django

    django.setup()
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib import admin
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.utils import timezone

    from isoc.members import demo
    from isoc.members import models as m
    from isoc.members.accounts import create_staff
    from isoc.members.tokens import create_token

    call_command("migrate", "--noinput", verbosity=0)
    demo.generate(people=DEMO_PEOPLE, organizations=DEMO_ORGANIZATIONS, seed=DEMO_SEED, reset=True, password=PASSWORD)
    from isoc.routing import demo as routing_demo

    routing_demo.generate(reset=True)
    from isoc.enablers import demo as enablers_demo

    enablers_demo.generate(reset=True)
    from isoc.chapters import demo as chapters_demo

    chapters_demo.generate(seed=DEMO_SEED, reset=True)
    from isoc.infra import demo_community

    demo_community.generate(reset=True)  # after the chapters: some networks are run with demo chapters
    from isoc.events import demo as events_demo

    events_demo.generate(reset=True)
    from isoc.incidents import demo as incidents_demo

    incidents_demo.generate(reset=True)  # before the admin's object pages are picked below
    from isoc.infra import demo_ixps

    demo_ixps.generate(reset=True)  # after the routing demo (MANRS links), before the admin's pages are picked
    staff, _ = create_staff(STAFF_EMAIL, PASSWORD, administrator=True, first_name="Crawl", last_name="Admin")
    from isoc.site.security.two_factor import enrol_totp

    staff_totp = enrol_totp(staff)  # staff sign in with a second factor: the crawl types its codes

    # The member who signs in: active sustaining, with invoices, and the contact of an
    # active organization, so that every part of their pages has something to show.
    def active_sustaining(person: m.Person) -> bool:
        ms = person.current_membership()
        standing = ms.standing() if ms else None
        return bool(standing and standing.status == "active" and standing.category == "sustaining")

    people = m.Person.objects.filter(is_demo=True).order_by("pk")
    member = next(p for p in people if active_sustaining(p) and p.invoices.exists())
    member.directory_listed = True
    member.save(update_fields=["directory_listed"])
    active_orgs = [o for o in m.Organization.objects.order_by("pk") if (s := o.standing()) and s.status == "active"]
    managed = active_orgs[0]
    m.OrganizationContact.objects.get_or_create(organization=managed, person=member, defaults={"role": "Treasurer"})
    create_token(member, "crawl script")
    public_org = active_orgs[1]
    other_org = next(o for o in m.Organization.objects.order_by("pk") if o not in active_orgs[:2])
    open_invoice = next(i for i in m.Invoice.objects.order_by("pk") if i.state == "open")

    # One row in the tables that demo data leaves empty, so every admin change page exists.
    AccessAttempt.objects.create(username="someone@example.org", ip_address="127.0.0.1", user_agent="crawl",
                                 http_accept="*/*", path_info="/accounts/login/", failures_since_start=1)
    AccessLog.objects.create(username=member.email, ip_address="127.0.0.1", user_agent="crawl", http_accept="*/*",
                             path_info="/accounts/login/", attempt_time=timezone.now())
    AccessFailureLog.objects.create(username="someone@example.org", ip_address="127.0.0.1", user_agent="crawl",
                                    http_accept="*/*", path_info="/accounts/login/", attempt_time=timezone.now())

    admin_objects = {}
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            admin_objects[model._meta.label_lower] = str(first.pk)
    admin_objects["members.person"] = str(member.pk)
    admin_objects["members.invoice"] = str(open_invoice.pk)
    admin_objects["members.organization"] = str(managed.pk)
    admin_sampled = _admin_sampled_pages(admin_objects)

    # Someone else's links from emails: a reset link (the member's own would be spent
    # by signing in) and an address confirmation.
    stranger = people.exclude(pk=member.pk).first()
    address = EmailAddress.objects.get(user=stranger, primary=True)
    facts = {
        "password": PASSWORD,
        "member": {"email": member.email, "invoice": member.invoices.order_by("pk").first().number,
                   "organization": managed.slug},
        "staff": {"email": staff.email, "totp_secret": staff_totp},
        "public_organization": public_org.slug,
        "other_organization": other_org.slug,
        "open_invoice": {"number": open_invoice.number, "pk": open_invoice.pk},
        "confirm_email_key": EmailConfirmationHMAC(address).key,
        "reset": {"uidb36": user_pk_to_url_str(stranger), "key": default_token_generator.make_token(stranger)},
        "admin_objects": admin_objects,
        "admin_sampled": admin_sampled,
        "invoice_content_type": ContentType.objects.get_for_model(m.Invoice).pk,
    }
    facts["pulse"] = _pulse_rows()
    facts["routing"] = _routing_rows()
    facts["enablers"] = _enablers_rows()
    facts["resilience"] = _resilience_rows()
    facts["incidents"] = _incident_rows()
    facts["ixps"] = _ixp_rows()
    facts["events"] = _event_rows(member, staff, admin_objects)
    facts["chapters"] = _chapter_rows(member, staff)
    facts["community"] = _community_rows(staff, facts["chapters"]["officer"])
    from isoc.elections import demo as elections_demo

    elections_demo.generate(reset=True)
    facts["elections"] = _election_rows(member, staff)
    facts["trust"] = _trust_rows(managed)
    facts["learning"] = _learning_rows(member, staff)
    facts["fellowships"] = _fellowship_rows(member, staff)  # after learning: fellows are enrolled in its courses
    facts["iwn"] = _iwn_rows(member)
    admin_objects["iwn.assessment"] = str(_assessment_pk(facts["iwn"]["report"]))
    Path(facts_file).write_text(json.dumps(facts, indent=2))


def _admin_sampled_pages(admin_objects: dict[str, str]) -> dict[str, list[str]]:
    """Which models' generic admin pages the crawl opens (see crawl._admin_model_page).

    Django renders every model's history and delete pages from the same two templates,
    and its add page from the change page's template and form. Opening them for each of
    sixty models checked the same markup sixty times and was a third of the staff crawl.
    Each model's list and change pages are still opened (their columns, filters, fields
    and widgets are the model's own); its add, history and delete pages are opened where
    its admin makes them differ (its own add form or fieldsets, its own template, no
    object to open a change page on) and for the first model of each app."""
    from django.contrib import admin

    first_of_app: set[str] = set()
    sampled: dict[str, list[str]] = {}
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label_lower):
        label = model._meta.label_lower
        pages = []
        if model._meta.app_label not in first_of_app:
            first_of_app.add(model._meta.app_label)
            pages = ["add", "history", "delete"]
        if getattr(model_admin, "add_form", None) or getattr(model_admin, "add_fieldsets", None) \
                or model_admin.add_form_template or label not in admin_objects:
            pages.append("add")
        if model_admin.object_history_template:
            pages.append("history")
        if model_admin.delete_confirmation_template:
            pages.append("delete")
        sampled[label] = sorted(set(pages))
    return sampled
def _assessment_pk(share_token: str) -> int:
    from isoc.iwn.models import Assessment

    return Assessment.objects.get(share_token=share_token).pk


def _iwn_rows(member) -> dict:
    """The impact assessment demo's samples, and one assessment of the member's own,
    part answered, whose steps and details the member opens."""
    from isoc.iwn import demo as iwn_demo
    from isoc.iwn import services
    from isoc.iwn.models import Assessment

    iwn_demo.generate(reset=True)
    own = Assessment.objects.filter(owner=member, title="Crawl: a data localisation bill").first()
    if own is None:
        own, _token = services.create_assessment(title="Crawl: a data localisation bill", owner=member, country="KE",
                                                 proposal="Personal data must be stored in the country.")
        services.save_answers(own, {"reachability.2": "yes", "privacy.1": "not_sure"})
    sample = Assessment.objects.filter(is_demo=True).order_by("pk").first()
    return {"report": sample.share_token, "own": own.share_token}


def _learning_rows(member, staff) -> dict:
    """The demo courses and enrolments; the member enrolled in a course with a quiz, one
    lesson seen and one attempt failed; a small course of the crawl's own with an open
    question whose attempt awaits grading; and a demo certificate to verify."""
    from datetime import date, timedelta

    from isoc.learning import demo as learning_demo
    from isoc.learning import services
    from isoc.learning.models import Certificate, Cohort, Course, Question, Quiz

    learning_demo.generate(seed=DEMO_SEED, reset=True)
    course = next(c for c in Course.objects.filter(status="published").order_by("pk")
                  if services.published_spec(c).quizzes())
    spec = services.published_spec(course)
    key, _quiz = spec.quizzes()[0]
    enrolment = services.enrolment_of(member, course)
    if enrolment is None or enrolment.status == "withdrawn":
        enrolment = services.enrol(member, course, cohort=learning_demo.running_cohort(course)
                                   if course.enrolment == "cohort" else None)
    enrolment.attempts.all().delete()
    services.record_lesson_seen(enrolment, spec.lessons()[0].key)
    services.submit_attempt(services.start_attempt(enrolment, key), {})
    # The crawl's own course: one lesson and a quiz with an open question.
    crawl = Course.objects.filter(slug="crawl-open-answers", language="en").first()
    if crawl is None:
        crawl = services.create_course(actor=staff, slug="crawl-open-answers", language="en",
                                       title="Writing about Internet governance", topic="internet-governance",
                                       level="beginner", enrolment="cohort")
        module = services.save_module(crawl, actor=staff, title="Multistakeholder governance")
        services.save_lesson(module, actor=staff, title="Who takes part",
                             body="Governments, companies, civil society and the technical community.")
        quiz = Quiz.objects.create(module=module, title="Say it in your own words")
        Question.objects.create(quiz=quiz, kind="open", prompt="Who takes part in Internet governance?", points=2)
        services.publish(crawl, actor=staff)
        cohort = Cohort.objects.create(course=crawl, name="Crawl cohort", starts_on=date.today(),
                                       ends_on=date.today() + timedelta(days=60))
        learner = next(p for p in type(member).objects.filter(is_demo=True, is_active=True).order_by("pk")
                       if p.pk != member.pk)
        crawl_enrolment = services.enrol(learner, crawl, cohort=cohort)
        attempt = services.start_attempt(crawl_enrolment, module.key)
        services.submit_attempt(attempt, {"0": "Everyone with a stake in the Internet."})
    waiting = crawl.enrolments.get().attempts.get()
    module = crawl.modules.get()
    lesson = module.lessons.get()
    certificate = Certificate.objects.filter(revoked_at__isnull=True).order_by("pk").first()
    return {"course": course.get_absolute_url(), "key": spec.lessons()[0].key, "quiz": key,
            "grade": waiting.pk, "certificate": certificate.code if certificate else "NONE",
            "pk": crawl.pk, "module": module.pk, "lesson": lesson.pk, "preview_key": lesson.key}


def _resilience_rows() -> dict:
    """The Internet Resilience Index demo (every country, four quarters) and its top country."""
    from isoc.resilience import demo as resilience_demo
    from isoc.resilience.models import CountryScore

    resilience_demo.generate(reset=True)
    top = CountryScore.objects.filter(rank=1).order_by("-quarter").first()
    return {"country": top.country_id.lower() if top else "zz"}


def _pulse_rows() -> dict:
    """A country, a dataset and a published story to open, where Pulse has any."""
    try:
        from isoc.pulse.models import Country, Dataset, Story
    except ImportError:
        return {"country": None, "dataset": None, "story": None}
    country = Country.objects.order_by("code").first()
    dataset = Dataset.objects.order_by("pk").first()
    story = Story.objects.filter(state=Story.State.PUBLISHED).order_by("pk").first()
    rows = {"country": country.code.lower() if country else None, "dataset": dataset.slug if dataset else None,
            "story": story.slug if story else None, "shutdown": None}
    try:
        from isoc.shutdowns.models import ShutdownEvent
    except ImportError:
        return rows
    rows["shutdown"] = ShutdownEvent.objects.order_by("pk").values_list("pk", flat=True).first()
    return rows


def _event_rows(member, staff, admin_objects: dict) -> dict:
    """A demo event the member is registered for (waitlisted, so the page shows the
    waitlist), a paid one, and the staff administrator as an organizer of the first; a
    global event with a funding grant; and a paid event cancelled after one seat was paid
    for, so its page, its cancellation page and the admin show a refund owed."""
    from django.utils import timezone

    from isoc.events import services
    from isoc.events.models import Event, Registration
    from isoc.members import services as ledger

    upcoming = Event.objects.filter(is_demo=True, published=True, closes_at__gt=timezone.now()).order_by("starts_at")
    full = next(e for e in upcoming if e.phase() == "open" and e.seats_left() == 0)
    if not Registration.objects.filter(event=full, person=member).exclude(state="cancelled").exists():
        services.register(full, member, notify=False)
    full.organizers.add(staff)
    paid = next((e for e in upcoming if e.fee > 0), full)
    chapter = next((e for e in upcoming if e.chapter_id), paid)
    funded = next(e for e in upcoming if not e.chapter_id and not e.cancelled_at and e.pk not in (full.pk, paid.pk))
    if not funded.funding.exists():
        services.grant_funding(funded, amount="2500", currency="USD", actor=staff, purpose="Venue hire")
    cancelled = _cancelled_event(staff, ledger, services, Event, member)
    refund = cancelled.registrations.filter(refund__isnull=False).values_list("refund", flat=True).first()
    admin_objects["events.eventrefund"] = str(refund)
    return {"full": full.slug, "paid": paid.slug, "chapter": chapter.slug, "funded": funded.slug,
            "cancelled": cancelled.slug}
def _cancelled_event(staff, ledger, services, Event, member):
    """A paid demo event, open for registration, with a seat paid for, a seat awaiting
    payment and someone waiting; then cancelled by the staff administrator."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from isoc.members.models import Person

    slug = "demo-cancelled-routing-security-workshop"
    event = Event.objects.filter(slug=slug).first()
    if event is not None:
        return event
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    starts = now + timedelta(days=40)
    event = Event.objects.create(
        slug=slug, title="Routing Security Workshop Geneva (demo)", summary="A generated demo event, cancelled.",
        mode=Event.Mode.IN_PERSON, venue="Geneva Conference Centre", city="Geneva", country="CH",
        time_zone="Europe/Zurich", starts_at=starts, ends_at=starts + timedelta(hours=8), capacity=2,
        members_open_at=now - timedelta(days=20), public_open_at=now - timedelta(days=10), closes_at=starts,
        fee=Decimal("50.00"), currency="EUR", is_demo=True)
    people = Person.objects.filter(is_demo=True, is_active=True, erased_at__isnull=True).exclude(pk=member.pk)
    seats = [services.register(event, person, notify=False) for person in people.order_by("pk")[:3]]
    ledger.record_payment(seats[0].invoice, amount=seats[0].invoice.amount, reference="CRAWL-1", actor=staff)
    services.cancel_event(event, actor=staff, reason="The venue is closed for repairs.")
    return event


def _chapter_rows(member, staff) -> dict:
    """A chartered demo chapter running events (its page and dashboard list them), a
    standing group, and a chapter in rejuvenation (a report missing) that the crawl's
    member chairs, so the dashboard (with the officer forms) and report form have content."""
    from django.utils import timezone

    from isoc.chapters import services
    from isoc.chapters.models import Chapter

    chartered = Chapter.objects.filter(is_demo=True, state="chartered").order_by("pk")
    public = chartered.filter(events__isnull=False).first() or chartered.first()
    officer = Chapter.objects.filter(is_demo=True, state="rejuvenation").order_by("pk").first()
    if not services.is_member(member, officer):
        services.join(member, officer)
    services.appoint_officer(officer, member, "chair", starts_on=timezone.now().date(), actor=staff)
    return {"public": public.slug, "officer": officer.slug, "group": "accessibility"}


def _community_rows(staff, officer_chapter: str) -> dict:
    """A community network in the country of the chapter the crawl's member chairs (so
    the member sees its page with the support and training forms, and its edit form)."""
    from isoc.chapters.models import Chapter
    from isoc.infra.models.community import CommunityNetwork
    from isoc.infra.services import community as svc

    chapter = Chapter.objects.get(slug=officer_chapter)
    network = CommunityNetwork.objects.filter(country_id=chapter.country).order_by("pk").first()
    if network is None:
        network = svc.add_network(staff, name="Crawl Community Network", country=chapter.country or "KE",
                                  place="A village", technologies=["wifi-mesh"], people_served=400,
                                  operator="Village association", chapter=chapter, latitude="-1.3",
                                  longitude="36.8")
    return {"network": network.slug}


def _enablers_rows() -> dict:
    """A measured demo domain (one that fails HSTS) for the domain lookup."""
    from isoc.enablers import demo as enablers_demo

    return {"domain": enablers_demo.DEMO_HSTS_FAILING}


def _incident_rows() -> dict:
    """An incident and a report year of the generated demo incidents."""
    from isoc.incidents.models import Incident

    first = Incident.objects.order_by("pk").first()
    return {"incident": first.pk, "year": first.year}


def _routing_rows() -> dict:
    """A network, a country, an incident and a MANRS participant of the routing demo."""
    from isoc.routing import demo as routing_demo
    from isoc.routing.models import ManrsParticipant, RoutingIncident

    incident = RoutingIncident.objects.order_by("pk").values_list("pk", flat=True).first()
    participant = ManrsParticipant.objects.order_by("pk").values_list("slug", flat=True).first()
    return {"asn": routing_demo.asn(1), "country": routing_demo.COUNTRIES[1].lower(), "incident": incident or 0,
            "participant": participant or "no-such-participant", "prefix": routing_demo.v4_prefixes(1)[0]}


def _ixp_rows() -> dict:
    """A demo IXP with members and its country."""
    from isoc.infra.models import Ixp

    ixp = Ixp.objects.filter(is_demo=True, status="active").order_by("pk").first()
    return {"slug": ixp.slug, "country": ixp.country_id.lower()}


def _election_rows(member, staff) -> dict:
    """The demo elections at each stage; the crawl's member made a candidate of the one
    with voting open, with a question waiting for their answer (the forum's answer form)."""
    from isoc.elections import demo
    from isoc.elections import models as em
    from isoc.elections import services as es

    voting = em.Election.objects.get(slug=demo.IN_PROGRESS)
    candidate = em.Nomination.objects.filter(contest__election=voting, status="candidate",
                                             person__isnull=True).order_by("pk").first()
    candidate.person = member  # as if they had stood with their account
    candidate.save(update_fields=["person"])
    question = es.ask_question(candidate, staff, "What would you change first?")
    return {"certified": demo.CERTIFIED, "voting": demo.IN_PROGRESS, "petitions": demo.PETITIONS,
            "nominations": demo.NOMINATIONS, "candidate": candidate.pk, "question": question.pk}


def _fellowship_rows(member, staff) -> dict:
    """The fellowships demo, and the crawl's member in it: a submitted application to this
    year's open call and a draft in another open call (its form), an onboarded one from
    last year's decided call (travel details, alumni listing), a review assigned to them,
    and a draft they may open to endorse (they chair a chapter)."""
    import random
    from datetime import date, timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from isoc.fellowships import demo
    from isoc.fellowships import services as fs
    from isoc.fellowships.models import Application, Call

    demo.generate(reset=True)
    Application.objects.filter(applicant=member).delete()  # the member may be one of the demo's applicants
    open_call = Call.objects.get(is_demo=True, status="published")
    decided = Call.objects.get(is_demo=True, status="decided")
    cv = SimpleUploadedFile("cv.pdf", b"%PDF-1.4\n% crawl\n%%EOF\n")

    def apply(call, track, at):
        on = call.closes_at.date()
        app = fs.save_draft(call, member, track=track, at=at, answers=demo._answers(random.Random(1)),
                            profile=fs.Profile(birth_date=date(on.year - 25, 1, 1), country=member.country or "KE",
                                               gender="woman"))
        fs.upload_document(app, "cv", cv, actor=member, at=at)
        return fs.submit(app, actor=member, at=at)

    submitted = apply(open_call, open_call.programme.tracks.get(slug="youth"), timezone.now())
    Call.objects.filter(pk=decided.pk).update(status="published")  # applying is only possible while it runs
    decided.refresh_from_db()
    past = apply(decided, decided.programme.tracks.get(slug="youth"), decided.opens_at + timedelta(days=1))
    Call.objects.filter(pk=decided.pk).update(status="decided")
    fs.record_decision(past, outcome="accepted", reason="Ranked among the first.", actor=staff,
                       at=decided.closes_at + timedelta(days=20))
    fs.notify(decided, actor=staff, at=decided.closes_at + timedelta(days=21), send_mail=False)
    fs.onboard(past, actor=member, at=decided.closes_at + timedelta(days=22))
    # A second open call (a copy of this year's, another programme) where the member has a draft.
    draft_call = Call.objects.create(
        programme=decided.programme, slug="demo-crawl-igf-ambassadors", year=open_call.year,
        title="IGF Ambassadors (demo, crawl)", opens_at=open_call.opens_at, closes_at=open_call.closes_at,
        time_zone=open_call.time_zone, status="published", form=open_call.form, rubric=open_call.rubric,
        places=5, targets=open_call.targets, is_demo=True)
    fs.save_draft(draft_call, member, track=draft_call.programme.tracks.get(slug="youth"),
                  profile=fs.Profile(country=member.country or "KE"), answers={"motivation": "Half written."})
    # Most demo applicants share the member's chapter (a conflict): one from outside it.
    from isoc.members.models import Person

    outsider, _ = Person.objects.get_or_create(email="fellowship-applicant@demo.isoc.example", defaults={
        "first_name": "Ana", "last_name": "Pereira", "country": "UY", "is_demo": True})
    on = open_call.closes_at.date()
    to_review = fs.save_draft(open_call, outsider, track=open_call.programme.tracks.get(slug="youth"),
                              answers=demo._answers(random.Random(2)),
                              profile=fs.Profile(birth_date=date(on.year - 24, 3, 3), country="UY", gender="woman"))
    fs.upload_document(to_review, "cv", SimpleUploadedFile("ana-pereira-cv.pdf", b"%PDF-1.4\n%%EOF\n"),
                       actor=outsider)
    fs.submit(to_review, actor=outsider)
    fs.assign_reviewer(to_review, member, actor=staff)
    to_endorse = open_call.applications.filter(state="draft").exclude(applicant=member).order_by("pk").first()
    return {"open": open_call.slug, "decided": decided.slug, "draft_call": draft_call.slug,
            "submitted": submitted.pk, "onboarded": past.pk, "review": to_review.pk, "to_endorse": to_endorse.pk}


def _trust_rows(managed) -> dict:
    """The trust demo's two audit years, and the organization the crawl's member manages
    (matched by its website), whose scorecard their organization page links to."""
    from isoc.trust import demo as trust_demo

    trust_demo.remove()
    if not managed.website:  # the demo matches organization members by their website's domain
        managed.website = f"https://www.{managed.slug}.example/"
        managed.save(update_fields=["website"])
    trust_demo.generate()
    audited = managed.trust_audited.first()
    first_year, year = trust_demo.demo_years()
    return {"year": year, "first_year": first_year, "organization": audited.slug if audited else "no-such-organization"}
