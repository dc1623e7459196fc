"""`manage.py generate_province`: write a synthetic Jinan batch with injected irregularities."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from medins.generator import DEFAULT_RATE, generate_province


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("--start must be a date YYYY-MM-DD, got %(value)s") % {"value": value}
        ) from error


class Command(BaseCommand):
    help = "Write a synthetic interchange batch for Jinan (济南市) with known irregularities."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, required=True, help="insured persons")
        parser.add_argument("--months", type=int, required=True, help="months of activity")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same bytes")
        parser.add_argument("--out", type=Path, required=True, help="folder for the batch files")
        parser.add_argument(
            "--format", dest="file_format", choices=("csv", "parquet"), default="csv"
        )
        parser.add_argument(
            "--rate",
            type=float,
            default=DEFAULT_RATE,
            help="share of eligible subjects given each irregularity",
        )
        parser.add_argument(
            "--start", type=_day, default=date(2025, 1, 1), help="first day (YYYY-MM-DD)"
        )

    def handle(self, *args, **options) -> None:
        try:
            summary = generate_province(
                out=options["out"],
                persons=options["persons"],
                months=options["months"],
                seed=options["seed"],
                rate=options["rate"],
                start=options["start"],
                file_format=options["file_format"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        for name, count in summary.rows.items():
            self.stdout.write(f"{name:14} {count:>12,}")
        injected = ", ".join(f"{rule} {count}" for rule, count in summary.injected.items())
        self.stdout.write(_("Injected: %(list)s") % {"list": injected})
        self.stdout.write(self.style.SUCCESS(_("Batch written to %(out)s") % {"out": summary.out}))
