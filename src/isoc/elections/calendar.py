"""An election's default calendar from the day the call for nominations opens (no Django
import). Staff may move any date; the services only require the order below."""

from __future__ import annotations

from datetime import datetime, timedelta

NOMINATION_DAYS = 30
SLATE_DAYS = 14
PETITION_DAYS = 21
FORUM_DAYS = 14
VOTING_DAYS = 14
CHALLENGE_DAYS = 14
SEATING_DAYS = 45  # after the close: certification, the challenge period, then seating
TERM_YEARS = 3

ORDER = ("nominations_open", "nominations_close", "slate_published", "petitions_close", "voting_opens",
         "voting_closes", "seating")


def default_calendar(nominations_open: datetime, *, forum_days: int = FORUM_DAYS,
                     voting_days: int = VOTING_DAYS) -> dict[str, datetime]:
    """Every date of the process; the electorate is frozen (``cutoff``) when nominations close."""
    nominations_close = nominations_open + timedelta(days=NOMINATION_DAYS)
    slate = nominations_close + timedelta(days=SLATE_DAYS)
    petitions_close = slate + timedelta(days=PETITION_DAYS)
    voting_opens = petitions_close + timedelta(days=forum_days)
    voting_closes = voting_opens + timedelta(days=voting_days)
    return {
        "nominations_open": nominations_open,
        "nominations_close": nominations_close,
        "cutoff": nominations_close,
        "slate_published": slate,
        "petitions_close": petitions_close,
        "voting_opens": voting_opens,
        "voting_closes": voting_closes,
        "seating": voting_closes + timedelta(days=SEATING_DAYS),
    }


def out_of_order(dates: dict[str, datetime]) -> str | None:
    """The first date that comes before the one it must follow, or None."""
    for earlier, later in zip(ORDER, ORDER[1:], strict=False):
        if dates[later] < dates[earlier]:
            return later
    if not dates["cutoff"] <= dates["slate_published"]:
        return "cutoff"
    return None


def term_end(start: datetime) -> datetime:
    """Three years later (29 February starts end on 28 February)."""
    try:
        return start.replace(year=start.year + TERM_YEARS)
    except ValueError:
        return start.replace(year=start.year + TERM_YEARS, day=28)
