"""Who may apply to a track: a pure function from facts to the reasons they may not.

No Django here: the service gathers the facts (the applicant's answers, whether they
completed the prerequisite course, which chapters endorsed them and whether each may
endorse now) and shows the reasons in the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from isoc.fellowships._text import Message, gettext_noop


@dataclass(frozen=True)
class TrackRules:
    """A track's eligibility rules. ``None``/empty means "no rule"."""

    min_age: int | None = None
    max_age: int | None = None
    countries: frozenset[str] = frozenset()  # ISO alpha-2; empty: every country
    prerequisite: str | None = None  # the prerequisite course's title, for the message
    endorsement_required: bool = False


@dataclass(frozen=True)
class Endorsing:
    """A chapter that endorsed the applicant, and whether it may endorse on the day."""

    chapter: str
    may_endorse: bool


@dataclass(frozen=True)
class Facts:
    """What is known of an applicant on ``on`` (the day the call closes, for the age)."""

    on: date
    birth_date: date | None
    country: str
    completed_prerequisite: bool = False
    endorsements: Sequence[Endorsing] = field(default_factory=tuple)


def age_on(birth_date: date, on: date) -> int:
    """Completed years on ``on``; someone born on 29 February turns a year older on 1 March
    in common years."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _age_reasons(rules: TrackRules, facts: Facts) -> list[Message]:
    if rules.min_age is None and rules.max_age is None:
        return []
    if facts.birth_date is None:
        return [Message("age_unknown", gettext_noop("Your date of birth is needed: this track has an age range."))]
    age = age_on(facts.birth_date, facts.on)
    params = {"age": age, "min": rules.min_age, "max": rules.max_age, "on": facts.on.isoformat()}
    if rules.min_age is not None and age < rules.min_age:
        return [Message("too_young", gettext_noop(
            "You will be %(age)s on %(on)s; this track is open from the age of %(min)s."), params)]
    if rules.max_age is not None and age > rules.max_age:
        return [Message("too_old", gettext_noop(
            "You will be %(age)s on %(on)s; this track is open up to the age of %(max)s."), params)]
    return []


def _country_reasons(rules: TrackRules, facts: Facts) -> list[Message]:
    if not rules.countries:
        return []
    if not facts.country:
        return [Message("country_unknown", gettext_noop("Your country of residence is needed: this track is open "
                                                        "to some countries only."))]
    if facts.country.upper() not in rules.countries:
        return [Message("country", gettext_noop("This track is not open to residents of %(country)s."),
                        {"country": facts.country.upper()})]
    return []


def _prerequisite_reasons(rules: TrackRules, facts: Facts) -> list[Message]:
    if rules.prerequisite and not facts.completed_prerequisite:
        return [Message("prerequisite", gettext_noop(
            "Complete the course “%(course)s” on the learning platform before you submit."),
            {"course": rules.prerequisite})]
    return []


def _endorsement_reasons(rules: TrackRules, facts: Facts) -> list[Message]:
    if not rules.endorsement_required:
        return []
    if any(e.may_endorse for e in facts.endorsements):
        return []
    if facts.endorsements:
        names = ", ".join(e.chapter for e in facts.endorsements)
        return [Message("endorser_standing", gettext_noop(
            "An endorsement by a chapter in good standing is needed; %(chapters)s cannot endorse now "
            "(not in good standing, or in rejuvenation)."), {"chapters": names})]
    return [Message("endorsement", gettext_noop("An endorsement by a chapter in good standing is needed."))]


def reasons(rules: TrackRules, facts: Facts) -> list[Message]:
    """Every reason ``facts`` fail ``rules``, in the order an applicant can act on them;
    empty when eligible."""
    return (_age_reasons(rules, facts) + _country_reasons(rules, facts) + _prerequisite_reasons(rules, facts)
            + _endorsement_reasons(rules, facts))
