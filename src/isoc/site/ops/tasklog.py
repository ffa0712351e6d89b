"""Celery tasks log with their task id: every line written while a task runs carries it
(the ``task_id`` of the JSON logs), as a request's lines carry the request id."""

from __future__ import annotations

from celery.signals import task_postrun, task_prerun

from isoc.site.ops import context

_tokens: dict[str, object] = {}


@task_prerun.connect(weak=False)
def _task_started(task_id=None, **_kwargs) -> None:
    _tokens[task_id] = context.task_id.set(task_id)


@task_postrun.connect(weak=False)
def _task_finished(task_id=None, **_kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        try:
            context.task_id.reset(token)
        except ValueError:  # reset from another context (eager task in a thread): just clear
            context.task_id.set(None)
