"""Admin for community networks."""
