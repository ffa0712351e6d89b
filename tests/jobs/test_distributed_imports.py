"""``isoc import`` with a real Redis and two real ``isoc worker`` processes.

1. A batch of imports spread over both workers leaves exactly the database state that the
   same command leaves without a broker (in one process, eagerly).
2. A worker SIGKILLed in the middle of the batch loses nothing and duplicates nothing: its
   task was acknowledged late, so Redis hands it to the other worker once the visibility
   timeout has passed (kombu's Redis transport keeps a delivered message in its "unacked"
   set; a worker's periodic sweep puts back those older than the timeout; a killed worker
   never acks nor requeues, and ``task_reject_on_worker_lost`` covers the case where only a
   pool process dies). Each file is still applied exactly once.
"""

from __future__ import annotations

import time

import pytest
from jobs_helpers import SHORT_VISIBILITY_TIMEOUT, canonical_dump, run_isoc, write_indicator_files

# transaction=True: the test database is copied (VACUUM INTO, CREATE DATABASE … TEMPLATE),
# which cannot happen inside the transaction a plain django_db test runs in.
pytestmark = [pytest.mark.xdist_group("jobs"), pytest.mark.django_db(transaction=True)]

FILES = 12


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return write_indicator_files(tmp_path_factory.mktemp("incoming"), FILES)


@pytest.fixture(scope="module")
def eager_state(job_database, batch):
    """What the command does without a broker: the state the workers must reproduce."""
    db = job_database()
    done = run_isoc(db, "import", "worldbank", *map(str, batch))
    assert done.returncode == 0, done.stdout + done.stderr
    return canonical_dump(db)


def test_a_batch_over_two_workers_gives_the_eager_state(redis_url, job_database, start_workers, batch, eager_state):
    db = job_database()
    workers = start_workers(db, f"{redis_url}/0")
    done = run_isoc(db, "import", "worldbank", *map(str, batch), broker=f"{redis_url}/0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": applied,") == FILES
    assert canonical_dump(db) == eager_state
    assert len(eager_state["applied"]) == FILES and len(eager_state["values"]) == FILES * 60 * 20
    for worker in workers.members:  # the batch really was shared
        assert "succeeded in" in worker.log_text(), f"{worker.name} did no work:\n{worker.log_text()}"


def test_a_worker_killed_mid_batch_loses_nothing(redis_url, job_database, start_workers, batch, eager_state):
    from celery import Celery

    broker = f"{redis_url}/1"
    db = job_database()
    workers = start_workers(db, broker, visibility_timeout=SHORT_VISIBILITY_TIMEOUT)
    held = batch[3]
    hold = held.with_name(held.name + ".hold")
    hold.touch()  # the task of this file waits inside its worker (isoc.site.celery's test hook)
    try:
        done = run_isoc(db, "import", "worldbank", "--no-wait", *map(str, batch), broker=broker)
        assert done.returncode == 0, done.stdout + done.stderr
        task_ids = dict(line.rsplit(": queued as task ", 1) for line in done.stdout.splitlines())
        assert len(task_ids) == FILES
        # Not the current app: shared tasks follow the current app, and later tests in this
        # process would send their tasks to this (by then stopped) Redis.
        results = Celery(broker=broker, backend=broker, set_as_current=False)
        held_task = results.AsyncResult(task_ids[str(held)])
        deadline = time.monotonic() + 60
        while held_task.state != "STARTED":
            assert time.monotonic() < deadline, "the held task never started"
            time.sleep(0.05)
        victim = workers.by_hostname(held_task.info["hostname"])
        victim.kill()
    finally:
        hold.unlink()
    survivor = next(w for w in workers.members if not w.killed)
    deadline = time.monotonic() + 90
    pending = [results.AsyncResult(i) for i in task_ids.values()]
    while not all(r.ready() for r in pending):
        assert time.monotonic() < deadline, f"tasks left unfinished:\n{survivor.log_text()}"
        time.sleep(0.1)
    assert all(r.successful() for r in pending)
    # The survivor ran the killed worker's task (redelivered). A task that outlived the
    # short visibility timeout on a slow machine may have run twice, the second time as
    # "unchanged": what counts is the database, where each file was applied exactly once.
    assert f"run_import[{held_task.id}] succeeded" in survivor.log_text()
    assert {r.result["outcome"] for r in pending} <= {"applied", "unchanged"}
    state = canonical_dump(db)
    assert state == eager_state
    assert len(state["applied"]) == FILES == len({run[0] for run in state["applied"]})
