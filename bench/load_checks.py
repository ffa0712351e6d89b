"""After a load run, in the database: no event holds more seats than it has, and the
open election has exactly one ballot per voting unit that voted, with tallies equal to
the ballots. Run in a subprocess with the site's settings; prints one JSON list."""

from __future__ import annotations

import json
import subprocess
import sys

CHECKS = r"""
import json, sys
import django
django.setup()
from django.db.models import Count, Q
from isoc.elections import models as em, services as es, tally
from isoc.events.models import Event, Registration

plan = json.loads(sys.argv[1])
out = []
events = Event.objects.annotate(held=Count("registrations", filter=Q(registrations__state__in=Registration.HOLDS_SEAT)))
over = [(e.slug, e.held, e.capacity) for e in events if e.held > e.capacity]
out.append({"check": "registrations <= capacity, every event", "ok": not over,
            "detail": f"{events.count()} events, oversold: {over or 'none'}"})
event = Event.objects.get(slug=plan["event"])
held, waiting = event.seats_taken(), event.waiting()
people = Registration.objects.filter(event=event).exclude(state=Registration.State.CANCELLED)
twice = people.values("person").annotate(n=Count("pk")).filter(n__gt=1).count()
out.append({"check": "the last-seats event", "ok": held <= event.capacity and twice == 0,
            "detail": f"{held} of {event.capacity} seats held, {waiting} waitlisted, {twice} people registered twice"})
election = em.Election.objects.get(slug=plan["election"])
contest = em.Contest.objects.get(pk=plan["contest"])
voted = list(em.RollEntry.objects.filter(contest=contest, participation__isnull=False))
ballots = list(em.Ballot.objects.filter(contest=contest))
tags = {b.replace_tag for b in ballots}
missing = sum(1 for r in voted if es.replace_tag(election, r) not in tags)
out.append({"check": "one ballot per voter", "ok": len(ballots) == len(voted) and missing == 0 and len(tags) == len(ballots),
            "detail": f"{len(voted)} units voted, {len(ballots)} ballots, {missing} voters without their ballot"})
candidates = [str(pk) for pk in es.candidates(contest).values_list("pk", flat=True)]
result = tally.plurality(candidates, contest.seats, [tally.Ballot(tuple(str(c) for c in b.choices), b.weight) for b in ballots], candidates)
votes = sum(result.counts.values())
expected = sum(len(b.choices) * b.weight for b in ballots)
out.append({"check": "tallies = ballots", "ok": result.ballots + result.invalid == len(ballots) and votes == expected,
            "detail": f"{result.ballots} valid + {result.invalid} invalid of {len(ballots)} ballots; {votes} votes counted, {expected} cast"})
print(json.dumps(out))
"""


def run(env: dict[str, str], plan: dict) -> list[dict]:
    wanted = {k: plan[k] for k in ("event", "election", "contest")}
    out = subprocess.run([sys.executable, "-c", CHECKS, json.dumps(wanted)], env=env, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])
