"""A queued refund run computed by a real Celery worker (service mode only)."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest

from settlement.policy.models import RefundRun
from settlement.policy.refunds import refund_run_request


@pytest.mark.worker
def test_a_real_worker_computes_a_queued_run(celery_worker, revision, stays, policy_admin):
    run = refund_run_request(
        version=revision,
        period_from=date(2026, 1, 1),
        period_to=date(2027, 1, 1),
        user=policy_admin,
    )

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status not in (RefundRun.Status.QUEUED, RefundRun.Status.RUNNING):
            break
        time.sleep(0.5)

    assert run.status == RefundRun.Status.COMPUTED, run.error
    assert run.refund_total == Decimal("500.00")
