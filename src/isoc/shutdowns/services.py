"""Operations that change shutdown events: edits with history, the review workflow
(draft → reviewed → published, or → rejected), and storing imported source records
(matched across sources, see ``isoc.shutdowns.matching``). Each is one transaction and
checks its own rules; admin actions, the API and importers call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from isoc.members.services import RuleViolation
from isoc.shutdowns import matching
from isoc.shutdowns.models import EventRevision, EventSource, Evidence, ReviewState, ShutdownEvent

EDITABLE = ("country_id", "area", "scope", "shutdown_type", "services", "starts_at", "ends_at", "description",
            "reason", "reason_detail", "meets_deliberate", "meets_removes_access", "meets_affects_group")
RULE_FLAGS = {
    "meets_deliberate": "deliberately induced",
    "meets_removes_access": "removes access",
    "meets_affects_group": "affects a group of people",
}
TRANSITIONS = {
    ReviewState.DRAFT: {ReviewState.REVIEWED, ReviewState.REJECTED},
    ReviewState.REVIEWED: {ReviewState.PUBLISHED, ReviewState.DRAFT, ReviewState.REJECTED},
    ReviewState.PUBLISHED: {ReviewState.DRAFT, ReviewState.REJECTED},
    ReviewState.REJECTED: {ReviewState.DRAFT},
}


def _json(v):
    if isinstance(v, datetime):
        return v.isoformat()
    return v


def _require_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_staff", False):
        raise RuleViolation(_("Only staff may change shutdown events."), code="staff_only")


def update_event(event: ShutdownEvent, changes: dict, actor, note: str = "", *, system: bool = False) -> EventRevision | None:
    """Apply ``changes`` (field → new value) and record them as one revision
    ``{field: [old, new]}``; nothing is written when nothing changes. Staff only, unless
    ``system`` (an importer)."""
    if not system:
        _require_staff(actor)
    unknown = set(changes) - set(EDITABLE) - {"country", "review_state"}
    if unknown:
        raise RuleViolation(_("Not an editable field: %(f)s") % {"f": ", ".join(sorted(unknown))}, code="bad_field")
    with transaction.atomic():
        diff = {}
        for name, new in changes.items():
            attr = "country_id" if name == "country" else name
            old = getattr(event, attr)
            if old != new:
                diff[name] = [_json(old), _json(new)]
                setattr(event, attr, new)
        if not diff:
            return None
        event.save()
        return EventRevision.objects.create(event=event, actor=actor, changes=diff, note=note[:500])


def transition(event: ShutdownEvent, to_state: str, actor, note: str = "") -> EventRevision:
    """Move an event through the review workflow, checking the rules:

    * staff only; the move must be one the workflow allows;
    * publishing needs the three Pulse-rule flags (the refusal names those that fail) and
      a reviewer other than the last person who edited the event.
    """
    _require_staff(actor)
    to_state = ReviewState(to_state)
    current = ReviewState(event.review_state)
    if to_state not in TRANSITIONS[current]:
        raise RuleViolation(_("An event cannot go from %(a)s to %(b)s.") % {"a": current.label, "b": to_state.label},
                            field="review_state", code="bad_transition")
    if to_state == ReviewState.PUBLISHED:
        failing = [label for flag, label in RULE_FLAGS.items() if not getattr(event, flag)]
        if failing:
            raise RuleViolation(_("Not a shutdown under Pulse's rule yet: not confirmed as %(f)s.") % {"f": ", ".join(failing)},
                                field="review_state", code="rule_not_met")
        last_editor = last_editor_of(event)
        if last_editor is not None and last_editor == actor.pk:
            raise RuleViolation(_("Another staff member must review your own changes before publishing."),
                                field="review_state", code="same_reviewer")
    rev = update_event(event, {"review_state": to_state.value}, actor, note)
    assert rev is not None
    return rev


def last_editor_of(event: ShutdownEvent) -> int | None:
    """Who last changed the event's content (not its review state)."""
    for rev in event.revisions.exclude(actor=None).order_by("-at", "-id"):
        if set(rev.changes) - {"review_state"}:
            return rev.actor_id
    return None


def review(event, actor, note=""):
    return transition(event, ReviewState.REVIEWED, actor, note)


def publish(event, actor, note=""):
    return transition(event, ReviewState.PUBLISHED, actor, note)


def reject(event, actor, note=""):
    return transition(event, ReviewState.REJECTED, actor, note)


def back_to_draft(event, actor, note=""):
    return transition(event, ReviewState.DRAFT, actor, note)


# --- imported records ------------------------------------------------------------------


def _candidate(event: ShutdownEvent, datasets: Iterable[str]) -> matching.Candidate:
    return matching.Candidate(
        event_id=event.pk, datasets=frozenset(datasets), country=event.country_id, starts_at=event.starts_at,
        ends_at=event.ends_at, scope=event.scope, area=event.area,
        not_a_shutdown=event.review_state == ReviewState.REJECTED)


def store_records(dataset, records: list[matching.SourceRecord], *, event_level: bool) -> dict:
    """Store one dataset's records as events, matching each with the events other
    datasets already hold. Re-storing a record already seen (same dataset and key)
    changes at most that record's own stored row. Returns counts."""
    counts = {"created": 0, "matched": 0, "merged": 0, "unchanged": 0, "record_updated": 0}
    slug = dataset.slug
    known = {s.external_id: s for s in EventSource.objects.filter(dataset=dataset)}
    countries = {r.country for r in records}
    by_country: dict[str, dict[int, matching.Candidate]] = {c: {} for c in countries}
    events: dict[int, ShutdownEvent] = {}
    for ev in ShutdownEvent.objects.filter(country_id__in=countries).prefetch_related("sources__dataset"):
        events[ev.pk] = ev
        by_country[ev.country_id][ev.pk] = _candidate(ev, {s.dataset.slug for s in ev.sources.all()})

    for rec in sorted(records, key=lambda r: (r.starts_at, r.external_id)):
        seen = known.get(rec.external_id)
        if seen is not None:
            if seen.record != rec.raw or seen.url != rec.url:
                seen.record, seen.url = rec.raw, rec.url
                seen.save(update_fields=["record", "url"])
                counts["record_updated"] += 1
            else:
                counts["unchanged"] += 1
            continue
        found = matching.matches(rec, list(by_country[rec.country].values()), slug, event_level=event_level)
        note = f"{dataset.title}: record {rec.external_id}"
        if not found:
            event = ShutdownEvent.objects.create(
                country_id=rec.country, **rec.event_fields(),
                review_state=ReviewState.REJECTED if rec.not_a_shutdown else ReviewState.DRAFT)
            EventRevision.objects.create(event=event, changes={"imported": [None, slug]},
                                         note=("Imported; the source says this is not a shutdown. " if rec.not_a_shutdown else "Imported. ") + note)
            events[event.pk] = event
            counts["created"] += 1
        else:
            event = events[found[0].event_id]
            counts["matched"] += 1
            if event_level:
                for other in found[1:]:
                    if _merge(events[other.event_id], into=event, note=note):
                        by_country[rec.country].pop(other.event_id)
                        counts["merged"] += 1
            _enrich(event, rec, event_level, note)
        EventSource.objects.create(event=event, dataset=dataset, external_id=rec.external_id, url=rec.url, record=rec.raw)
        if rec.url:
            Evidence.objects.get_or_create(event=event, kind=Evidence.Kind.LINK, url=rec.url,
                                           defaults={"label": f"{dataset.source.name}: {rec.external_id}"[:300]})
        signals = rec.raw.get("signals") if isinstance(rec.raw, dict) else None
        if signals:
            Evidence.objects.create(event=event, kind=Evidence.Kind.SIGNAL,
                                    label=f"{dataset.source.name} {rec.external_id}: {', '.join(signals)}"[:300])
        old = by_country[rec.country].get(event.pk)
        by_country[rec.country][event.pk] = _candidate(event, (old.datasets if old else frozenset()) | {slug})
    return counts


def _enrich(event: ShutdownEvent, rec: matching.SourceRecord, event_level: bool, note: str) -> None:
    """A matched record adds what it knows to a draft event: a flag any source sets holds;
    an event-level record (the whole shutdown) gives its start, end, scope, type and
    reason to an event that so far only had observation windows. Published or reviewed
    events are not touched: staff decided them; the new source is listed for them to see."""
    if event.review_state != ReviewState.DRAFT:
        return
    changes: dict = {flag: True for flag in RULE_FLAGS if getattr(rec, flag) and not getattr(event, flag)}
    has_event_level = event.sources.filter(dataset__importer="keepiton").exists()
    if event_level and not has_event_level:
        fields = rec.event_fields()
        fields["starts_at"] = min(rec.starts_at, event.starts_at)
        if rec.ends_at is not None and event.ends_at is not None:
            fields["ends_at"] = max(rec.ends_at, event.ends_at)
        for flag in RULE_FLAGS:
            fields[flag] = getattr(rec, flag) or getattr(event, flag)
        changes = fields
    else:
        if not event.description and rec.description:
            changes["description"] = rec.description
        if event.reason == "unknown" and rec.reason != "unknown":
            changes["reason"] = rec.reason
    update_event(event, changes, None, "Matched with " + note, system=True)


def _merge(other: ShutdownEvent, *, into: ShutdownEvent, note: str) -> bool:
    """Fold a draft event into another (its sources, evidence and detections move)."""
    if other.pk == into.pk or other.review_state != ReviewState.DRAFT:
        return False
    other.sources.update(event=into)
    other.evidence.update(event=into)
    other.detections.update(event=into)
    EventRevision.objects.create(event=into, changes={"merged": [other.pk, None]},
                                 note=f"Merged event #{other.pk} ({other.starts_at:%Y-%m-%d %H:%M}): {note}"[:500])
    other.delete()
    return True


# --- inputs of the cost model -----------------------------------------------------------

GDP_INDICATOR = "NY.GDP.MKTP.CD"
DIGITAL_SHARE_INDICATOR = "ISOC.DIGITAL.SHARE"  # a country's Internet economy share (0–1), when imported


def _latest_value(indicator: str, country: str, year: int):
    from isoc.pulse.models import IndicatorValue

    return (IndicatorValue.objects.filter(indicator=indicator, country_id=country, year__lte=year)
            .select_related("dataset").order_by("-year", "-dataset__retrieved_at").first())


def cost_inputs_for(country: str, year: int) -> dict:
    """The cost model's inputs from imported data: GDP (World Bank, current US$) of the
    year or the latest before it, and a digital economy share if one was imported.
    Missing data give None, never an invented figure."""
    from isoc.shutdowns.cost import Input

    out: dict = {"gdp": None, "digital_share": None}
    gdp = _latest_value(GDP_INDICATOR, country, year)
    if gdp is not None:
        out["gdp"] = Input("GDP (current US$)", gdp.value, gdp.dataset.slug, gdp.year)
    share = _latest_value(DIGITAL_SHARE_INDICATOR, country, year)
    if share is not None:
        out["digital_share"] = Input("Internet economy share", share.value, share.dataset.slug, share.year)
    return out


# --- detected outages: candidates for staff review --------------------------------------


@transaction.atomic
def accept_detection(detection, actor, note: str = "") -> ShutdownEvent:
    """Turn a detected outage into a draft event for review, with the signals that showed
    it as evidence. The Pulse rule flags stay unset: a signal shows that access dropped,
    not that someone caused it; staff establish that before publishing."""
    from isoc.shutdowns.models import DetectedOutage

    _require_staff(actor)
    detection = DetectedOutage.objects.select_for_update().get(pk=detection.pk)
    if detection.state != DetectedOutage.State.NEW:
        raise RuleViolation(_("This detection was already reviewed."), code="already_reviewed")
    event = ShutdownEvent.objects.create(
        country_id=detection.country_id,
        area=f"AS{detection.asn}" if detection.asn else "",
        starts_at=detection.starts_at,
        ends_at=detection.ends_at,
        description=note,
        review_state=ReviewState.DRAFT,
    )
    for signal in detection.signals.all():
        Evidence.objects.create(event=event, kind=Evidence.Kind.SIGNAL, label=str(signal), signal=signal)
    EventRevision.objects.create(
        event=event, actor=actor,
        changes={"created": [None, f"from detection #{detection.pk} (score {detection.score:.0f})"]}, note=note[:500],
    )
    detection.state = DetectedOutage.State.ACCEPTED
    detection.event = event
    detection.save(update_fields=["state", "event"])
    return event


@transaction.atomic
def dismiss_detection(detection, actor, note: str = "") -> None:
    """A detection staff judge not to be a shutdown (noise, a probe flapping, a cable cut)."""
    from isoc.shutdowns.models import DetectedOutage

    _require_staff(actor)
    detection = DetectedOutage.objects.select_for_update().get(pk=detection.pk)
    if detection.state != DetectedOutage.State.NEW:
        raise RuleViolation(_("This detection was already reviewed."), code="already_reviewed")
    detection.state = DetectedOutage.State.DISMISSED
    detection.save(update_fields=["state"])
