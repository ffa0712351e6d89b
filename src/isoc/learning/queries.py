"""Read-only queries shared by the pages, the API and the CLI: the catalog and the
secretariat's report (one query per figure, so the HTML, the CSV and the CLI agree)."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from isoc.learning import folder, labels
from isoc.learning.models import Course, Enrolment, QuizAttempt

LANGUAGE_CHOICES = list(settings.LANGUAGES)
TOPIC_CHOICES = list(labels.TOPICS.items())
LEVEL_CHOICES = list(labels.LEVELS.items())


def catalog(*, language: str = "", topic: str = "", level: str = ""):
    """Published courses, filtered; unknown filter values are ignored rather than refused."""
    qs = Course.objects.filter(status=Course.Status.PUBLISHED)
    if language in dict(LANGUAGE_CHOICES):
        qs = qs.filter(language=language)
    if topic in folder.TOPICS:
        qs = qs.filter(topic=topic)
    if level in folder.LEVELS:
        qs = qs.filter(level=level)
    return qs.annotate(learners=Count("enrolments")).order_by("title", "language", "pk")


def filter_query(language: str, topic: str, level: str) -> str:
    return urlencode({"language": language, "topic": topic, "level": level})


def enrolments_of(person):
    return (Enrolment.objects.filter(person=person).select_related("course", "cohort", "certificate")
            .order_by("status", "-enrolled_at"))


# --- the report ------------------------------------------------------------------------------

REPORT_DIMENSIONS = ("course", "cohort", "country", "month")
REPORT_COLUMNS = ("group", "enrolments", "active", "completed", "withdrawn", "attempts", "passed", "pass_rate")


def _group(by: str, prefix: str = "", when: str = "enrolled_at"):
    """The value to group by, for rows of Enrolment (prefix "") or QuizAttempt ("enrolment__")."""
    if by == "course":
        return F(prefix + "course__slug"), F(prefix + "course__language")
    if by == "cohort":
        return F(prefix + "cohort__name"), None
    if by == "country":
        return F(prefix + "person__country"), None
    return TruncMonth(when), None


def _label(by: str, a, b) -> str:
    if by == "course":
        return f"{a} ({b})"
    if by == "month":
        return a.strftime("%Y-%m") if a else "—"
    return a or "—"


def report(by: str) -> list[dict]:
    """Enrolments, their status, and quiz pass rates (graded attempts passed / graded), per
    course (slug and language), cohort, learner's country, or month. By month, enrolments
    count in the month they were made, completions in the month they happened and attempts
    in the month they were submitted."""
    rows: dict[str, dict] = defaultdict(lambda: dict.fromkeys(REPORT_COLUMNS[1:], 0))
    a, b = _group(by)
    enrolments = Enrolment.objects.annotate(ga=a, gb=b if b is not None else a).values("ga", "gb").annotate(
        n=Count("pk"), active=Count("pk", filter=Q(status="active")),
        withdrawn=Count("pk", filter=Q(status="withdrawn")))
    for r in enrolments:
        row = rows[_label(by, r["ga"], r["gb"])]
        row["enrolments"] += r["n"]
        row["active"] += r["active"]
        row["withdrawn"] += r["withdrawn"]
    a, b = _group(by, when="completed_at")
    for r in Enrolment.objects.filter(status="completed").annotate(ga=a, gb=b if b is not None else a).values(
            "ga", "gb").annotate(n=Count("pk")):
        rows[_label(by, r["ga"], r["gb"])]["completed"] += r["n"]
    a, b = _group(by, "enrolment__", when="submitted_at")
    graded = QuizAttempt.objects.filter(state=QuizAttempt.State.GRADED)
    for r in graded.annotate(ga=a, gb=b if b is not None else a).values("ga", "gb").annotate(
            n=Count("pk"), passed=Count("pk", filter=Q(passed=True))):
        row = rows[_label(by, r["ga"], r["gb"])]
        row["attempts"] += r["n"]
        row["passed"] += r["passed"]
    out = []
    for group in sorted(rows):
        row = rows[group]
        row["pass_rate"] = round(100 * row["passed"] / row["attempts"], 1) if row["attempts"] else None
        out.append({"group": group, **row})
    return out


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # Cells starting with = + - @ are formulas to a spreadsheet: neutralise them.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
