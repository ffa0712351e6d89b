"""Glue between allauth, django-axes and isoc's accounts."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.first_name = data.get("first_name", "")
        user.last_name = data.get("last_name", "")
        user.country = data.get("country", "")
        if getattr(request, "LANGUAGE_CODE", None):
            user.preferred_language = request.LANGUAGE_CODE
        if commit:
            user.save()
            group, _ = Group.objects.get_or_create(name="member")
            user.groups.add(group)
        return user


def axes_username(request, credentials=None) -> str | None:
    """The address a login attempt was for, whether it came through allauth's form
    (field ``login``), Django's admin (``username``) or an ``authenticate()`` call."""
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for key in ("email", "login", "username"):
            value = source.get(key)
            if value:
                return str(value).strip().lower()
    return None
