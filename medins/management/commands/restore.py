"""`manage.py restore FILE`: put back a `backup` archive (database and uploads), replacing both."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from medins.auditlog import audit_record
from medins.backup import BackupError, backup_read_manifest, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive: replaces the whole database and MEDIA_ROOT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask to confirm"
        )

    def handle(self, *args: object, archive: Path, interactive: bool, **options: object) -> None:
        try:
            manifest = backup_read_manifest(archive)
            if interactive:
                answer = input(
                    f"This replaces the whole database and every uploaded file with the backup "
                    f"of {manifest.created_at}. Type 'yes' to go on: "
                )
                if answer.strip() != "yes":
                    raise CommandError("Restore cancelled.")
            backup_restore(archive_path=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        audit_record(
            actor="manage.py restore",
            action="backup.restore",
            target=str(archive)[:200],
            detail={"created_at": manifest.created_at, "uploads": manifest.uploads},
        )
        self.stdout.write(
            f"Restored the {manifest.vendor} database and {manifest.uploads} uploaded files "
            f"from the backup of {manifest.created_at}"
        )
