"""`manage.py backup [--out FILE]`: the database and the uploads in one archive."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from medins.auditlog import audit_record
from medins.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite backup) and MEDIA_ROOT into one .tar.gz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            type=Path,
            help="archive to write (default: var/backups/medins-<time>.tar.gz)",
        )

    def handle(self, *args: object, out: Path | None, **options: object) -> None:
        at = timezone.localtime()
        out = (
            out or Path(settings.BASE_DIR) / "var" / "backups" / f"medins-{at:%Y%m%d-%H%M%S}.tar.gz"
        )
        # Recorded before the dump, so the backup itself says when it was taken.
        audit_record(actor="manage.py backup", action="backup.create", detail={"out": str(out)})
        try:
            manifest = backup_create(out=out, at=at)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up the {manifest.vendor} database and {manifest.uploads} uploaded files "
            f"to {out}"
        )
