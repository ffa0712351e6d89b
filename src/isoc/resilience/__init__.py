"""The Internet Resilience Index: per-country scores from pillars, dimensions and indicators."""
