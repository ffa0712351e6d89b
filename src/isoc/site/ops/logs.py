"""Structured logs: one JSON object per line, every line of a request with its id.

``ISOC_LOG_FORMAT=json`` selects :class:`JsonFormatter` (production, read by a log
shipper); the default ``text`` stays readable in a terminal. Nothing here imports Django:
the settings module builds its LOGGING from :func:`logging_config`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from isoc.site.ops import context

# Attributes a log call may pass with ``extra=`` that belong in the JSON object.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id", "route")


class ContextFilter(logging.Filter):
    """Stamp every record with the current request id and task id (or None)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = context.request_id.get()
        if not getattr(record, "task_id", None):
            record.task_id = context.task_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if getattr(record, "task_id", None):
            entry["task_id"] = record.task_id
        for field in REQUEST_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(log_format: str) -> dict:
    """Django's LOGGING for ``text`` or ``json``: warnings and up from everything, and the
    one access line per request from ``isoc.access``."""
    formatter = {"()": JsonFormatter} if log_format == "json" else {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {"isoc": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": "isoc"}},
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {"isoc.access": {"level": "INFO"}},
    }
