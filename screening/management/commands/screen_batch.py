"""python manage.py screen_batch PATH --out DIR [--from D] [--to D]: files in, flags out."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from screening.batch import BatchSummary, screen_batch
from screening.files import BatchError


class Command(BaseCommand):
    help = "Screen an interchange batch (folder or .zip) without a database; write flags.csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="batch folder or .zip")
        parser.add_argument("--out", required=True, help="folder for flags.csv and scores")
        parser.add_argument("--from", dest="window_start", type=date.fromisoformat)
        parser.add_argument("--to", dest="window_end", type=date.fromisoformat)
        parser.add_argument(
            "--per-rule-timings",
            action="store_true",
            help="time each rule alone (reads the batch into memory first)",
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            summary = screen_batch(
                path=options["path"],
                out=options["out"],
                detected_at=timezone.now(),
                window_start=options["window_start"],
                window_end=options["window_end"],
                per_rule_timings=options["per_rule_timings"],
            )
        except BatchError as error:
            raise CommandError(str(error)) from error
        self._report(summary)

    def _report(self, summary: BatchSummary) -> None:
        write = self.stdout.write
        write(f"window {summary.window_start} .. {summary.window_end}, {summary.lines} fee lines")
        width = max((len(code) for code in summary.counts), default=10)
        for code, count in summary.counts.items():
            seconds = summary.timings.get(code)
            timing = f"{seconds:8.3f} s" if seconds is not None else ""
            write(f"  {code:<{width}} {count:>9} {timing}")
        phases = ("read", "rules", "write", "total")
        write("  " + ", ".join(f"{name} {summary.timings[name]:.3f} s" for name in phases))
        for name, rows in summary.written.items():
            write(f"wrote {name}: {rows} rows")
        for note in summary.notes:
            write(note)
