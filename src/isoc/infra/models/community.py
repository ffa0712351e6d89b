"""Community networks."""

__all__: list[str] = []
