"""Compute one refund run (政策性差额退费) for a retroactive policy version."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from settlement.policy.models import PolicyVersion
from settlement.policy.refunds import RefundError, refund_run_compute
from settlement.policy.selectors import refund_totals_by_institution


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Recompute the settlements of a period under a published policy version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--policy", dest="code", required=True, help="policy version code")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="day after the last")
        parser.add_argument("--institution", default="", help="only this institution's")
        parser.add_argument("--user", default="", help="username recorded as the author")

    def handle(self, *args: object, **options: str) -> None:
        version = PolicyVersion.objects.filter(code=options["code"]).first()
        if version is None:
            raise CommandError(f"No policy version has the code {options['code']!r}.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user is called {options['user']!r}.")
        try:
            run = refund_run_compute(
                version=version,
                period_from=_day(options["start"]),
                period_to=_day(options["end"]),
                institution_code=options["institution"],
                user=user,
            )
        except RefundError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Refund run #{run.pk}: {run.settlement_count} settlements recomputed, "
            f"{run.lines.count()} changed, refunds {run.refund_total} yuan."
        )
        for row in refund_totals_by_institution(run=run):
            self.stdout.write(
                f"  {row['institution_id']} {row['institution__name']}: "
                f"{row['refunded']} refunds, {row['refund_total']} yuan"
            )
