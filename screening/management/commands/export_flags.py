"""python manage.py export_flags [--run RUN_ID] --out DIR: flags.csv of a stored run."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from screening.exports import export_flags
from screening.management.commands._runs import add_run_arguments, chosen_run


class Command(BaseCommand):
    help = "Write flags.csv (interchange.md, Flag export) for the flags a stored run found."

    def add_arguments(self, parser: CommandParser) -> None:
        add_run_arguments(parser)

    def handle(self, *args: object, **options: object) -> None:
        run = chosen_run(options["run"])
        rows = export_flags(run=run, out=options["out"])
        self.stdout.write(f"run #{run.pk}: wrote flags.csv, {rows} rows")
