"""Celery tasks of screening: each parses its message and calls one service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def screening_partition_run(*, partition_id: int, **kwargs: object) -> None:
    from screening.services.runs import screening_partition_run as run

    run(partition_id=partition_id)


@shared_task(acks_late=True)
def screening_run_finish(*, run_id: int, **kwargs: object) -> None:
    from screening.services.runs import screening_run_finish as finish

    finish(run_id=run_id, at=timezone.now())


@shared_task(acks_late=True)
def screening_scheduled(*, kind: str, **kwargs: object) -> int:
    """Beat's entry: 日审核 screens yesterday; 月筛查 screens last month with the models."""
    from screening.services.runs import screening_run_scheduled

    return screening_run_scheduled(kind=kind, at=timezone.now()).pk


@shared_task(acks_late=True)
def screening_sweep(**kwargs: object) -> int:
    """Re-queue partitions whose worker died (their lease expired)."""
    from screening.services.runs import screening_runs_resume

    return screening_runs_resume(at=timezone.now())
