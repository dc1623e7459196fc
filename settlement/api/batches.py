"""Batch upload: an interchange .zip saved, recorded and queued for the existing importer.

Accepted means recorded and queued: when the broker refuses the message, the record and the
file are removed again and the caller hears 503, so nothing is accepted that could be lost.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from kombu.exceptions import OperationalError

from medins.models import Institution
from settlement import tasks
from settlement.api.encounters import new_id
from settlement.api.exceptions import ServiceUnavailable
from settlement.models import ImportBatch
from settlement.services import import_batch_create

UPLOAD_DIR = "api-batches"


def batch_upload_accept(
    *, institution: Institution, upload: UploadedFile, at: datetime
) -> ImportBatch:
    """Save the upload, record the import and queue it; raises ServiceUnavailable (503)."""
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR / institution.code
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{new_id('B', at)}.zip"
    with path.open("wb") as saved:
        for chunk in upload.chunks():
            saved.write(chunk)
    batch = import_batch_create(source=path, institution=institution)
    try:
        # Eager mode (no broker) imports right here; otherwise a worker picks it up.
        tasks.batch_import.apply_async(kwargs={"import_batch_id": batch.pk}, retry=False)
    except (OperationalError, ConnectionError) as error:
        batch.delete()
        path.unlink(missing_ok=True)
        raise ServiceUnavailable() from error
    batch.refresh_from_db()
    return batch


def batch_uploads_requeue(*, older_than: datetime) -> int:
    """Queue again every uploaded batch still pending since before older_than.

    A message the broker lost (a restart without persistence) would leave its batch pending
    for ever; queueing it again is safe, because the importer claims a batch only once.
    """
    stale = ImportBatch.objects.filter(
        status=ImportBatch.Status.PENDING,
        created_at__lt=older_than,
        source__contains=f"/{UPLOAD_DIR}/",
    ).values_list("pk", flat=True)
    count = 0
    for batch_id in stale:
        tasks.batch_import.apply_async(kwargs={"import_batch_id": batch_id})
        count += 1
    return count
