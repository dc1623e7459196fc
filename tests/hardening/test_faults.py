"""Faults in service mode: a process killed mid-write leaves nothing half-done.

The victims run in processes of their own on the test database (tests/hardening/
fault_runner.py); each stops at a known point with its transaction open and is SIGKILLed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from medins.celery import app
from screening.models import Flag, ScreeningPartition, ScreeningRun
from screening.services import runs
from settlement.models import ImportBatch, Settlement
from tests.celery_worker import ROOT, _database_url, service_mode
from tests.factories import shanghai
from tests.screening.runs.conftest import WINDOW, wait_for_end
from tests.settlement.conftest import FIXTURE, nothing_stored, run_import

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (service mode)"
)


@contextmanager
def stalled(
    tmp_path: Path, *args: str, trigger: Callable[[], object] = lambda: None
) -> Iterator[subprocess.Popen]:
    """Start a fault_runner process, `trigger` its work, wait until it stalls; yield it."""
    marker = tmp_path / "stalled"
    environment = {**os.environ, "DATABASE_URL": _database_url(), "FAULT_MARKER": str(marker)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.hardening.fault_runner", *args],
        cwd=ROOT,
        env=environment,
        start_new_session=True,  # its own process group: the kill reaches its children
    )
    try:
        trigger()
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert process.poll() is None, f"the process exited with {process.returncode}"
            assert time.monotonic() < deadline, "the process never reached its fault point"
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


class TestImportKilledHalfway:
    def test_nothing_is_stored_and_the_batch_imports_whole_afterwards(
        self, transactional_db, tmp_path
    ):
        with stalled(tmp_path, "import", str(FIXTURE)) as process:
            assert nothing_stored()  # persons are written, but not committed: invisible
            kill(process)

        assert nothing_stored()
        assert ImportBatch.objects.get().status == ImportBatch.Status.RUNNING  # as it died

        again = run_import(FIXTURE)

        assert again.status == ImportBatch.Status.DONE
        assert Settlement.objects.count() == again.row_counts["settlements.csv"]["rows"]


@pytest.mark.skipif(not service_mode(), reason="needs CELERY_BROKER_URL and PostgreSQL")
class TestWorkerKilledMidRun:
    def test_no_partial_flags_and_the_resumed_run_completes_once(
        self, celery_worker, screenable, tmp_path
    ):
        doomed_queue = f"{celery_worker}-doomed"
        started: list[ScreeningRun] = []

        def start_run() -> None:
            started.append(
                runs.screening_run_start(
                    window_start=WINDOW[0],
                    window_end=WINDOW[1],
                    at=shanghai(2026, 4, 1),
                    partitions=2,
                )
            )

        app.conf.task_default_queue = doomed_queue
        try:
            with stalled(tmp_path, "worker", doomed_queue, trigger=start_run) as process:
                assert not Flag.objects.exists()  # written inside its open transaction only
                kill(process)
        finally:
            app.conf.task_default_queue = celery_worker
            with app.connection_for_write() as broker:
                broker.default_channel.queue_purge(doomed_queue)
        run = started[0]
        assert not Flag.objects.exists()
        assert (
            ScreeningPartition.objects.filter(
                run=run, status=ScreeningPartition.Status.RUNNING
            ).count()
            == 1
        )

        # The lease runs out: the sweep (every 10 minutes) finds the dead worker's partition.
        expired = timezone.now() - runs.PARTITION_LEASE - timedelta(minutes=1)
        ScreeningPartition.objects.filter(run=run).update(claimed_at=expired)
        ScreeningRun.objects.filter(pk=run.pk).update(created_at=expired)
        queued = runs.screening_runs_resume(at=timezone.now())
        run = wait_for_end(run)

        assert queued == 2
        assert run.status == ScreeningRun.Status.DONE
        assert run.counts["OVER_PRICE"] == 2
        over_price = Flag.objects.filter(rule_code="OVER_PRICE")
        assert sorted(over_price.values_list("feedetl_sn", flat=True)) == ["F1", "F2"]
        attempts = sorted(run.partitions.values_list("attempts", flat=True))
        assert attempts == [1, 2]  # the killed one ran again, the other once
