"""Election pages: the list, an election (calendar, candidates, petitions, forum,
electorate, challenges), the ballot, the results, the published ballots, and the forms of
the public side: standing, supporting a petition, asking and answering in the forum,
challenging a result. Every rule lives in ``services``: a refusal comes back as a form
error with a 4xx status (400 for input the form rejects, 409 for a rule, 403 for someone
who may not), a success redirects with a message."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from isoc.elections import forms, queries
from isoc.elections import models as em
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
    contests = queries.with_support(list(queries.contests(e)))
    rolls = {c.pk: queries.roll(c, closed=e.closed) for c in contests}
    steps = [(STEP_LABELS[k], when) for k, when in queries.calendar(e)]
    signed_in = request.user.is_authenticated
    my_units = list(es.roll_entries_of(request.user, e)) if signed_in else []
    return render(request, "elections/election.html", {
        "election": e, "contests": [(c, rolls[c.pk]) for c in contests], "steps": steps, "my_units": my_units,
        "my_nominations": list(em.Nomination.objects.filter(contest__election=e, person=request.user).select_related(
            "contest__electorate")) if signed_in else [],
        "may_stand": es.nominations_open(e), "petitions_open": es.petitions_open(e), "forum_open": es.forum_open(e),
        "challenges_open": es.challenges_open(e), "challenges": list(queries.challenges(e)),
    })


def _refused(form, exc: RuleViolation) -> int:
    """Show a service's refusal on the field it names (else above the form); its status."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return 409


def _through_service(request, form, act: Callable[[dict], HttpResponse]) -> HttpResponse | int:
    """A form posted to a service: ``act(cleaned_data)`` calls the service and returns where
    to go on success. Otherwise the page's status: 200 (not posted), 400 (invalid input) or
    409 (the service refused; its reason is shown on the form)."""
    if request.method != "POST":
        return 200
    if not form.is_valid():
        return 400
    try:
        return act(form.cleaned_data)
    except RuleViolation as exc:
        return _refused(form, exc)


@login_required
def stand(request, slug: str):
    """Stand as a candidate: anyone signed in, membership not required."""
    e = _election(slug)
    user = request.user
    form = forms.NominationForm(request.POST if request.method == "POST" else None, election=e,
                                initial={"name": f"{user.first_name} {user.last_name}".strip(), "email": user.email})

    def act(data: dict) -> HttpResponse:
        nomination = es.nominate(data["contest"], name=data["name"], email=data["email"],
                                 statement=data["statement"], person=user)
        messages.success(request, _("Your nomination for the %(electorate)s seats is recorded. The slate is "
                                    "published after nominations close.")
                         % {"electorate": nomination.contest.electorate.name})
        return redirect(e.get_absolute_url())

    status = _through_service(request, form, act)
    if not isinstance(status, int):
        return status
    return render(request, "elections/stand.html", {"election": e, "form": form, "open": es.nominations_open(e)},
                  status=status)


def petitions(request, slug: str):
    """Petitions to join the slate with their support; voters of the electorate support them."""
    e = _election(slug)
    error, status = None, 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        pk = request.POST.get("nomination", "")
        nomination = em.Nomination.objects.filter(contest__election=e, pk=int(pk)).first() if pk.isdigit() else None
        try:
            if nomination is None:
                raise RuleViolation(_("Choose a petition to support."), "nomination")
            es.sign_petition(nomination, request.user)
        except RuleViolation as exc:
            error, status = exc.message, 409
        else:
            messages.success(request, _("You support the petition of %(name)s.") % {"name": nomination.name})
            return redirect("elections:petitions", slug=e.slug)
    return render(request, "elections/petitions.html", {
        "election": e, "contests": queries.petitions(e, request.user), "open": es.petitions_open(e), "error": error,
    }, status=status)


def _nominee(e: em.Election, pk: int) -> em.Nomination:
    return get_object_or_404(em.Nomination.objects.select_related("contest__electorate"), pk=pk,
                             contest__election=e, status__in=queries.SHOWN)


@login_required
def ask(request, slug: str, pk: int):
    """Ask a candidate a question in the forum."""
    e = _election(slug)
    nomination = _nominee(e, pk)
    form = forms.QuestionForm(request.POST if request.method == "POST" else None)

    def act(data: dict) -> HttpResponse:
        es.ask_question(nomination, request.user, data["question"])
        messages.success(request, _("Your question to %(name)s is published; the answer will appear under "
                                    "it.") % {"name": nomination.name})
        return redirect(f"{e.get_absolute_url()}#candidate-{nomination.pk}")

    status = _through_service(request, form, act)
    if not isinstance(status, int):
        return status
    return render(request, "elections/ask.html", {
        "election": e, "nomination": nomination, "questions": nomination.questions.all(), "form": form,
        "open": es.forum_open(e) and nomination.status == em.Nomination.Status.CANDIDATE,
    }, status=status)


@login_required
def answer(request, slug: str, pk: int):
    """The candidate answers a question put to them."""
    e = _election(slug)
    post = get_object_or_404(em.ForumPost.objects.select_related("nomination__contest__electorate"), pk=pk,
                             nomination__contest__election=e)
    mine = post.nomination.person_id == request.user.pk
    form = forms.AnswerForm(request.POST if request.method == "POST" else None)

    def act(data: dict) -> HttpResponse:
        es.answer_question(post, request.user, data["answer"])
        messages.success(request, _("Your answer is published."))
        return redirect(f"{e.get_absolute_url()}#candidate-{post.nomination_id}")

    status = _through_service(request, form, act)
    if not isinstance(status, int):
        return status
    if not mine:
        status = 403  # whatever else is wrong, this is the refusal that matters
    return render(request, "elections/answer.html", {
        "election": e, "post": post, "form": form, "mine": mine, "open": es.forum_open(e) and not post.answer,
    }, status=status)


@login_required
def challenge(request, slug: str):
    """Challenge a certified result during the challenge period."""
    e = _election(slug)
    form = forms.ChallengeForm(request.POST if request.method == "POST" else None)

    def act(data: dict) -> HttpResponse:
        es.file_challenge(e, request.user, data["grounds"])
        messages.success(request, _("Your challenge is filed. Trustees are not seated until staff decide "
                                    "it; the decision and its reasons are published here."))
        return redirect(f"{e.get_absolute_url()}#challenges")

    status = _through_service(request, form, act)
    if not isinstance(status, int):
        return status
    return render(request, "elections/challenge.html", {
        "election": e, "form": form, "open": es.challenges_open(e), "challenges": list(queries.challenges(e)),
    }, status=status)


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
        "challenges": list(queries.challenges(e)), "challenges_open": es.challenges_open(e),
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
    try:
        es.approve_certification(e, request.user)
        messages.success(request, _("Your approval is recorded."))
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("elections:results", slug=e.slug)
