"""Internet Resilience Index pages."""

from django.http import HttpResponse


def index(request):  # replaced by the resilience work of issue 8
    return HttpResponse(status=404)
