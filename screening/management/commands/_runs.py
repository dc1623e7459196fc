"""What export_flags and export_scores share: which stored run to export."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from screening.models import ScreeningRun


def add_run_arguments(parser: CommandParser) -> None:
    parser.add_argument("--run", type=int, metavar="RUN_ID", help="default: the latest done run")
    parser.add_argument("--out", required=True, help="folder to write into")


def chosen_run(run_id: int | None) -> ScreeningRun:
    if run_id is not None:
        run = ScreeningRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"No screening run #{run_id}.")
        return run
    run = ScreeningRun.objects.filter(status=ScreeningRun.Status.DONE).order_by("-pk").first()
    if run is None:
        raise CommandError("No finished screening run to export; give --run.")
    return run
