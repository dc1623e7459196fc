"""python manage.py export_scores [--run RUN_ID] --out DIR: the anomaly models' rankings."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from screening.exports import export_scores
from screening.management.commands._runs import add_run_arguments, chosen_run


class Command(BaseCommand):
    help = "Write institution_scores.csv and practitioner_scores.csv for a stored run."

    def add_arguments(self, parser: CommandParser) -> None:
        add_run_arguments(parser)

    def handle(self, *args: object, **options: object) -> None:
        run = chosen_run(options["run"])
        for name, rows in export_scores(run=run, out=options["out"]).items():
            self.stdout.write(f"run #{run.pk}: wrote {name}, {rows} rows")
