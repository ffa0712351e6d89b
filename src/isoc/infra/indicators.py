"""Figures other apps read from infra (the Internet Resilience Index among them).

Kept here, Django-side but small, so that a caller never reaches into infra's models."""

from __future__ import annotations

from datetime import date


def ixps_by_country(as_of: date | None = None) -> dict[str, int]:
    """Active IXPs per ISO 3166-1 alpha-2 country code as of a date (today when None).

    Countries with no IXP are absent. An IXP counts when its status is active and a source
    (PeeringDB, PCH, or demo data) had listed it on or before the date."""
    from django.utils import timezone

    from isoc.infra.queries_ixps import ixps_by_country as count

    return count(as_of or timezone.localdate())
