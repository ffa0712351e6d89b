"""Fixtures of the jobs tests (defined in jobs_helpers, next to the helpers they use)."""

from jobs_helpers import job_database, redis_url, start_workers  # noqa: F401
