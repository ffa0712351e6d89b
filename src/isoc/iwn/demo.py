"""Two sample impact assessments, labelled demo: a policy that may harm several
properties and one that signals none. Made through the services like real ones."""

from __future__ import annotations

from isoc.iwn import services
from isoc.iwn.models import Assessment
from isoc.iwn.questionnaire import CURRENT

SAMPLES = [
    {"title": "Demo: a national Internet gateway decree",
     "proposal": "A made-up decree: all international traffic passes through two state-run gateways, which may "
                 "block services and must keep connection records of every user for two years.",
     "answers": {"decentralised-management.1": "yes", "decentralised-management.2": "yes",
                 "decentralised-management.3": "no", "reachability.1": "yes", "reachability.2": "yes",
                 "reliability.1": "yes", "reliability.2": "yes", "privacy.1": "yes", "privacy.2": "not_sure",
                 "accountability.1": "no", "accountability.2": "not_sure", "easy-access.2": "yes",
                 "global-identifiers.1": "no", "global-identifiers.2": "no"}},
    {"title": "Demo: an open-access rural fibre programme",
     "proposal": "A made-up programme that funds open-access fibre to rural towns, with neutral exchange points "
                 "and wholesale prices published for every operator.",
     "answers": {key: ("no" if q.harm_if == frozenset({"yes"}) else "yes") for key, q in CURRENT.questions.items()}},
]


def remove() -> None:
    Assessment.objects.filter(is_demo=True).delete()


def generate(*, reset: bool = False, seed: int = 2026) -> dict:
    """The sample assessments (again from scratch with ``reset``); ``seed`` is unused:
    the samples are fixed texts."""
    if reset:
        remove()
    made = 0
    for sample in SAMPLES:
        if Assessment.objects.filter(is_demo=True, title=sample["title"]).exists():
            continue
        assessment, _token = services.create_assessment(title=sample["title"], proposal=sample["proposal"],
                                                        language="en", is_demo=True)
        services.save_answers(assessment, sample["answers"])
        made += 1
    return {"assessments": Assessment.objects.filter(is_demo=True).count()}
