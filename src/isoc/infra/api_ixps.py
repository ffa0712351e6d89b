"""IXP API."""

from ninja import Router

router = Router(tags=["ixps"])
