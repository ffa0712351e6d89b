"""Pulse pages. (Scaffold: the pulse-core work fills these in.)"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from isoc.pulse.models import Country, Dataset, Story


def index(request):
    return render(request, "pulse/index.html", {"datasets": Dataset.objects.select_related("source")})


def country(request, code: str):
    return render(request, "pulse/country.html", {"country": get_object_or_404(Country, code=code.upper())})


def dataset(request, slug: str):
    return render(request, "pulse/dataset.html", {"dataset": get_object_or_404(Dataset, slug=slug)})


def story(request, slug: str):
    story = get_object_or_404(Story, slug=slug)
    if story.state != Story.State.PUBLISHED and not request.user.is_staff:
        raise Http404
    return render(request, "pulse/story.html", {"story": story})
