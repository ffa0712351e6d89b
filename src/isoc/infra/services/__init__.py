"""State changes of the infra app: ``services.ixps`` and ``services.community``."""
