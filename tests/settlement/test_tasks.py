"""The Celery task imports a recorded batch once."""

from __future__ import annotations

from pathlib import Path

import pytest

from settlement import tasks
from settlement.models import FeeLine, ImportBatch
from settlement.services import import_batch_create


@pytest.mark.django_db
class TestBatchImportTask:
    def test_imports_the_recorded_batch(self, batch: Path):
        record = import_batch_create(source=batch)

        status = tasks.batch_import.apply(kwargs={"import_batch_id": record.pk}).get()

        record.refresh_from_db()
        assert status == record.status == ImportBatch.Status.DONE
        assert record.started_at is not None
        assert record.finished_at is not None
        assert FeeLine.objects.count() == 5

    def test_a_second_delivery_does_nothing(self, batch: Path):
        record = import_batch_create(source=batch)
        tasks.batch_import.apply(kwargs={"import_batch_id": record.pk})
        finished_at = ImportBatch.objects.get(pk=record.pk).finished_at

        tasks.batch_import.apply(kwargs={"import_batch_id": record.pk})

        assert ImportBatch.objects.get(pk=record.pk).finished_at == finished_at


@pytest.mark.worker
class TestBatchImportOnAWorker:
    def test_a_real_worker_imports_the_batch(self, celery_worker, batch: Path):
        record = import_batch_create(source=batch)

        status = tasks.batch_import.delay(import_batch_id=record.pk).get(timeout=120)

        assert status == ImportBatch.Status.DONE
        assert FeeLine.objects.count() == 5
