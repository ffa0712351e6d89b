"""IWN assessment API."""

from ninja import Router

router = Router(tags=["impact assessment"])
