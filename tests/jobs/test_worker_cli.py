"""``isoc worker`` and ``isoc beat`` without a broker refuse clearly; the settings a
broker brings (late acks, redelivery, JSON) are the ones the README promises."""

from __future__ import annotations

import subprocess
import sys

import pytest
from jobs_helpers import JobDatabase


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_refuses_without_a_broker(command, tmp_path):
    done = subprocess.run([sys.executable, "-m", "isoc.site.cli", command], env=JobDatabase(tmp_path).env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "no job broker is configured: set ISOC_BROKER_URL" in done.stderr


def test_settings_with_a_broker(tmp_path):
    """ISOC_BROKER_URL wins over the older CELERY_BROKER_URL; results go to the same Redis."""
    probe = ("import django; django.setup(); from isoc.site.celery import app, enqueueing; c = app.conf; "
             "print(enqueueing(), c.broker_url, c.result_backend, c.task_acks_late, c.task_reject_on_worker_lost, "
             "c.worker_prefetch_multiplier, c.task_serializer, c.broker_transport_options['visibility_timeout'])")
    env = JobDatabase(tmp_path).env(ISOC_BROKER_URL="redis://127.0.0.1:6390/0", CELERY_BROKER_URL="redis://old:1/0",
                                    DJANGO_SETTINGS_MODULE="isoc.site.settings")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "redis://127.0.0.1:6390/0", "redis://127.0.0.1:6390/0", "True", "True", "1",
                                   "json", "3600"], done.stderr
    env.pop("ISOC_BROKER_URL")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split()[:2] == ["True", "redis://old:1/0"], done.stderr


def test_eager_without_a_broker(settings):
    from isoc.site.celery import app, enqueueing

    assert not enqueueing() and app.conf.task_always_eager
