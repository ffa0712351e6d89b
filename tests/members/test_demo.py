"""Demo data: reproducible, every membership state, coherent with the services, a
gapless ledger, idempotent, and removable without harming real data."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress

from isoc.members import demo, services
from isoc.members.models import (
    DocumentSequence,
    IndividualMembership,
    Invoice,
    MembershipEvent,
    Organization,
    OrganizationTier,
    Payment,
    Person,
)
from isoc.members.numbering import parse_number

PEOPLE, ORGANIZATIONS = 300, 20


def _people_facts() -> list[tuple]:
    """What a visitor would notice of each demo person, in email order."""
    rows = []
    for person in Person.objects.filter(is_demo=True).prefetch_related("memberships__terms").order_by("email"):
        latest = max(person.memberships.all(), key=lambda ms: ms.created_at, default=None)
        standing = latest.standing() if latest else None
        rows.append((person.email, person.first_name, person.last_name, person.country, person.directory_listed,
                     standing.status if standing else None, standing.category if standing else None))
    return rows


def _org_facts() -> list[tuple]:
    return [(o.legal_name, o.slug, o.country, o.tier.slug, (o.standing().status if o.standing() else None))
            for o in Organization.objects.filter(is_demo=True).select_related("tier").order_by("legal_name")]


def test_the_same_seed_gives_the_same_people_memberships_and_organizations(db):
    demo.generate(people=PEOPLE, organizations=ORGANIZATIONS, seed=7)
    first = _people_facts(), _org_facts()
    demo.generate(people=PEOPLE, organizations=ORGANIZATIONS, seed=7, reset=True)
    assert (_people_facts(), _org_facts()) == first
    assert len(first[0]) == PEOPLE and len(first[1]) == ORGANIZATIONS

    demo.generate(people=PEOPLE, organizations=ORGANIZATIONS, seed=8, reset=True)
    assert [row[0] for row in _people_facts()] != [row[0] for row in first[0]]


def test_every_membership_state_and_every_tier_is_present(db):
    report = demo.generate(people=PEOPLE, organizations=ORGANIZATIONS, seed=1)
    found = Counter()
    for ms in IndividualMembership.objects.filter(is_demo=True).prefetch_related("terms"):
        standing = ms.standing()
        closed = "closed" if ms.closed_at else "open"
        found[(standing.status, standing.category or "", closed)] += 1
        if ms.terms.all() and any(t.invoice_id and not t.starts_at and not t.voided_at for t in ms.terms.all()):
            found[("awaiting payment", standing.status, closed)] += 1
    for state in [
        ("pending", "", "open"),
        ("active", "global", "open"),
        ("active", "sustaining", "open"),
        ("lapsed", "", "closed"),  # closed by the nightly lapse job
        ("lapsed", "", "open"),  # the paid year ended since the job last ran
        ("cancelled", "", "closed"),
        ("awaiting payment", "active", "open"),  # a renewal or an upgrade not yet paid
    ]:
        assert found[state], f"no demo membership is {state}; found {dict(found)}"
    kinds = set(MembershipEvent.objects.filter(membership__is_demo=True).values_list("kind", flat=True))
    assert {"joined", "paid", "renewal_invoiced", "upgrade_invoiced", "downgraded", "cancelled", "lapsed"} <= kinds
    assert report.statuses["pending"] and report.statuses["lapsed"] and report.statuses["cancelled"]

    orgs = list(Organization.objects.filter(is_demo=True).select_related("tier"))
    active = [o for o in orgs if o.standing().status == "active"]
    assert {o.tier.slug for o in active} == set(OrganizationTier.objects.values_list("slug", flat=True))
    assert len(active) > len(orgs) / 2
    assert any(o.standing().status == "pending" for o in orgs)
    assert all(o.organizationcontact_set.filter(person__is_demo=True).exists() for o in orgs)


def test_everything_is_marked_demo_and_the_people_can_sign_in(db):
    report = demo.generate(people=PEOPLE, organizations=ORGANIZATIONS, seed=3)
    people = Person.objects.filter(is_demo=True)
    assert people.count() == PEOPLE == Person.objects.count()
    assert all(email.endswith(f"@{demo.DEMO_DOMAIN}") for email in people.values_list("email", flat=True))
    assert not IndividualMembership.objects.filter(is_demo=False).exists()
    assert not Invoice.objects.filter(is_demo=False).exists()
    assert not Payment.objects.filter(is_demo=False).exists()
    assert not Organization.objects.filter(is_demo=False).exists()
    assert EmailAddress.objects.filter(user__is_demo=True, verified=True, primary=True).count() == PEOPLE
    assert people.filter(groups__name="member").count() == PEOPLE
    assert people.values("password").distinct().count() == 1  # hashed once
    assert people.first().check_password(report.password)
    listed = people.filter(directory_listed=True)
    assert 0 < listed.count() < PEOPLE
    assert listed.filter(show_country=True).exists() and listed.filter(show_country=False).exists()
    assert len({p.country for p in people}) > 20


def test_document_numbers_are_gapless_in_date_order_and_match_the_sequences(db, make_person, ledger_ok,
                                                                            memberships_ok):
    demo.generate(people=PEOPLE, organizations=ORGANIZATIONS, seed=4)
    ledger_ok()
    memberships_ok()
    for model, date in ((Invoice, "issued_at"), (Payment, "received_at"), (demo.m.CreditNote, "issued_at")):
        by_year: dict[tuple[str, int], list[tuple[int, object]]] = {}
        for number, at in model.objects.values_list("number", date):
            series, year, seq = parse_number(number)
            assert year == at.year
            by_year.setdefault((series, year), []).append((seq, at))
        assert by_year, model
        for (series, year), docs in by_year.items():
            docs.sort()
            assert [seq for seq, _at in docs] == list(range(1, len(docs) + 1)), (series, year)
            assert [at for _seq, at in docs] == sorted(at for _seq, at in docs), (series, year)
            assert DocumentSequence.objects.get(series=series, year=year).last == len(docs)
    # The next real invoice continues the sequence.
    person = make_person("real@example.org")
    services.join(person, "sustaining")
    number = person.invoices.get().number
    _series, year, seq = parse_number(number)
    assert seq == Invoice.objects.filter(number__startswith=f"INV-{year}-").count()


def test_a_second_run_does_nothing_and_says_so(db):
    demo.generate(people=50, organizations=5, seed=5)
    before = Person.objects.count(), Invoice.objects.count(), DocumentSequence.objects.order_by("pk").values_list("last")
    before = before[0], before[1], list(before[2])
    report = demo.generate(people=50, organizations=5, seed=5)
    assert not report.created
    assert "already exists" in str(report)
    assert (Person.objects.count(), Invoice.objects.count(),
            list(DocumentSequence.objects.order_by("pk").values_list("last"))) == before


def test_reset_replaces_demo_data_and_keeps_real_data(db, make_person):
    real = make_person("real@example.org")
    services.join(real, "sustaining")  # INV-<year>-000001, before the demo's invoices
    real_invoice = real.invoices.get()
    demo.generate(people=80, organizations=6, seed=6)
    report = demo.generate(people=40, organizations=4, seed=9, reset=True)
    assert report.deleted["people"] == 80
    assert Person.objects.filter(is_demo=True).count() == 40
    assert Organization.objects.count() == 4
    assert Invoice.objects.filter(pk=real_invoice.pk).exists()
    assert real.current_membership().status() == "pending"

    deleted = demo.delete_demo()
    assert deleted["invoices"] > 0
    assert list(Person.objects.values_list("email", flat=True)) == ["real@example.org"]
    assert list(Invoice.objects.values_list("number", flat=True)) == [real_invoice.number]
    year = real_invoice.issued_at.year
    assert DocumentSequence.objects.get(series="INV", year=year).last == 1
    assert not DocumentSequence.objects.filter(series="PAY").exists()


def test_reset_refuses_to_leave_gaps_after_real_invoices(db, make_person):
    demo.generate(people=30, organizations=3, seed=2)
    real = make_person("real@example.org")
    services.join(real, "sustaining")  # numbered after the demo's invoices this year
    people = Person.objects.count()
    with pytest.raises(demo.DemoError, match="gaps"):
        demo.generate(people=30, organizations=3, seed=2, reset=True)
    assert Person.objects.count() == people


def test_progress_is_reported_for_every_person_and_organization(db):
    seen: list[int] = []
    demo.generate(people=PEOPLE, organizations=ORGANIZATIONS, seed=1, progress=seen.append)
    assert sum(seen) == PEOPLE + ORGANIZATIONS


# --- the demo's history is what the services write ------------------------------------


def _invoice_facts(invoice: Invoice | None) -> tuple | None:
    if invoice is None:
        return None
    return (
        invoice.number, invoice.description, invoice.amount, invoice.currency, invoice.issued_at, invoice.due_on,
        [(p.number, p.amount, p.received_at, p.reference) for p in invoice.payments.order_by("number")],
        [(c.number, c.amount, c.issued_at, c.reason, c.issued_by.email if c.issued_by else None)
         for c in invoice.credit_notes.order_by("number")],
    )


def _histories() -> tuple[dict, dict]:
    people = {}
    for person in Person.objects.order_by("email"):
        people[person.email] = [
            (ms.created_at, ms.cancelled_at, ms.closed_at,
             [(t.category, t.starts_at, t.ends_at, t.created_at, t.voided_at, _invoice_facts(t.invoice),
               sorted(t.reminders.values_list("days_before", flat=True))) for t in ms.terms.order_by("created_at", "id")],
             [(e.kind, e.actor.email if e.actor else None, e.from_status, e.to_status, e.note)
              for e in ms.events.order_by("id")])
            for ms in person.memberships.order_by("created_at")
        ]
    orgs = {}
    for org in Organization.objects.order_by("legal_name"):
        orgs[org.legal_name] = (
            org.slug, org.country, org.website, org.created_at, org.tier.slug,
            sorted(org.contacts.values_list("email", flat=True)),
            [(t.tier.slug, t.starts_at, t.ends_at, t.created_at, t.voided_at, _invoice_facts(t.invoice))
             for t in org.terms.order_by("created_at", "id")],
            [(e.kind, e.actor.email if e.actor else None, e.note) for e in org.events.order_by("id")],
        )
    return people, orgs


def _replay(planned, orgs) -> None:
    """Run every planned step through the services, in date order, with the clock set to
    the step's date; the nightly job runs on each night any person's plan needed it."""
    people = {p.index: Person.objects.create(email=p.email, first_name=p.first_name, last_name=p.last_name,
                                             password="!") for p in planned}
    tiers = {t.slug: t for t in OrganizationTier.objects.all()}
    made: dict[int, Organization] = {}
    steps = sorted(
        [(at, 0, p.index, i, kind, arg) for p in planned for i, (kind, at, arg) in enumerate(p.member.steps)]
        + [(at, 1, o.index, i, kind, arg) for o in orgs for i, (kind, at, arg) in enumerate(o.steps)]
    )
    nights = set()
    for at, is_org, index, _i, kind, arg in steps:
        with mock.patch("django.utils.timezone.now", return_value=at):
            if kind == "nightly":
                if at not in nights:
                    services.lapse_due(at=at)
                    nights.add(at)
            elif is_org:
                _org_step(orgs[index], made, people, tiers, kind, at, arg)
            else:
                _person_step(people[index], kind, at, arg)


def _person_step(person: Person, kind: str, at, arg: str) -> None:
    if kind == "join":
        services.join(person, arg, actor=person, at=at)
    elif kind == "pay":
        term = person.current_membership().pending_terms().select_related("invoice").first()
        services.record_payment(term.invoice, amount=term.invoice.balance(), reference=arg, received_at=at)
    else:
        getattr(services, kind)(person.current_membership(), actor=person)


def _org_step(plan, made: dict, people: dict, tiers: dict, kind: str, at, arg: str) -> None:
    contact = people[plan.contact]
    if kind == "join":
        made[plan.index] = services.join_organization(
            contact, legal_name=plan.legal_name, country=plan.country, tier=tiers[arg], website=plan.website,
            description=plan.description, at=at)
    elif kind == "pay":
        term = made[plan.index].terms.filter(starts_at__isnull=True).select_related("invoice").get()
        services.record_payment(term.invoice, amount=term.invoice.balance(), reference=arg, received_at=at)
    else:
        services.renew_organization(made[plan.index], tier=tiers[arg], actor=contact)


def test_the_history_is_exactly_what_the_services_would_have_written(db):
    people, orgs, seed = 60, 10, 11
    demo.generate(people=people, organizations=orgs, seed=seed)
    written = _histories()
    assert sum(len(h) for h in written[0].values()) > 40  # memberships to compare

    demo.delete_demo()
    planned, planned_orgs, _ledger = demo.plan(people, orgs, seed, demo.day_start())
    _replay(planned, planned_orgs)
    replayed = _histories()

    for email, history in written[0].items():
        assert replayed[0][email] == history, email
    assert replayed == written


def test_the_nightly_job_finds_nothing_left_to_do_at_its_last_run(db):
    demo.generate(people=PEOPLE, organizations=ORGANIZATIONS, seed=12)
    last_run = demo.day_start() - timedelta(days=1) + timedelta(hours=demo.LAPSE_JOB_HOUR)
    report = services.lapse_due(at=last_run, commit=False)
    assert (report.lapsed, report.reminders) == ([], [])
    # ...but it has work once the day's paid years have ended.
    assert services.lapse_due(commit=False).lapsed
