"""Demo data for the load benchmark (``bench/load.py``), all labelled demo: a million
people with active memberships written in bulk, a year of shutdown signals, an event
with a few seats left and an open election with a voter roll, plus signed-in sessions
for the people who register and vote during the run.

    DJANGO_SETTINGS_MODULE=isoc.site.settings python bench/load_data.py --people 1000000 --out plan.json

It runs after ``isoc migrate`` and ``isoc demo`` (which make the chapters, events,
elections and the Pulse data the pages show) and adds the bulk on top. The people are
written with PostgreSQL's ``COPY`` (``executemany`` on SQLite): the services take row
locks and write history per person, far too slow for a million. Every row written here is
what those services would write for a person who joined once with a global (free)
membership: one person, one membership, one open-ended term.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import string
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django

BULK_DOMAIN = "load.demo.isoc.example"
PASSWORD = "load-demo-password"  # every bulk person signs in with it (demo data only)
EVENT_SLUG = "load-demo-last-seats"
BATCH = 50_000
FIRST = ("Ada", "Kwame", "Mei", "Olu", "Priya", "Lars", "Amara", "Diego", "Yuki", "Fatima", "Ivan", "Zara", "Tomas",
         "Nia", "Rahul", "Sofia", "Kofi", "Elena", "Omar", "Leila")
LAST = ("Okafor", "Tanaka", "Silva", "Novak", "Haddad", "Kim", "Mensah", "Garcia", "Ivanova", "Khan", "Larsen",
        "Moreau", "Nguyen", "Osei", "Petrov", "Quispe", "Rossi", "Sato", "Tamm", "Usman")


def _rows(model, values: list[dict], connection) -> tuple[list[str], list[tuple]]:
    """Columns and rows for ``model``: every concrete column, the field's default where
    ``values`` says nothing (the database has no defaults of its own under Django)."""
    fields = [f for f in model._meta.concrete_fields]
    columns = [f.column for f in fields]
    rows = []
    for v in values:
        row = []
        for f in fields:
            value = v[f.attname] if f.attname in v else f.get_default()
            row.append(f.get_db_prep_save(value, connection))
        rows.append(tuple(row))
    return columns, rows


def _write(model, values: list[dict]) -> None:
    from django.db import connection

    columns, rows = _rows(model, values, connection)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(f'"{c}"' for c in columns)
            with cursor.cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows)


def _reset_sequence(model) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def bulk_people(count: int, seed: int) -> dict:
    """``count`` people, each with an active global membership since a day in the past
    three years; 40 % listed in the directory (half of those showing their country)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from isoc.members import models as m
    from isoc.members.demo import COUNTRIES

    rng = random.Random(seed)
    codes = [c for c, _w, _l in COUNTRIES]
    weights = [w for _c, w, _l in COUNTRIES]
    password = make_password(PASSWORD)  # one hash for all: hashing a million would take hours
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    started = time.monotonic()
    with transaction.atomic():
        if m.Person.objects.filter(email__endswith="@" + BULK_DOMAIN).exists():
            raise SystemExit("bulk load people exist already: use a fresh database (or --skip-bulk)")
        person_id, membership_id, term_id = _next_id(m.Person), _next_id(m.IndividualMembership), _next_id(m.MembershipTerm)
        for start in range(0, count, BATCH):
            n = min(BATCH, count - start)
            people, memberships, terms = [], [], []
            for i in range(start, start + n):
                joined = now - timedelta(days=rng.randint(1, 3 * 365), seconds=rng.randint(0, 86399))
                listed = rng.random() < 0.4
                pid, mid = person_id + i, membership_id + i
                people.append({
                    "id": pid, "email": f"load{i}@{BULK_DOMAIN}", "password": password,
                    "first_name": rng.choice(FIRST), "last_name": f"{rng.choice(LAST)}{i % 997}",
                    "country": rng.choices(codes, weights)[0], "directory_listed": listed,
                    "show_country": listed and rng.random() < 0.5, "date_joined": joined, "is_demo": True,
                })
                memberships.append({"id": mid, "person_id": pid, "created_at": joined, "is_demo": True})
                terms.append({"id": term_id + i, "membership_id": mid, "category": "global", "starts_at": joined,
                              "created_at": joined})
            _write(m.Person, people)
            _write(m.IndividualMembership, memberships)
            _write(m.MembershipTerm, terms)
            print(f"  {start + n:,} people", flush=True)
        for model in (m.Person, m.IndividualMembership, m.MembershipTerm):
            _reset_sequence(model)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"people": count, "people_seconds": round(time.monotonic() - started, 1), "first_person_id": person_id}


def year_of_signals(seed: int) -> dict:
    from isoc.shutdowns.demo_signals import DEFAULT_COUNTRIES, generate_demo_signals

    started = time.monotonic()
    done = generate_demo_signals(countries=DEFAULT_COUNTRIES, days=365, seed=seed)
    return {"signals": done["signals"], "signal_points": done["points"],
            "signals_seconds": round(time.monotonic() - started, 1)}


def last_seats_event(capacity: int):
    """A free event open to everyone, with ``capacity`` seats and nobody registered yet."""
    from django.utils import timezone

    from isoc.events.models import Event

    now = timezone.now()
    return Event.objects.create(  # a new one per run, so every run starts with all seats free
        slug=f"{EVENT_SLUG}-{now:%Y%m%d%H%M%S}", title="Last seats (load demo)", summary="Generated for the load benchmark.",
        description="Generated demo data: this event does not exist.", starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=3), capacity=capacity, members_open_at=now - timedelta(days=2),
        public_open_at=now - timedelta(days=1), closes_at=now + timedelta(days=30), is_demo=True)


def voter_roll(voters: list) -> tuple[object, object]:
    """Put ``voters`` on the roll of the demo election that has voting open, in its first
    contest with candidates (as sustaining members at the cut-off would be)."""
    from isoc.elections import models as em
    from isoc.elections import services as es
    from isoc.elections.demo import IN_PROGRESS

    election = em.Election.objects.get(slug=IN_PROGRESS)
    contest = next(c for c in election.contests.order_by("pk") if es.candidates(c).exists())
    em.RollEntry.objects.bulk_create(
        [em.RollEntry(contest=contest, unit=f"person:{p.pk}", label=p.display_name, weight=1, voter=p) for p in voters],
        batch_size=5000, ignore_conflicts=True)
    return election, contest


def sessions(people: list) -> list[str]:
    """Signed-in sessions as ``login()`` makes them (session key, user id, backend, hash)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    store = SessionStore()
    expire = datetime.now(UTC) + timedelta(days=1)
    rows, keys = [], []
    for p in people:
        key = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(32))
        data = {SESSION_KEY: str(p.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: p.get_session_auth_hash()}
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=5000)
    return keys


def plan(args: argparse.Namespace) -> dict:
    """Everything the run needs: who registers, who votes (with their roll entry), who
    signs in, and where."""
    from isoc.elections import services as es
    from isoc.members import models as m

    bulk = list(m.Person.objects.filter(email__endswith="@" + BULK_DOMAIN).order_by("pk")[: args.registrants + args.voters])
    registrants, voters = bulk[: args.registrants], bulk[args.registrants:]
    event = last_seats_event(args.seats)
    election, contest = voter_roll(voters)
    rolls = dict(contest.roll.filter(voter__in=voters).values_list("voter_id", "pk"))
    candidates = list(es.candidates(contest).values_list("pk", flat=True))
    return {
        "event": event.slug, "capacity": event.capacity, "election": election.slug, "contest": contest.pk,
        "candidates": candidates, "registrants": sessions(registrants),
        "voters": [[key, rolls[p.pk]] for key, p in zip(sessions(voters), voters, strict=True)],
        "logins": [p.email for p in bulk[: 2000]], "password": PASSWORD,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--seats", type=int, default=50, help="seats of the last-seats event")
    parser.add_argument("--registrants", type=int, default=2000, help="signed-in members who try to register")
    parser.add_argument("--voters", type=int, default=2000, help="members put on the open election's roll")
    parser.add_argument("--skip-bulk", action="store_true", help="people and signals exist: only make the plan")
    parser.add_argument("--out", type=Path, required=True, help="where to write the plan (JSON)")
    args = parser.parse_args(argv)
    django.setup()
    report: dict = {}
    if not args.skip_bulk:
        report |= bulk_people(args.people, args.seed)
        report |= year_of_signals(args.seed)
    report["plan"] = plan(args)
    args.out.write_text(json.dumps(report))
    print(json.dumps({k: v for k, v in report.items() if k != "plan"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
