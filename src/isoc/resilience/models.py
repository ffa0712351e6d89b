"""Internet Resilience Index models."""
