"""What the current request or task is, for every log line written while it runs.

Context variables, not thread locals: gunicorn's threads and Celery's workers each see
their own, and a value set for one request never leaks into the next.
"""

from __future__ import annotations

import contextvars
import re
import secrets

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("isoc_request_id", default=None)
task_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("isoc_task_id", default=None)

# What a proxy may hand us as a request id: a short token, nothing that could forge a log
# line (no spaces, quotes, newlines) or blow up a log index.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


def new_request_id() -> str:
    return secrets.token_hex(16)


def accept_request_id(offered: str | None) -> str:
    """The proxy's X-Request-ID when it is a sane token, else a new one."""
    if offered and SANE_REQUEST_ID.fullmatch(offered):
        return offered
    return new_request_id()
