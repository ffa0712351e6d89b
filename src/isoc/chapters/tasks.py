"""Celery tasks of the chapters app."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="isoc.chapters.tasks.review_standing")
def review_standing() -> int:
    """The daily standards review (``services.review_all``); returns how many chapters changed."""
    from isoc.chapters.services import review_all

    return len(review_all())
