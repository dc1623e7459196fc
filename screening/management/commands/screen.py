"""python manage.py screen --from D --to D [--institution CODE ...]: one screening run."""

from __future__ import annotations

import sys
import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from screening.models import ScreeningRun
from screening.services import runs


class Command(BaseCommand):
    help = "Screen the settlements of a window with every enabled rule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="window_start", type=date.fromisoformat)
        parser.add_argument("--to", dest="window_end", type=date.fromisoformat)
        parser.add_argument("--institution", action="append", default=[], dest="institutions")
        parser.add_argument("--division", action="append", default=[], dest="divisions")
        parser.add_argument("--kind", choices=ScreeningRun.Kind.values, default="manual")
        parser.add_argument("--partitions", type=int, help="how many partitions (default: by size)")
        parser.add_argument("--resume", type=int, metavar="RUN_ID", help="resume a run")

    def handle(self, *args: object, **options: object) -> None:
        if options["resume"]:
            run = ScreeningRun.objects.filter(pk=options["resume"]).first()
            if run is None:
                raise CommandError(f"No screening run #{options['resume']}.")
            runs.screening_run_queue(run_id=run.pk)
        else:
            run = self._start(options)
        if settings.CELERY_TASK_ALWAYS_EAGER and not options["resume"]:
            self._run_here(run)
        else:
            self._follow(run)
        run.refresh_from_db()
        self._report(run)
        if run.status != ScreeningRun.Status.DONE:
            raise CommandError(f"Run #{run.pk} ended {run.status}: {run.error}")

    def _start(self, options: dict) -> ScreeningRun:
        if not options["window_start"] or not options["window_end"]:
            raise CommandError("Give the window: --from YYYY-MM-DD --to YYYY-MM-DD.")
        try:
            return runs.screening_run_start(
                window_start=options["window_start"],
                window_end=options["window_end"],
                at=timezone.now(),
                kind=options["kind"],
                institutions=options["institutions"],
                divisions=options["divisions"],
                partitions=options["partitions"],
                queue=not settings.CELERY_TASK_ALWAYS_EAGER,
            )
        except runs.ScreeningError as error:
            raise CommandError(str(error)) from error

    def _run_here(self, run: ScreeningRun) -> None:
        """Eager mode: run the partitions in this process, one bar step each."""
        partitions = list(run.partitions.values_list("pk", flat=True))
        for partition_id in tqdm(partitions, desc="screening", disable=not sys.stdout.isatty()):
            runs.screening_partition_run(partition_id=partition_id)

    def _follow(self, run: ScreeningRun) -> None:
        """Workers do the work; show their progress until the run ends."""
        bar = tqdm(total=run.partitions_total, desc="screening", disable=not sys.stdout.isatty())
        while run.status in (ScreeningRun.Status.RUNNING, ScreeningRun.Status.FINISHING):
            time.sleep(0.5)
            run.refresh_from_db()
            bar.update(run.partitions_done - bar.n)
        bar.close()

    def _report(self, run: ScreeningRun) -> None:
        self.stdout.write(
            f"Run #{run.pk} {run.window_start}–{run.window_end}: {run.status}, "
            f"{sum(run.counts.values())} findings in {run.partitions_total} partitions"
        )
        for code, count in sorted(run.counts.items()):
            self.stdout.write(f"  {code:<24} {count:>9}")
        for step, seconds in run.timings.items():
            self.stdout.write(f"  {step:<24} {seconds:>9.2f} s")
