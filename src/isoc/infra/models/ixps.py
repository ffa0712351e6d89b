"""IXPs, their LANs and prefixes, members over time, and their sources."""

__all__: list[str] = []
