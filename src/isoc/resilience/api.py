"""Internet Resilience Index API."""

from ninja import Router

router = Router(tags=["resilience"])
