"""Site-wide pages: home, health check, and the bare view bench/web.py compares against."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from isoc.members.models import Organization, Person


def home(request):
    from isoc.learning.services import learners_trained

    return render(request, "site/home.html", {
        "people": Person.objects.filter(erased_at__isnull=True).count(),
        "organizations": Organization.objects.filter(cancelled_at__isnull=True).count(),
        "learners_trained": learners_trained(),
    })


def health(request):
    """Liveness: this process answers (no dependency; /readyz checks the database)."""
    from isoc.site.ops.health import liveness

    return liveness(request)


def bare(request):
    """The anchor of bench/web.py: Django's floor cost for one request."""
    return HttpResponse(b"ok", content_type="text/plain")
