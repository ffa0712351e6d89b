"""Labelled demo signals with injected outages, so the shutdown pages have something to
show before real data is imported. Everything is marked demo: the Dataset
(``is_demo=True``, title says "demo") and the published ShutdownEvents it makes for
the injected outages (``is_demo=True``, description says "Demo")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import transaction

from isoc.pulse.models import Dataset, DataSource
from isoc.shutdowns.models import Evidence, ReviewState, ShutdownEvent, ShutdownType, Signal
from isoc.shutdowns.signals import store_series

DATASET = "demo-shutdown-signals"
KINDS = (Signal.Kind.BGP, Signal.Kind.ACTIVE_PROBING, Signal.Kind.PROBE_CONNECTIVITY)
STEP = 300
DEFAULT_COUNTRIES = ("IR", "IN", "ET", "MM", "SD", "PK", "IQ", "SY", "RU", "VE", "TZ", "SN")


@dataclass(frozen=True)
class Outage:
    """An injected outage: ``factor`` multiplies every signal of the country in the window."""

    country: str
    start: datetime
    end: datetime
    factor: float = 0.2
    shutdown_type: str = ShutdownType.FULL


def default_outages(countries, start: datetime, days: int, rng) -> list[Outage]:
    """One outage in every other country, somewhere after the first week."""
    out = []
    for i, cc in enumerate(countries):
        if i % 2:
            continue
        begin = start + timedelta(days=int(rng.integers(8, max(9, days - 2))), hours=int(rng.integers(0, 24)))
        hours = int(rng.choice([3, 6, 12, 24, 48]))
        out.append(Outage(cc, begin, begin + timedelta(hours=hours), float(rng.uniform(0.05, 0.5))))
    return out


def _dataset() -> Dataset:
    source, _ = DataSource.objects.get_or_create(slug="isoc-demo", defaults={
        "name": "Generated demo data", "publisher": "isoc (generated)", "licence": "CC0 (generated)"})
    dataset, _ = Dataset.objects.update_or_create(slug=DATASET, defaults={
        "source": source, "title": "Demo shutdown signals (generated)", "kind": Dataset.Kind.DEMO,
        "origin": "isoc.shutdowns.demo_signals", "importer": "demo", "importer_version": "1", "is_demo": True,
        "description": "Generated signals with injected outages; not measurements."})
    return dataset


@transaction.atomic
def generate_demo_signals(countries=DEFAULT_COUNTRIES, days: int = 30, seed: int = 2026,
                          outages: list[Outage] | None = None, end: datetime | None = None) -> dict:
    """Store 3 signals per country (diurnal pattern + noise, 5-minute points, ``days``
    long, ending at ``end`` or today 00:00 UTC) with the outages injected, and one
    published demo ShutdownEvent per outage, with the signals as evidence. Replaces any
    earlier demo signals and events. Returns counts."""
    rng = np.random.default_rng(seed)
    end = end or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    if outages is None:
        outages = default_outages(countries, start, days, rng)
    dataset = _dataset()
    ShutdownEvent.objects.filter(is_demo=True, evidence__signal__dataset=dataset).delete()
    t = np.arange(int(start.timestamp()), int(end.timestamp()), STEP, dtype=np.int64)
    phase = 2 * np.pi * (t % 86400) / 86400
    signals: dict[str, list[Signal]] = {}
    for cc in countries:
        for kind in KINDS:
            level = float(rng.lognormal(6, 1))
            v = level * (1 + 0.08 * np.sin(phase + rng.uniform(0, 6.3))) * (1 + rng.normal(0, 0.015, t.size))
            for o in outages:
                if o.country == cc:
                    v[(t >= o.start.timestamp()) & (t < o.end.timestamp())] *= o.factor
            v[rng.random(t.size) < 0.002] = np.nan
            signals.setdefault(cc, []).append(store_series(dataset, cc, kind, t, np.round(v, 1), resolution_seconds=STEP))
    events = 0
    for o in outages:
        if o.country not in signals:
            continue
        event = ShutdownEvent.objects.create(
            country_id=o.country, starts_at=o.start, ends_at=o.end, shutdown_type=o.shutdown_type,
            description=f"Demo: an outage injected into generated signals ({round((1 - o.factor) * 100)}% drop).",
            meets_deliberate=True, meets_removes_access=True, meets_affects_group=True,
            review_state=ReviewState.PUBLISHED, is_demo=True)
        for sig in signals[o.country]:
            Evidence.objects.create(event=event, kind=Evidence.Kind.SIGNAL, label=str(sig), signal=sig)
        events += 1
    return {"signals": sum(len(s) for s in signals.values()), "events": events, "points": int(t.size) * len(KINDS) * len(signals)}
