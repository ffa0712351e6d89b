"""Site-wide pages: home, health check, and the bare view bench/web.py compares against."""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponse, JsonResponse
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
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bare(request):
    """The anchor of bench/web.py: Django's floor cost for one request."""
    return HttpResponse(b"ok", content_type="text/plain")
