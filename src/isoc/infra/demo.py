"""Demo data for IXPs and community networks (labelled demo)."""

from __future__ import annotations


def generate(*, reset: bool = False, seed: int = 2026) -> dict:
    from isoc.infra import demo_community, demo_ixps

    return {**demo_ixps.generate(reset=reset, seed=seed), **demo_community.generate(reset=reset, seed=seed)}


def remove() -> None:
    from isoc.infra import demo_community, demo_ixps

    demo_community.remove()
    demo_ixps.remove()
