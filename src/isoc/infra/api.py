"""Infra API: IXPs (``api_ixps``) and community networks (``api_community``)."""

from ninja import Router

from isoc.infra.api_community import router as community_router
from isoc.infra.api_ixps import router as ixps_router

router = Router()
router.add_router("/ixps/", ixps_router)
router.add_router("/community-networks/", community_router)
