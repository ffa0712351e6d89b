"""The Celery app, and how commands hand bulk work to it.

Without a broker (``ISOC_BROKER_URL`` empty, the default of ``make run``) every task runs
eagerly in the calling process. With one, commands fan their work out as one task per
item (file, batch of domains…), and ``isoc worker`` processes on any number of machines
do it, sharing the database and the data folder.

Tasks are acknowledged late and given back to the broker when their worker dies, so a
task may run twice: every task must leave the same database state however often it runs
(the services it calls upsert by natural keys or skip work already done).

Files travel between machines by path: a file under the data folder is sent as
``$ISOC_DATA_DIR/<relative path>`` and found under each worker's own data folder, so the
folder may be mounted at different places; any other path must be absolute and the same
on every machine (a shared mount).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isoc.site.settings")

app = Celery("isoc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

DATA_DIR_PREFIX = "$ISOC_DATA_DIR/"


def enqueueing() -> bool:
    """True when a broker is configured: work goes to workers instead of running here."""
    return not app.conf.task_always_eager


def shared_path(path: str | Path) -> str:
    """How to name ``path`` to a worker that may run on another machine (see the module doc)."""
    from django.conf import settings

    path = Path(path).expanduser().resolve()
    try:
        return DATA_DIR_PREFIX + path.relative_to(Path(settings.DATA_DIR).resolve()).as_posix()
    except ValueError:
        return str(path)


def local_path(text: str) -> Path:
    """The file a ``shared_path`` names, on this machine."""
    from django.conf import settings

    if text.startswith(DATA_DIR_PREFIX):
        return Path(settings.DATA_DIR) / text[len(DATA_DIR_PREFIX):]
    return Path(text)


@dataclass
class ItemOutcome:
    """What became of one enqueued item: the task's return value, or why it failed."""

    label: str
    task_id: str
    value: Any = None
    error: str | None = None


@dataclass
class Batch:
    items: list[ItemOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[ItemOutcome]:
        return [i for i in self.items if i.error is not None]


def enqueue(task, calls: Iterable[tuple[str, tuple, dict]]) -> list[tuple[str, Any]]:
    """Send one task per ``(label, args, kwargs)``; the (label, AsyncResult) pairs."""
    return [(label, task.apply_async(args=args, kwargs=kwargs)) for label, args, kwargs in calls]


def wait(sent: list[tuple[str, Any]], advance: Callable[[int], None] = lambda n: None,
         poll: float = 0.2, timeout: float | None = None) -> Batch:
    """Wait until every sent task has finished (calling ``advance(1)`` as each does);
    a task that failed is reported with its error, never raised."""
    pending = dict(enumerate(sent))
    outcomes: dict[int, ItemOutcome] = {}
    deadline = None if timeout is None else time.monotonic() + timeout
    while pending:
        for n, (label, result) in list(pending.items()):
            if not result.ready():
                continue
            outcome = ItemOutcome(label, result.id)
            if result.successful():
                outcome.value = result.result
            else:
                outcome.error = f"{type(result.result).__name__}: {result.result}"
            outcomes[n] = outcome
            del pending[n]
            advance(1)
        if pending:
            if deadline is not None and time.monotonic() > deadline:
                for n, (label, result) in pending.items():
                    outcomes[n] = ItemOutcome(label, result.id, error="still running when the command stopped waiting")
                break
            time.sleep(poll)
    return Batch([outcomes[n] for n in sorted(outcomes)])


# --- test hook -----------------------------------------------------------------------------
# The SIGKILL test must kill a worker while it is inside a task, deterministically. With
# ISOC_JOBS_TEST_HOLD=1 in a worker's environment (tests only; never in a deployment), a task
# whose file argument ``F`` has a sibling ``F.hold`` waits before running until that file is
# removed. The test holds one file, kills the worker that started it, then releases it.
HOLD_ENV = "ISOC_JOBS_TEST_HOLD"


@task_prerun.connect
def _hold_for_tests(sender=None, task_id=None, args=None, kwargs=None, **_):
    if os.environ.get(HOLD_ENV) != "1":
        return
    for value in [*(args or ()), *(kwargs or {}).values()]:
        if isinstance(value, str) and value:
            hold = Path(str(local_path(value)) + ".hold")
            if hold.exists():
                # Celery records STARTED only after this signal: say it now, naming this
                # worker, so that the test knows whom to kill.
                sender.backend.store_result(task_id, {"pid": os.getpid(), "hostname": sender.request.hostname},
                                            "STARTED", request=sender.request)
            while hold.exists():
                time.sleep(0.05)
