"""A run executed by a real Celery worker (service mode: PostgreSQL and Redis)."""

from __future__ import annotations

from screening.models import Flag, ScreeningRun
from screening.services import runs
from tests.factories import shanghai
from tests.screening.runs.conftest import WINDOW, wait_for_end


class TestRealWorker:
    def test_workers_run_the_partitions_and_finish_the_run(self, celery_worker, screenable):
        run = runs.screening_run_start(
            window_start=WINDOW[0], window_end=WINDOW[1], at=shanghai(2026, 4, 1), partitions=2
        )

        run = wait_for_end(run)

        assert run.status == ScreeningRun.Status.DONE
        assert run.partitions_done == 2
        assert run.counts["OVER_PRICE"] == 2
        assert set(Flag.objects.values_list("feedetl_sn", flat=True)) >= {"F1", "F2"}
        assert all(p.attempts == 1 for p in run.partitions.all())
