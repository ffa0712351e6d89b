"""JSON API of the pulse app, mounted under /api/v1/pulse/."""

from ninja import Router

router = Router(tags=["pulse"])
