"""API tokens: made, checked and revoked here."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from isoc.members.models import ApiToken, Person

PREFIX = "isoc_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(person: Person, name: str) -> tuple[ApiToken, str]:
    """A new token for ``person``; the key is returned once and never stored."""
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(person=person, name=name[:100] or "token", prefix=key[len(PREFIX):][:8], key_hash=_hash(key))
    return token, key


def person_for_key(key: str) -> Person | None:
    if not key or not key.startswith(PREFIX) or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("person")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Written at most once a minute so a busy script does not turn reads into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person
