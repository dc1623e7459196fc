"""Celery tasks of the settlement app: each parses its message and calls one service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def batch_import(*, import_batch_id: int, **kwargs: object) -> str:
    """Import a recorded batch (see import_batch_create); a second delivery does nothing."""
    from settlement.services import import_batch_run

    return import_batch_run(import_batch_id=import_batch_id, today=timezone.localdate()).status


@shared_task(acks_late=True)
def batch_uploads_requeue(*, minutes: int = 10, **kwargs: object) -> int:
    """Queue again API uploads still pending after `minutes` (their message was lost)."""
    from datetime import timedelta

    from settlement.api.batches import batch_uploads_requeue as requeue

    return requeue(older_than=timezone.now() - timedelta(minutes=minutes))
