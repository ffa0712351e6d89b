"""The public side of an election in pages: standing as a candidate, supporting a
petition, asking and answering in the candidate forum, challenging a result; and the
same facts in the read API. Each form: the happy path, every refusal shown as an error
with a 4xx status (never a 500), visitors sent to sign in, the CSRF token, the wrong
stage."""

from __future__ import annotations

import pytest
from django.test import Client
from election_helpers import run_until

from isoc.elections import models as em
from isoc.elections import services as es


def url(election, page: str = "") -> str:
    return f"/elections/{election.slug}/{page}"


def signed_in(client, person):
    client.force_login(person)  # after the clock is set, or the session has already expired
    return client


def assert_sent_to_sign_in(response):
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def assert_csrf_protected(path: str, person, data: dict):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    assert strict.post(path, data).status_code == 403


# --- standing as a candidate -------------------------------------------------------------


@pytest.fixture
def nominations(election, staff, clock):
    return run_until(election, "nominations", staff, clock)


def test_the_election_page_offers_standing_only_while_nominations_are_open(client, nominations, person, clock):
    page = signed_in(client, person).get(url(nominations)).content.decode()
    assert "Stand for election" in page and "0 nominations received so far" in page
    clock.set(nominations.nominations_close)
    assert "Stand for election" not in signed_in(client, person).get(url(nominations)).content.decode()


def test_a_visitor_is_sent_to_sign_in_to_stand(client, nominations):
    assert_sent_to_sign_in(client.get(url(nominations, "stand/")))
    assert_sent_to_sign_in(client.post(url(nominations, "stand/"), {"name": "X"}))
    assert not em.Nomination.objects.exists()


def test_someone_signed_in_stands_with_the_form_prefilled_from_their_account(client, nominations, new_person):
    person = new_person(first_name="Ada", last_name="Lovelace")  # not a member: anyone may stand
    signed_in(client, person)
    form = client.get(url(nominations, "stand/"))
    body = form.content.decode()
    assert form.status_code == 200 and "csrfmiddlewaretoken" in body
    assert 'value="Ada Lovelace"' in body and f'value="{person.email}"' in body
    assert "Sustaining members" in body and "Organization members" in body
    contest = nominations.contests.get(electorate__slug="sustaining")
    done = client.post(url(nominations, "stand/"), {"contest": contest.pk, "name": "Ada Lovelace",
                                                    "email": person.email, "statement": "Engines for all."},
                       follow=True)
    assert done.redirect_chain[-1][0] == url(nominations)
    page = done.content.decode()
    assert "Your nomination for the Sustaining members seats is recorded" in page
    assert "You stand for the Sustaining members seats: Nominated." in page
    assert "1 nomination received so far" in page
    nomination = em.Nomination.objects.get()
    assert (nomination.person, nomination.contest, nomination.statement) == (person, contest, "Engines for all.")


def test_standing_twice_is_refused_as_a_form_error(client, nominations, person):
    contest = nominations.contests.get(electorate__slug="chapters")
    data = {"contest": contest.pk, "name": "Pat", "email": "pat@example.com", "statement": ""}
    signed_in(client, person).post(url(nominations, "stand/"), data)
    again = client.post(url(nominations, "stand/"), data)
    assert again.status_code == 409 and "You already stand in this contest." in again.content.decode()
    other = client.post(url(nominations, "stand/"), {**data, "email": "other@example.com"})
    assert other.status_code == 409
    assert em.Nomination.objects.count() == 1


def test_a_form_with_bad_input_is_a_400_and_stores_nothing(client, nominations, person):
    signed_in(client, person)
    response = client.post(url(nominations, "stand/"), {"contest": 999999, "name": "", "email": "not an address"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"contest", "name", "email"} <= set(errors)
    long = client.post(url(nominations, "stand/"), {"contest": nominations.contests.first().pk, "name": "L",
                                                    "email": "l@example.com", "statement": "x" * 5001})
    assert long.status_code == 400 and "statement" in long.context["form"].errors
    assert not em.Nomination.objects.exists()


def test_standing_outside_nominations_is_refused(client, election, community, staff, clock, person):
    run_until(election, "slate", staff, clock)
    signed_in(client, person)
    page = client.get(url(election, "stand/"))
    assert page.status_code == 200 and "Nominations are not open" in page.content.decode()
    refused = client.post(url(election, "stand/"), {"contest": election.contests.first().pk, "name": "Late",
                                                    "email": "late@example.com"})
    assert refused.status_code == 409 and "Cannot stand" in refused.content.decode()
    assert not em.Nomination.objects.filter(email="late@example.com").exists()


def test_standing_is_csrf_protected(nominations, person):
    assert_csrf_protected(url(nominations, "stand/"), person, {"contest": nominations.contests.first().pk,
                                                               "name": "Pat", "email": "pat@example.com"})
    assert not em.Nomination.objects.exists()


# --- petitions ------------------------------------------------------------------------------


@pytest.fixture
def petitioning(election, community, staff, clock):
    """Organization members need 2 supporters; "Rep Three" (a representative) and "Weak"
    petition, "Slated" is on the slate."""
    em.Electorate.objects.filter(slug="organizations").update(petition_threshold=2)
    run_until(election, "nominations", staff, clock)
    c = election.contests.get(electorate__slug="organizations")
    names = {}
    names["own"] = es.nominate(c, name="Rep Three", email="rep3@example.com", person=community.representatives[2])
    names["weak"] = es.nominate(c, name="Weak", email="weak@example.com")
    names["slate"] = es.nominate(c, name="Slated", email="slated@example.com")
    clock.set(election.nominations_close)
    es.close_nominations(election, staff)
    es.publish_slate(election, [names["slate"]], staff)
    return election, names


def test_petitions_show_distinct_support_against_the_threshold(client, petitioning, community):
    election, n = petitioning
    es.sign_petition(n["own"], community.representatives[0])
    page = client.get(url(election, "petitions/")).content.decode()
    assert "Rep Three" in page and "Weak" in page and "Slated" not in page
    assert "1 of 2" in page and "0 of 2" in page and "2 supporters needed" in page
    assert "Sign in to support a petition" in page
    election_page = client.get(url(election)).content.decode()
    assert "Petition: 1 of 2 supporters needed." in election_page


def test_a_visitor_is_sent_to_sign_in_to_support(client, petitioning):
    election, n = petitioning
    assert_sent_to_sign_in(client.post(url(election, "petitions/"), {"nomination": n["weak"].pk}))
    assert not em.PetitionSignature.objects.exists()


def test_a_voter_supports_a_petition_once(client, petitioning, community):
    election, n = petitioning
    signed_in(client, community.representatives[0])
    form = client.get(url(election, "petitions/")).content.decode()
    assert "csrfmiddlewaretoken" in form and "Support the petition of Weak" in form
    done = client.post(url(election, "petitions/"), {"nomination": n["weak"].pk}, follow=True)
    page = done.content.decode()
    assert done.redirect_chain[-1][0] == url(election, "petitions/")
    assert "You support the petition of Weak." in page and "You support this petition" in page
    assert es.petition_support(n["weak"]) == 1
    twice = client.post(url(election, "petitions/"), {"nomination": n["weak"].pk})
    assert twice.status_code == 409 and "You already support this petition." in twice.content.decode()
    assert es.petition_support(n["weak"]) == 1


@pytest.mark.parametrize(("who", "target", "message"), [
    ("own", "own", "Your own support for your petition does not count."),
    ("delegate", "weak", "Only voters of the Organization members electorate may support this petition."),
    ("rep", "slate", "Slated is not petitioning to join the slate."),
    ("rep", None, "Choose a petition to support."),
])
def test_refused_support_is_an_error_not_a_crash(client, petitioning, community, who, target, message):
    election, n = petitioning
    person = {"own": community.representatives[2], "delegate": community.delegates[0],
              "rep": community.representatives[1]}[who]
    signed_in(client, person)
    response = client.post(url(election, "petitions/"), {"nomination": n[target].pk if target else "x"})
    assert response.status_code == 409 and message in response.content.decode()
    assert not em.PetitionSignature.objects.exists()


def test_the_own_petition_and_a_stranger_get_no_button(client, petitioning, community):
    election, _ = petitioning
    own = signed_in(client, community.representatives[2]).get(url(election, "petitions/")).content.decode()
    assert "Your petition" in own and "Support the petition of Rep Three" not in own
    stranger = signed_in(client, community.delegates[0]).get(url(election, "petitions/")).content.decode()
    assert "You are not on the roll of this electorate" in stranger and "Support the petition of" not in stranger


def test_support_outside_the_petitions_stage_is_refused(client, petitioning, community, staff, clock):
    election, n = petitioning
    clock.set(election.petitions_close)
    es.close_petitions(election, staff)
    signed_in(client, community.representatives[0])
    assert "Petitions are not open" in client.get(url(election, "petitions/")).content.decode()
    response = client.post(url(election, "petitions/"), {"nomination": n["weak"].pk})
    assert response.status_code == 409 and "Cannot sign a petition" in response.content.decode()


def test_supporting_is_csrf_protected(petitioning, community):
    election, n = petitioning
    assert_csrf_protected(url(election, "petitions/"), community.representatives[0], {"nomination": n["weak"].pk})
    assert not em.PetitionSignature.objects.exists()


# --- the candidate forum ---------------------------------------------------------------------


@pytest.fixture
def forum(election, community, staff, clock, new_person):
    """The forum is open; "Cand" (with an account) is a sustaining members' candidate."""
    candidate = new_person(first_name="Cand", last_name="Idate")
    run_until(election, "nominations", staff, clock, nominees=0)
    n = es.nominate(election.contests.get(electorate__slug="sustaining"), name="Cand Idate", email=candidate.email,
                    person=candidate, statement="I will listen.")
    loser = es.nominate(election.contests.get(electorate__slug="sustaining"), name="No Support", email="ns@example.com")
    clock.set(election.nominations_close)
    es.close_nominations(election, staff)
    es.publish_slate(election, [n], staff)
    clock.set(election.petitions_close)
    es.close_petitions(election, staff)
    return election, n, candidate, loser


def test_a_voter_asks_a_candidate_and_the_question_is_on_the_election_page(client, forum, community):
    election, n, _, _ = forum
    voter = community.sustaining[0]
    signed_in(client, voter)
    page = client.get(url(election)).content.decode()
    assert "Ask Cand Idate a question" in page
    form = client.get(url(election, f"candidates/{n.pk}/ask/"))
    assert form.status_code == 200 and "csrfmiddlewaretoken" in form.content.decode()
    assert "I will listen." in form.content.decode()
    done = client.post(url(election, f"candidates/{n.pk}/ask/"), {"question": "What about the Global South?"})
    assert done.status_code == 302 and done["Location"] == url(election) + f"#candidate-{n.pk}"
    post = em.ForumPost.objects.get()
    assert (post.nomination, post.asked_by) == (n, voter)
    page = client.get(url(election)).content.decode()
    assert "What about the Global South?" in page and "Not answered yet." in page


def test_a_visitor_is_sent_to_sign_in_to_ask_or_answer(client, forum, community):
    election, n, _, _ = forum
    assert_sent_to_sign_in(client.get(url(election, f"candidates/{n.pk}/ask/")))
    assert_sent_to_sign_in(client.post(url(election, f"candidates/{n.pk}/ask/"), {"question": "Q?"}))
    post = es.ask_question(n, community.sustaining[0], "Q?")
    assert_sent_to_sign_in(client.post(url(election, f"questions/{post.pk}/answer/"), {"answer": "A."}))
    assert em.ForumPost.objects.get().answer == ""


def test_asking_refusals_are_form_errors(client, forum, community):
    election, n, _, loser = forum
    signed_in(client, community.sustaining[0])
    empty = client.post(url(election, f"candidates/{n.pk}/ask/"), {"question": "  "})
    assert empty.status_code == 400 and "question" in empty.context["form"].errors
    # Someone not on the ballot is not in the forum: no page.
    assert client.get(url(election, f"candidates/{loser.pk}/ask/")).status_code == 404
    assert client.get(url(election, "candidates/999999/ask/")).status_code == 404
    assert not em.ForumPost.objects.exists()


def test_asking_outside_the_forum_is_refused(client, petitioning, community):
    election, n = petitioning
    signed_in(client, community.sustaining[0])
    page = client.get(url(election, f"candidates/{n['slate'].pk}/ask/"))
    assert page.status_code == 200 and "The candidate forum is open to candidates" in page.content.decode()
    refused = client.post(url(election, f"candidates/{n['slate'].pk}/ask/"), {"question": "Early?"})
    assert refused.status_code == 409 and "The candidate forum is not open." in refused.content.decode()
    assert not em.ForumPost.objects.exists()


def test_the_candidate_answers_on_the_election_page_once(client, forum, community):
    election, n, candidate, _ = forum
    post = es.ask_question(n, community.sustaining[0], "Why you?")
    signed_in(client, candidate)
    page = client.get(url(election)).content.decode()
    assert f'action="/elections/{election.slug}/questions/{post.pk}/answer/"' in page
    assert "csrfmiddlewaretoken" in page
    done = client.post(url(election, f"questions/{post.pk}/answer/"), {"answer": "Because I listen."}, follow=True)
    assert "Your answer is published." in done.content.decode() and "Because I listen." in done.content.decode()
    again = client.post(url(election, f"questions/{post.pk}/answer/"), {"answer": "Changed."})
    assert again.status_code == 409 and "You have already answered this question." in again.content.decode()
    post.refresh_from_db()
    assert post.answer == "Because I listen." and post.answered_at is not None


def test_only_the_candidate_answers(client, forum, community):
    election, n, _, _ = forum
    post = es.ask_question(n, community.sustaining[0], "Why you?")
    signed_in(client, community.sustaining[1])
    assert 'questions/' not in client.get(url(election)).content.decode()
    page = client.get(url(election, f"questions/{post.pk}/answer/"))
    assert page.status_code == 403 and "Only the candidate answers their questions." in page.content.decode()
    forged = client.post(url(election, f"questions/{post.pk}/answer/"), {"answer": "I am not them."})
    assert forged.status_code == 403
    assert em.ForumPost.objects.get().answer == ""


def test_answering_after_voting_closes_is_refused(client, forum, community, staff, clock):
    election, n, candidate, _ = forum
    post = es.ask_question(n, community.sustaining[0], "Late?")
    clock.set(election.voting_opens)
    es.open_voting(election, staff)
    clock.set(election.voting_closes)
    es.close_voting(election, staff)
    signed_in(client, candidate)
    response = client.post(url(election, f"questions/{post.pk}/answer/"), {"answer": "Too late."})
    assert response.status_code == 409 and "The candidate forum is not open." in response.content.decode()


def test_asking_and_answering_are_csrf_protected(forum, community):
    election, n, candidate, _ = forum
    assert_csrf_protected(url(election, f"candidates/{n.pk}/ask/"), community.sustaining[0], {"question": "Q?"})
    post = es.ask_question(n, community.sustaining[0], "Q?")
    assert_csrf_protected(url(election, f"questions/{post.pk}/answer/"), candidate, {"answer": "A."})
    assert em.ForumPost.objects.get().answer == ""


# --- challenges ---------------------------------------------------------------------------------


@pytest.fixture
def certified(election, community, staff, staff2, clock):
    run_until(election, "voting", staff, clock)
    contest = election.contests.get(electorate__slug="sustaining")
    es.cast_ballot(contest, community.sustaining[0], [es.candidates(contest)[0].pk])
    clock.set(election.voting_closes)
    es.close_voting(election, staff)
    es.approve_certification(election, staff)
    es.approve_certification(election, staff2)
    election.refresh_from_db()
    return election


def test_a_challenge_is_filed_and_listed_with_its_decision(client, certified, person, staff):
    signed_in(client, person)
    assert "Challenge the result" in client.get(url(certified)).content.decode()
    form = client.get(url(certified, "challenge/"))
    assert form.status_code == 200 and "csrfmiddlewaretoken" in form.content.decode()
    assert "No challenge has been filed." in form.content.decode()
    done = client.post(url(certified, "challenge/"), {"grounds": "A ballot was left out."}, follow=True)
    page = done.content.decode()
    assert done.redirect_chain[-1][0] == url(certified) + "#challenges"
    assert "Your challenge is filed." in page and "A ballot was left out." in page and "Undecided" in page
    challenge = em.Challenge.objects.get()
    assert challenge.filed_by == person
    es.decide_challenge(challenge, staff, "dismissed", "Every ballot was counted.")
    results = client.get(url(certified, "results/")).content.decode()
    assert "A ballot was left out." in results and "Dismissed on" in results and "Every ballot was counted." in results
    assert person.email not in results  # who filed it is not published


def test_a_visitor_is_sent_to_sign_in_to_challenge(client, certified):
    assert_sent_to_sign_in(client.get(url(certified, "challenge/")))
    assert_sent_to_sign_in(client.post(url(certified, "challenge/"), {"grounds": "X"}))
    assert not em.Challenge.objects.exists()


def test_challenge_refusals_are_form_errors(client, certified, person, clock):
    signed_in(client, person)
    blank = client.post(url(certified, "challenge/"), {"grounds": " "})
    assert blank.status_code == 400 and "grounds" in blank.context["form"].errors
    clock.set(certified.challenge_ends)
    signed_in(client, person)
    assert "Challenge the result" not in client.get(url(certified)).content.decode()
    late = client.post(url(certified, "challenge/"), {"grounds": "Late."})
    assert late.status_code == 409 and "The challenge period has ended." in late.content.decode()
    assert not em.Challenge.objects.exists()


def test_a_result_cannot_be_challenged_before_certification(client, election, community, staff, clock, person):
    run_until(election, "voting", staff, clock)
    signed_in(client, person)
    page = client.get(url(election, "challenge/"))
    assert page.status_code == 200 and "only during the challenge period" in page.content.decode()
    refused = client.post(url(election, "challenge/"), {"grounds": "Too early."})
    assert refused.status_code == 409 and "Cannot challenge the result" in refused.content.decode()


def test_challenging_is_csrf_protected(certified, person):
    assert_csrf_protected(url(certified, "challenge/"), person, {"grounds": "X"})
    assert not em.Challenge.objects.exists()


# --- the read API ---------------------------------------------------------------------------------


def test_the_api_gives_petition_support_and_the_forum(client, petitioning, community, staff, clock):
    election, n = petitioning
    es.sign_petition(n["weak"], community.representatives[0])
    rows = {c["name"]: c for c in client.get(f"/api/v1/elections/{election.slug}/candidates").json()}
    assert (rows["Weak"]["petition_support"], rows["Weak"]["petition_threshold"]) == (1, 2)
    assert (rows["Slated"]["petition_support"], rows["Slated"]["petition_threshold"]) == (None, None)
    clock.set(election.petitions_close)
    es.close_petitions(election, staff)
    es.ask_question(n["slate"], community.sustaining[0], "Why?")
    forum = client.get(f"/api/v1/elections/{election.slug}/candidates").json()
    asked = next(c for c in forum if c["name"] == "Slated")["forum"]
    assert asked[0]["question"] == "Why?" and asked[0]["answer"] == "" and asked[0]["answered_at"] is None
    assert asked[0]["asked_at"].endswith("Z") or asked[0]["asked_at"].endswith("+00:00")


def test_the_api_lists_challenges_without_who_filed_them(client, certified, person, staff):
    es.decide_challenge(es.file_challenge(certified, person, "Recount."), staff, "upheld", "Miscounted.")
    rows = client.get(f"/api/v1/elections/{certified.slug}/challenges").json()
    assert len(rows) == 1 and rows[0]["grounds"] == "Recount." and rows[0]["decision"] == "upheld"
    assert rows[0]["reasons"] == "Miscounted." and "filed_by" not in rows[0]
    missing = client.get("/api/v1/elections/no-such-election/challenges")
    assert missing.status_code == 404 and "detail" in missing.json()


# --- the rules the pages rely on, in the services ---------------------------------------------------


def test_services_refuse_anonymous_participants(forum):
    from django.contrib.auth.models import AnonymousUser

    from isoc.members.services import RuleViolation

    election, n, _, _ = forum
    for call in (lambda: es.ask_question(n, AnonymousUser(), "Q?"), lambda: es.sign_petition(n, None),
                 lambda: es.file_challenge(election, AnonymousUser(), "G")):
        with pytest.raises(RuleViolation, match="Sign in") as exc:
            call()
        assert exc.value.code == "sign_in"


def test_services_bound_the_length_of_what_is_published(forum, community):
    from isoc.members.services import RuleViolation

    _, n, candidate, _ = forum
    with pytest.raises(RuleViolation, match="At most 2000") as exc:
        es.ask_question(n, community.sustaining[0], "?" * 2001)
    assert exc.value.field == "question"
    post = es.ask_question(n, community.sustaining[0], "  Fine?  ")
    assert post.question == "Fine?"
    with pytest.raises(RuleViolation, match="At most 5000"):
        es.answer_question(post, candidate, "!" * 5001)
    es.answer_question(post, candidate, "Yes.")
    with pytest.raises(RuleViolation, match="already answered") as exc:
        es.answer_question(post, candidate, "No.")
    assert exc.value.code == "answered"


def test_a_person_stands_once_per_contest_whatever_the_address(nominations, person):
    from isoc.members.services import RuleViolation

    contest = nominations.contests.get(electorate__slug="chapters")
    es.nominate(contest, name="Pat", email="pat@example.com", person=person)
    with pytest.raises(RuleViolation, match="already stand") as exc:
        es.nominate(contest, name="Pat", email="pat2@example.com", person=person)
    assert exc.value.field == "contest"
    # Another contest is another matter.
    es.nominate(nominations.contests.get(electorate__slug="sustaining"), name="Pat", email="pat@example.com",
                person=person)
    assert em.Nomination.objects.filter(person=person).count() == 2
