"""The last seats and ballots under concurrent HTTP requests to a served site: gunicorn
with two worker processes on the test database, real sockets, the HTML forms with their
CSRF token and session cookie, requests released at the same instant from threads. The
tests in tests/events and tests/elections race the services inside one process; here the
requests cross processes (each worker its own connections), as under the load benchmark.
Nothing may be oversold or double-counted."""

from __future__ import annotations

import os
import re
import secrets
import socket
import string
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("perf")]
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "elections"))
CSRF = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{urllib.parse.quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def served(threaded_db, tmp_path):
    """gunicorn (2 workers x 2 threads) on the test database; its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOC_") and k != "DATABASE_URL"}
    env.update(ISOC_DATA_DIR=str(tmp_path / "site"), ISOC_DEBUG="1", DATABASE_URL=_database_url(),
               DJANGO_SECRET_KEY=settings.SECRET_KEY, CELERY_BROKER_URL="",
               PYTHONPATH=os.pathsep.join(p for p in sys.path if p.endswith("src")) or env.get("PYTHONPATH", ""))
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "isoc.site.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "2", "--worker-class", "gthread"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the served site did not start:\n" + (tmp_path / "server.log").read_text())
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(server.pid, 15)  # the server and its workers, started here
        server.wait(timeout=30)
        log.close()


def session_of(person) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(person.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.save()
    return session.session_key


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, session: str, form: dict) -> tuple[int, str]:
    body = urllib.parse.urlencode(form | {"csrfmiddlewaretoken": CSRF}, doseq=True).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Cookie": f"sessionid={session}; csrftoken={CSRF}", "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def at_once(calls) -> list:
    """Run the calls in threads released together; what each returned (or raised)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_the_last_seats_are_never_oversold_across_worker_processes(served, make_person):
    from isoc.events.models import Event, Registration

    now = datetime.now(UTC)
    event = Event.objects.create(
        slug="last-seats", title="Last seats", starts_at=now + timedelta(days=30), ends_at=now + timedelta(days=30, hours=2),
        capacity=3, members_open_at=now - timedelta(days=2), public_open_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30))
    people = [make_person(f"seat{i}@example.net") for i in range(10)]
    sessions = [session_of(p) for p in people]
    url = f"{served}/events/{event.slug}/register/"
    results = at_once([lambda s=s: post(url, s, {}) for s in sessions])
    assert [r[0] if isinstance(r, tuple) else r for r in results] == [302] * len(people)
    states = sorted(Registration.objects.filter(event=event).values_list("state", flat=True))
    assert states == ["confirmed"] * 3 + ["waitlisted"] * 7
    assert Registration.objects.filter(event=event).values("person").distinct().count() == len(people)


def test_concurrent_ballots_count_once_per_voter_across_worker_processes(served, new_voter, staff, clock):
    from election_helpers import T0, make_community, run_until

    from isoc.elections import models as em
    from isoc.elections import services as es
    from isoc.elections import tally
    from isoc.elections.seed import seed

    seed()  # the electorates and seats (a transactional test starts from an empty database)
    community = make_community(new_voter, staff, clock)
    election = es.create_election(slug="served-race", title="Served race", nominations_open=T0, actor=staff)
    run_until(election, "voting", staff, clock)
    now = datetime.now(UTC)  # the served site runs on the real clock
    em.Election.objects.filter(pk=election.pk).update(voting_opens=now - timedelta(hours=1),
                                                      voting_closes=now + timedelta(days=1))
    voters = community.delegates + community.representatives + community.sustaining
    calls = []
    for person in voters:
        session = session_of(person)
        for roll in em.RollEntry.objects.filter(contest__election=election, voter=person):
            ids = list(es.candidates(roll.contest).values_list("pk", flat=True))
            # Each voter submits twice at the same instant: the second replaces the first.
            for choice in (ids[0], ids[1 % len(ids)]):
                calls.append(lambda s=session, r=roll, c=choice: post(
                    f"{served}/elections/{election.slug}/ballot/", s, {"roll": r.pk, "choice": [c]}))
    results = at_once(calls)
    assert [r[0] if isinstance(r, tuple) else r for r in results] == [200] * len(calls)
    assert all(re.search(r'id="receipt">[A-Z0-9-]+<', r[1]) for r in results)
    units = em.RollEntry.objects.filter(contest__election=election, participation__isnull=False)
    assert units.count() == len(calls) // 2
    for contest in election.contests.all():
        ballots = list(em.Ballot.objects.filter(contest=contest))
        voted = [r for r in units if r.contest_id == contest.pk]
        assert len(ballots) == len(voted)  # exactly one ballot per voting unit
        assert {b.replace_tag for b in ballots} == {es.replace_tag(election, r) for r in voted}
        assert all(em.Participation.objects.get(roll=r).submissions == 2 for r in voted)
        candidates = [str(pk) for pk in es.candidates(contest).values_list("pk", flat=True)]
        result = tally.plurality(candidates, contest.seats,
                                 [tally.Ballot(tuple(str(c) for c in b.choices), b.weight) for b in ballots], candidates)
        assert result.ballots == len(ballots) and result.weight == sum(b.weight for b in ballots)
        assert sum(result.counts.values()) == sum(len(b.choices) * b.weight for b in ballots)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch):
    from election_helpers import Clock

    return Clock(monkeypatch)


@pytest.fixture
def new_voter(make_person):
    counter = iter(range(10_000))

    def make(**fields):
        return make_person(f"served-voter{next(counter)}@example.net", **fields)

    return make


@pytest.fixture
def make_person(request):
    return request.config.pluginmanager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py")).make_person
