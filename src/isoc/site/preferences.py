"""The reader's language and time zone: chosen on a form that works without
JavaScript, remembered in cookies, and saved on the account of a signed-in person
(whose emails then go out in that language)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from isoc.site.l10n import time_zones
from isoc.site.middleware import TZ_COOKIE

ONE_YEAR = 365 * 24 * 3600


def zone_choices() -> list[tuple[str, str]]:
    return [("", _("Detect from my browser (UTC without JavaScript)"))] + [
        (z, z.replace("_", " ")) for z in sorted(time_zones()) if "/" in z or z == "UTC"
    ]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=zone_choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def preferences(request: HttpRequest) -> HttpResponse:
    initial = {
        "language": translation.get_language(),
        "time_zone": request.time_zone if getattr(request, "time_zone_chosen", False) else "",
        "next": request.GET.get("next", ""),
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        language, zone = form.cleaned_data["language"], form.cleaned_data["time_zone"]
        response = redirect(_safe_next(request, form.cleaned_data["next"]))
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=ONE_YEAR, samesite="Lax")
        if zone:
            response.set_cookie(TZ_COOKIE, zone, max_age=ONE_YEAR, samesite="Lax")
        else:
            response.delete_cookie(TZ_COOKIE)
        if request.user.is_authenticated:
            request.user.preferred_language = language
            request.user.time_zone = zone
            request.user.save(update_fields=["preferred_language", "time_zone"])
        return response
    return render(request, "site/preferences.html", {"form": form})
