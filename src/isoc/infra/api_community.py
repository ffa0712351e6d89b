"""Community network API."""

from ninja import Router

router = Router(tags=["community networks"])
