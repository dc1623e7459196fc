"""python manage.py export_batch --out DIR [--format csv|parquet] [--institution CODE]."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from settlement.batch.export import FORMATS
from settlement.services import batch_export


class Command(BaseCommand):
    help = _("Write the stored data as an interchange batch (national column names).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="folder to write into")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--institution", help="only this institution's rows")

    def handle(self, *args: object, **options: object) -> None:
        written = batch_export(
            out=options["out"],
            file_format=options["format"],
            institution_code=options["institution"],
        )
        for name, count in written.items():
            self.stdout.write(_("%(file)s: %(count)s rows") % {"file": name, "count": count})
