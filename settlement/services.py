"""Writes of the settlement app: importing interchange batches (and exporting them back)."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from medins.models import Institution
from medins.security import spreadsheet_safe
from settlement.batch import export
from settlement.batch.common import file_error
from settlement.batch.load import load_batch
from settlement.batch.read import BatchReadError, batch_files, read_text, unpack_zip
from settlement.batch.validate import Validation, validate_batch
from settlement.models import ImportBatch

STORED_ERRORS = 50  # errors kept on the ImportBatch record; the report holds them all
REPORT_HEADER = ("level", "file", "row (header = row 1)", "column", "value", "reason")

Progress = Callable[[str], None]


def import_batch_create(*, source: Path, institution: Institution | None = None) -> ImportBatch:
    """Record a batch to import (pending); `import_batch_run` or the task imports it."""
    return ImportBatch.objects.create(source=str(source), institution=institution)


def batch_import(
    *,
    source: Path,
    today: date,
    institution: Institution | None = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Import a batch now, all or nothing; the returned record says done, rejected or failed."""
    batch = import_batch_create(source=source, institution=institution)
    return import_batch_run(import_batch_id=batch.pk, today=today, progress=progress)


def import_batch_run(
    *, import_batch_id: int, today: date, progress: Progress | None = None
) -> ImportBatch:
    """Read, validate and (when valid) load a pending batch. Running it twice does nothing."""
    claimed = ImportBatch.objects.filter(
        pk=import_batch_id, status=ImportBatch.Status.PENDING
    ).update(status=ImportBatch.Status.RUNNING, started_at=timezone.now())
    batch = ImportBatch.objects.select_related("institution").get(pk=import_batch_id)
    if not claimed:
        return batch  # another run has it or had it
    step = progress or (lambda name: None)
    source = Path(batch.source)
    with tempfile.TemporaryDirectory(prefix="medins-import-") as folder:
        try:
            root = unpack_zip(source, Path(folder)) if source.suffix.lower() == ".zip" else source
            texts = {}
            for found in batch_files(root):
                step(f"read {found.label}")
                texts[found.spec.name] = (found.label, read_text(found))
        except BatchReadError as error:
            return _reject(batch, file_error(error.file, str(error)), [])
    step("validate")
    institution_code = batch.institution.code if batch.institution else None
    validation = validate_batch(texts, today=today, institution_code=institution_code)
    batch.row_counts = {label: {"rows": text.height} for label, text in texts.values()}
    if validation.errors.height:
        return _reject(batch, validation.errors, validation.warnings)
    return _load(batch, validation, step)


def _load(batch: ImportBatch, validation: Validation, step: Progress) -> ImportBatch:
    try:
        with transaction.atomic(durable=True):
            counts = load_batch(validation.files, validation.catalog_plan, step=step)
    except DatabaseError as error:  # validation missed something the database refused
        batch.errors = [{"file": "", "row": None, "column": "", "value": "", "reason": str(error)}]
        batch.error_count = 1
        return _finish(batch, ImportBatch.Status.FAILED, validation.warnings)
    batch.row_counts = counts
    return _finish(batch, ImportBatch.Status.DONE, validation.warnings)


def _reject(batch: ImportBatch, errors: pl.DataFrame, warnings: list[dict]) -> ImportBatch:
    batch.error_count = errors.height
    batch.errors = errors.head(STORED_ERRORS).to_dicts()
    batch.report_path = str(_write_report(Path(batch.source), errors, warnings))
    return _finish(batch, ImportBatch.Status.REJECTED, warnings)


def _finish(batch: ImportBatch, status: str, warnings: list[dict]) -> ImportBatch:
    batch.status = status
    batch.errors = _storable(batch.errors)
    batch.warnings = _storable(warnings)
    batch.finished_at = timezone.now()
    batch.save()
    return batch


def _storable(rows: list[dict]) -> list[dict]:
    """PostgreSQL's jsonb cannot hold NUL: a value quoted from a hostile file shows it as \\x00."""
    return [
        {key: v.replace("\x00", "\\x00") if isinstance(v, str) else v for key, v in row.items()}
        for row in rows or []
    ]


def report_name(source: Path) -> str:
    """`<batch name>.errors.csv`: the folder's name, or the file's stem."""
    name = source.name if source.is_dir() else source.stem
    return f"{name}.errors.csv"


def _write_report(source: Path, errors: pl.DataFrame, warnings: list[dict]) -> Path:
    """Beside the batch when its folder takes it (never inside a zip), else IMPORT_REPORT_DIR."""
    places = [] if source.suffix.lower() == ".zip" else [source.parent]
    places.append(Path(settings.IMPORT_REPORT_DIR))
    for folder in places:
        path = folder / report_name(source)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_report_to(path, errors, warnings)
        except OSError:
            continue
        return path
    raise OSError(f"cannot write the error report in {places}")


def _write_report_to(path: Path, errors: pl.DataFrame, warnings: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as report:
        writer = csv.writer(report)
        writer.writerow(REPORT_HEADER)
        for row in errors.iter_rows(named=True):
            writer.writerow(["error", *(_cell(row[key]) for key in ERROR_KEYS)])
        for row in warnings:
            writer.writerow(["warning", *(_cell(row[key]) for key in ERROR_KEYS)])


ERROR_KEYS = ("file", "row", "column", "value", "reason")


def _cell(value: object) -> str:
    return spreadsheet_safe(value)  # people open the report in Excel: no formula runs


def batch_export(
    *, out: Path, file_format: str = "csv", institution_code: str | None = None
) -> dict[str, int]:
    """Write the stored rows as a batch into out; returns rows written per file."""
    return export.export_batch(out=out, file_format=file_format, institution_code=institution_code)
