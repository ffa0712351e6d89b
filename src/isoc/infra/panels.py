"""Sections of a Pulse country page: IXPs and community networks (each module registers its own)."""

from isoc.infra import panels_community, panels_ixps  # noqa: F401
