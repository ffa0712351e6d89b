from __future__ import annotations


def generate(*, reset: bool = False, seed: int = 2026) -> dict:
    return {}


def remove() -> None:
    pass
