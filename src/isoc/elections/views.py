"""Election pages: the list, an election (calendar, candidates, forum, electorate), the
ballot, the results, the published ballots. Every rule lives in ``services``."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from isoc.elections import models as em
from isoc.elections import queries
from isoc.elections import services as es
from isoc.members.services import RuleViolation

STEP_LABELS = {
    "nominations_open": gettext_lazy("Call for nominations opens"),
    "nominations_close": gettext_lazy("Nominations close"),
    "cutoff": gettext_lazy("Electorate frozen (cut-off)"),
    "slate_published": gettext_lazy("Slate published"),
    "petitions_close": gettext_lazy("Petitions close; candidate forum opens"),
    "voting_opens": gettext_lazy("Voting opens"),
    "voting_closes": gettext_lazy("Voting closes"),
    "seating": gettext_lazy("New trustees seated"),
}


def index(request):
    return render(request, "elections/index.html", {
        "elections": queries.elections(),
        "terms": em.Term.objects.select_related("seat__electorate").order_by("seat__electorate__order", "seat__number",
                                                                            "-starts_at"),
    })


def _election(slug: str) -> em.Election:
    election = get_object_or_404(em.Election, slug=slug)
    if election.state == em.State.DRAFT:
        raise Http404
    return election


def election(request, slug: str):
    e = _election(slug)
    contests = list(queries.contests(e))
    rolls = {c.pk: queries.roll(c, closed=e.closed) for c in contests}
    steps = [(STEP_LABELS[k], when) for k, when in queries.calendar(e)]
    my_units = list(es.roll_entries_of(request.user, e)) if request.user.is_authenticated else []
    return render(request, "elections/election.html", {
        "election": e, "contests": [(c, rolls[c.pk]) for c in contests], "steps": steps, "my_units": my_units,
    })


@login_required
def ballot(request, slug: str):
    e = _election(slug)
    units = list(es.roll_entries_of(request.user, e))
    receipt = error = None
    done = None
    if request.method == "POST":
        try:
            roll = next((u for u in units if str(u.pk) == request.POST.get("roll")), None)
            if roll is None:
                raise RuleViolation(_("You are not on the roll of this election."), "roll")
            if e.method == em.Method.PLURALITY:
                choices = request.POST.getlist("choice")
            else:
                ranks = {}
                for c in es.candidates(roll.contest):
                    value = request.POST.get(f"rank-{c.pk}", "").strip()
                    if value:
                        if not value.isdigit():
                            raise RuleViolation(_("A rank is a whole number."), f"rank-{c.pk}")
                        ranks[c.pk] = int(value)
                if len(set(ranks.values())) != len(ranks):
                    raise RuleViolation(_("Give each candidate a different rank."), "choices")
                choices = sorted(ranks, key=ranks.get)
            receipt = es.cast_ballot(roll.contest, request.user, choices, unit=roll.unit)
            done = roll
        except RuleViolation as exc:
            error = exc.message
    forms = [(u, list(es.candidates(u.contest)), hasattr(u, "participation")) for u in units]
    response = render(request, "elections/ballot.html", {
        "election": e, "forms": forms, "receipt": receipt, "done": done, "error": error,
        "ranked": e.method != em.Method.PLURALITY,
    }, status=409 if error else 200)
    response["Cache-Control"] = "no-store"  # the receipt must not stay in a cache
    return response


def results(request, slug: str):
    e = _election(slug)
    approvals = list(e.approvals.select_related("person")) if request.user.is_staff else []
    return render(request, "elections/results.html", {
        "election": e, "results": queries.results(e), "approvals": approvals,
        "approved_by_me": any(a.person_id == request.user.pk for a in approvals),
    })


def ballots_json(request, slug: str):
    e = _election(slug)
    try:
        data = es.published_ballots(e)
    except RuleViolation:
        raise Http404 from None
    response = HttpResponse(json.dumps(data, indent=1), content_type="application/json")
    return response


@require_POST
@login_required
def certify(request, slug: str):
    e = _election(slug)
    from django.contrib import messages

    try:
        es.approve_certification(e, request.user)
        messages.success(request, _("Your approval is recorded."))
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("elections:results", slug=e.slug)
