"""Batch upload: a .zip becomes an import job; status, error report, scoping, broker down."""

from __future__ import annotations

import csv
import io
import shutil
import time
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from kombu.exceptions import OperationalError

from settlement.api.credentials import api_credential_issue
from settlement.models import ImportBatch, Settlement
from settlement.services import batch_import
from tests.api.conftest import key_client
from tests.celery_worker import service_mode
from tests.settlement.conftest import TODAY

SMALL = Path(__file__).resolve().parents[2] / "fixtures" / "small"
REGISTRY = ("divisions", "institutions", "practitioners", "persons", "catalog")
OWN = ("settlements", "diagnoses", "fee_details")
QILU = "H37010200001"
BATCHES = "/api/v1/batches/"


def _rows_of(name: str, keep: set[str], key: str) -> str:
    with (SMALL / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(row for row in reader if row[key] in keep)
    return out.getvalue()


def zipped(files: dict[str, str]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"batch/{name}.csv", text)
    return SimpleUploadedFile("batch.zip", buffer.getvalue(), content_type="application/zip")


def qilu_batch(**spoil: str) -> SimpleUploadedFile:
    """Qilu's own rows of fixtures/small: one settlement (M0001), its diagnosis and lines."""
    files = {name: _rows_of(name, {QILU}, "fixmedins_code") for name in ("settlements",)}
    files["diagnoses"] = _rows_of("diagnoses", {"M0001"}, "mdtrt_id")
    files["fee_details"] = _rows_of("fee_details", {QILU}, "fixmedins_code")
    files.update(spoil)
    return zipped(files)


@pytest.fixture
def registry(importer, tmp_path) -> dict:
    folder = tmp_path / "registry"
    folder.mkdir()
    for name in REGISTRY:
        shutil.copy(SMALL / f"{name}.csv", folder / f"{name}.csv")
    assert batch_import(source=folder, today=TODAY).status == ImportBatch.Status.DONE
    from medins.models import Institution

    return {
        "qilu": key_client(
            api_credential_issue(institution=Institution.objects.get(pk=QILU), name="HIS").key
        ),
        "qingdao": key_client(
            api_credential_issue(
                institution=Institution.objects.get(pk="H37020200001"), name="HIS"
            ).key
        ),
    }


def upload(client, archive):
    return client.post(BATCHES, {"file": archive}, format="multipart")


def finished(client, job_id: int) -> dict:
    """The job once the importer is done with it (a real worker takes a moment)."""
    deadline = time.monotonic() + 60
    while True:
        body = client.get(f"{BATCHES}{job_id}/").json()
        if body["status"] not in ("pending", "running") or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


@pytest.fixture
def importer(request, transactional_db):
    """Eager tasks in embedded mode; in service mode, a real worker on committed data."""
    if service_mode():
        request.getfixturevalue("celery_worker")


class TestBatchUpload:
    def test_imports_the_institutions_batch(self, registry):
        response = upload(registry["qilu"], qilu_batch())

        assert response.status_code == 202
        job = finished(registry["qilu"], response.json()["job_id"])
        assert job["status"] == "done"
        assert job["error_report"] is None
        assert Settlement.objects.filter(institution_id=QILU).count() == 1

    def test_a_rejected_batch_has_an_error_report(self, registry):
        foreign = _rows_of("settlements", {"H37020200001"}, "fixmedins_code")

        response = upload(registry["qilu"], qilu_batch(settlements=foreign))

        job = finished(registry["qilu"], response.json()["job_id"])
        assert job["status"] == "rejected"
        assert job["error_count"] > 0
        assert any(error["column"] == "fixmedins_code" for error in job["errors"])
        report = registry["qilu"].get(job["error_report"])
        assert report.status_code == 200
        assert report["Content-Type"].startswith("text/csv")
        assert b"fixmedins_code" in b"".join(report.streaming_content)
        assert not Settlement.objects.exists()

    def test_another_institution_cannot_see_the_job(self, registry):
        job_id = upload(registry["qilu"], qilu_batch()).json()["job_id"]

        assert registry["qingdao"].get(f"{BATCHES}{job_id}/").status_code == 404
        assert registry["qingdao"].get(f"{BATCHES}{job_id}/report/").status_code == 404


class TestBatchUploadRefusals:
    def test_a_file_that_is_not_a_zip_is_a_field_error(self, registry):
        text = SimpleUploadedFile("batch.csv", b"setl_id\n", content_type="text/csv")

        response = upload(registry["qilu"], text)

        assert response.status_code == 400
        assert "file" in response.json()["error"]["fields"]
        assert not ImportBatch.objects.filter(institution_id=QILU).exists()

    def test_a_missing_file_is_a_field_error(self, registry):
        response = registry["qilu"].post(BATCHES, {}, format="multipart")

        assert response.status_code == 400
        assert "file" in response.json()["error"]["fields"]

    def test_without_the_broker_answers_503_and_keeps_nothing(self, registry, settings):
        with mock.patch(
            "settlement.tasks.batch_import.apply_async",
            side_effect=OperationalError("Error 111 connecting to redis: Connection refused."),
        ):
            response = upload(registry["qilu"], qilu_batch())

        assert response.status_code == 503
        assert response.json()["error"]["code"] == "service_unavailable"
        assert not ImportBatch.objects.filter(institution_id=QILU).exists()
        uploads = Path(settings.MEDIA_ROOT) / "api-batches" / QILU
        assert not any(uploads.iterdir())


class TestRequeue:
    def test_a_pending_upload_whose_message_was_lost_is_imported(self, registry, settings):
        from datetime import timedelta

        from django.utils import timezone

        from settlement.api.batches import batch_uploads_requeue

        with mock.patch("settlement.tasks.batch_import.apply_async"):  # the message is lost
            job_id = upload(registry["qilu"], qilu_batch()).json()["job_id"]
        assert ImportBatch.objects.get(pk=job_id).status == ImportBatch.Status.PENDING

        queued = batch_uploads_requeue(older_than=timezone.now() + timedelta(seconds=1))

        assert queued == 1
        assert finished(registry["qilu"], job_id)["status"] == "done"
        assert batch_uploads_requeue(older_than=timezone.now() + timedelta(seconds=1)) == 0
