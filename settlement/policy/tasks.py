"""Celery tasks of the policy app: each parses its message and calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def refund_run_fill(*, run_id: int, **kwargs: object) -> str:
    """Compute a queued refund run (see refund_run_request); a second delivery does nothing."""
    from settlement.policy.refunds import refund_run_fill as fill

    return fill(run_id=run_id).status
