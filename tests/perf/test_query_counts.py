"""Pages fixed for the load benchmark run a fixed number of queries whatever the number of
rows behind them (no query per row)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from isoc.enablers import adoption
from isoc.enablers.models import AdoptionFigure, Scan
from isoc.pulse.models import Dataset, DataSource

pytestmark = pytest.mark.django_db


def add_scans(n: int, first: int = 0) -> None:
    source, _ = DataSource.objects.get_or_create(slug="isoc-scanner", defaults={
        "name": "Internet Society scanner", "publisher": "Internet Society", "licence": "CC BY 4.0"})
    for i in range(first, first + n):
        at = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=30 * i)
        dataset = Dataset.objects.create(source=source, slug=f"scan-{i}", title=f"Scan {i}", kind=Dataset.Kind.EVENTS,
                                         origin=f"scan-{i}", importer="test", importer_version="1")
        scan = Scan.objects.create(identifier=f"scan-{i}", resolver="192.0.2.53", started_at=at,
                                   finished_at=at + timedelta(hours=1), domains=100, dataset=dataset)
        AdoptionFigure.objects.bulk_create([
            AdoptionFigure(scan=scan, technology=t, method=AdoptionFigure.Method.GLOBAL, country="", measured=100,
                           adopted=40 + i) for t in adoption.HEADLINE])


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_enablers_overview_does_not_query_per_scan(client):
    add_scans(1)
    one = queries(client, "/pulse/enablers/")
    add_scans(5, first=1)
    assert queries(client, "/pulse/enablers/") == one  # was one query per figure for its scan's dataset
