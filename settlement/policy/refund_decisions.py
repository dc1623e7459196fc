"""Deciding a computed refund run (approve or reject) and exporting an approved one as CSV."""

from __future__ import annotations

import csv
from typing import TextIO

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.models import Role
from medins.security import spreadsheet_safe
from medins.selectors import institutions_visible_to, role_of
from settlement.policy.models import RefundRun
from settlement.policy.refunds import RefundError
from settlement.policy.selectors import refund_lines

DECIDERS = (Role.ADMIN, Role.SUPERVISOR)


@transaction.atomic(durable=True)
def refund_run_decide(
    *, run: RefundRun, user: AbstractBaseUser, approve: bool, note: str = ""
) -> RefundRun:
    """Approve or reject a computed run: a supervisor or administrator, not its author."""
    if role_of(user) not in DECIDERS:
        raise RefundError(_("Only a supervisor or an administrator may decide a refund run."))
    run = RefundRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RefundRun.Status.COMPUTED:
        raise RefundError(
            _("Refund run #%(pk)s is already %(status)s.")
            % {"pk": run.pk, "status": run.get_status_display()}
        )
    if run.created_by_id is not None and run.created_by_id == user.pk:
        raise RefundError(_("The person who computed a refund run may not decide it."))
    outside = run.lines.exclude(institution__in=institutions_visible_to(user))
    if outside.exists():
        raise RefundError(
            _("Refund run #%(pk)s includes institutions outside your region.") % {"pk": run.pk}
        )
    if not approve and not note.strip():
        raise RefundError(_("A rejection needs a reason."))
    run.status = RefundRun.Status.APPROVED if approve else RefundRun.Status.REJECTED
    run.decided_by = user
    run.decided_at = timezone.now()
    run.decision_note = note.strip()
    run.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return run


CSV_COLUMNS = (
    "fixmedins_code",
    "fixmedins_name",
    "setl_id",
    "psn_no",
    "setl_time",
    "prior_policy",
    "new_policy",
    "old_hifp_pay",
    "new_hifp_pay",
    "old_psn_pay",
    "new_psn_pay",
    "refund_amt",
)


def refund_run_write_csv(*, run: RefundRun, out: TextIO) -> int:
    """Write an approved run's refund list, institution by institution; returns the rows."""
    run = RefundRun.objects.select_related("version").get(pk=run.pk)
    if run.status != RefundRun.Status.APPROVED:
        raise RefundError(
            _("Refund run #%(pk)s is not approved; only approved runs are exported.")
            % {"pk": run.pk}
        )
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for line in refund_lines(run=run).filter(refund_amount__gt=0):
        settlement = line.settlement
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                line.institution_id,
                line.institution.name,
                settlement.setl_id,
                settlement.person_id,
                timezone.localtime(settlement.settled_at).strftime("%Y-%m-%d %H:%M:%S"),
                line.prior_version,
                run.version.code,
                line.old_hifp_pay,
                line.new_hifp_pay,
                line.old_personal,
                line.new_personal,
                line.refund_amount,
            )
        )
        rows += 1
    return rows
