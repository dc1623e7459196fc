"""python manage.py import_batch PATH: import a batch (folder, .zip, one CSV or Parquet file)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from medins.models import Institution
from settlement.models import ImportBatch
from settlement.services import batch_import

PRINTED_ERRORS = 50


class Command(BaseCommand):
    help = _("Import an interchange batch, all or nothing; bad rows are reported, not stored.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="folder, .zip, or one .csv/.parquet file")
        parser.add_argument(
            "--today", type=date.fromisoformat, help="day changed catalog rows take effect"
        )
        parser.add_argument("--institution", help="institution code submitting the batch")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]
        institution = None
        if options["institution"]:
            institution = Institution.objects.filter(code=options["institution"]).first()
            if institution is None:
                raise CommandError(_("No institution %(code)s.") % {"code": options["institution"]})
        today = options["today"] or timezone.localdate()
        with self._progress() as bar:
            batch = batch_import(source=path, today=today, institution=institution, progress=bar)
        self._print(batch)
        if batch.status != ImportBatch.Status.DONE:
            raise CommandError(
                _("Batch %(source)s %(status)s: %(count)s errors, nothing stored.")
                % {"source": path, "status": batch.get_status_display(), "count": batch.error_count}
            )

    def _progress(self) -> _Progress:
        return _Progress(enabled=self.stdout.isatty())

    def _print(self, batch: ImportBatch) -> None:
        for error in batch.errors[:PRINTED_ERRORS]:
            self.stderr.write(_line(error))
        if batch.error_count > PRINTED_ERRORS:
            self.stderr.write(
                _("… and %(count)s more.") % {"count": batch.error_count - PRINTED_ERRORS}
            )
        if batch.report_path:
            self.stderr.write(_("Error report: %(path)s") % {"path": batch.report_path})
        for warning in batch.warnings[:PRINTED_ERRORS]:
            self.stdout.write(_("warning: ") + _line(warning))
        if len(batch.warnings) > PRINTED_ERRORS:
            self.stdout.write(
                _("… and %(count)s more warnings.")
                % {"count": len(batch.warnings) - PRINTED_ERRORS}
            )
        if batch.status == ImportBatch.Status.DONE:
            for label, counts in batch.row_counts.items():
                self.stdout.write(
                    _("%(file)s: %(rows)s rows, %(inserted)s new, %(updated)s updated, "
                      "%(unchanged)s unchanged") % {"file": label, **counts}
                )  # fmt: skip
            self.stdout.write(self.style.SUCCESS(_("Imported batch #%(id)s.") % {"id": batch.pk}))


def _line(error: dict) -> str:
    where = ":".join(str(part) for part in (error["file"], error["row"]) if part not in (None, ""))
    column = f" {error['column']}" if error.get("column") else ""
    value = f" = {error['value']!r}" if error.get("value") not in (None, "") else ""
    return f"{where}{column}{value}: {error['reason']}"


class _Progress:
    """A tqdm bar over the import's steps when stdout is a terminal; silent otherwise."""

    def __init__(self, *, enabled: bool) -> None:
        self.bar = tqdm(unit=" steps", file=sys.stdout, disable=not enabled)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()

    def __call__(self, step: str) -> None:
        self.bar.set_description(step)
        self.bar.update(1)
