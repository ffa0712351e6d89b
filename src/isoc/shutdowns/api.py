"""JSON API of the shutdowns app, mounted under /api/v1/pulse/."""

from ninja import Router

router = Router(tags=["shutdowns"])
