"""远程查床: issue a bed-check task, record its result into settlement.BedCheck."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.selectors import AnyUser, settlements_visible_to
from screening.audit import roles, selectors
from screening.audit.models import BedCheckTask, CaseState, InvestigationStep
from screening.audit.services.cases import case_fetch
from screening.audit.services.common import AuditError, NotVisible, require_aware
from settlement.models import BedCheck

RESULT_CODES = {  # the task's result -> settlement.BedCheck.Result (what BED_BLOCKING reads)
    BedCheckTask.Result.PRESENT: BedCheck.Result.PRESENT,
    BedCheckTask.Result.ABSENT: BedCheck.Result.ABSENT,
    BedCheckTask.Result.NO_SUCH_PATIENT: BedCheck.Result.NO_SUCH_PATIENT,
}
ANSWER_WITHIN = timedelta(hours=2)  # a remote check is only worth something the same morning


@transaction.atomic
def bed_check_issue(
    *,
    user: AnyUser,
    setl_id: str,
    case_id: int | None = None,
    instructions: str = "",
    at: datetime,
) -> BedCheckTask:
    """Ask for a remote bed check of an inpatient encounter, within the case if one is named."""
    if not roles.is_audit_user(user):
        raise AuditError(_("Only auditors may issue bed checks."))
    settlement = settlements_visible_to(user).filter(pk=setl_id).first()
    if settlement is None:
        raise NotVisible(_("No such settlement in your area: %(id)s.") % {"id": setl_id})
    if not settlement.is_inpatient:
        raise AuditError(
            _("Settlement %(id)s is not an inpatient stay; only inpatients get bed checks.")
            % {"id": setl_id}
        )
    case = None
    if case_id is not None:
        case = case_fetch(user=user, case_id=case_id)
        if case.state not in (CaseState.INVESTIGATING, CaseState.APPEALED):
            raise AuditError(_("Bed checks are issued while the case is investigated."))
    task = BedCheckTask.objects.create(
        case=case,
        settlement=settlement,
        issued_by=user,
        issued_at=at,
        due_at=at + ANSWER_WITHIN,
        instructions=instructions.strip()[:500],
    )
    if case is not None:
        InvestigationStep.objects.create(
            case=case,
            kind=InvestigationStep.Kind.BED_CHECK,
            by=user,
            at=at,
            description=_("Bed check BC%(task)s issued for settlement %(id)s.")
            % {"task": task.pk, "id": setl_id},
        )
    return task


def _may_record(task: BedCheckTask, user: AnyUser) -> bool:
    if roles.is_hospital_of(user, task.settlement.institution_id):
        return True
    return selectors.bed_check_tasks_visible_to(user).filter(pk=task.pk).exists() and (
        roles.is_audit_user(user)
    )


@transaction.atomic
def bed_check_record(
    *,
    task_id: int,
    result: str,
    checked_at: datetime,
    note: str,
    recorded_by: AnyUser,
    at: datetime | None = None,
) -> BedCheckTask:
    """Record the result (present / absent / no_such_patient); recording again corrects it.

    The result is written to settlement.BedCheck, where BED_BLOCKING reads it."""
    task = (
        BedCheckTask.objects.select_for_update(of=("self",))
        .select_related("settlement")
        .filter(pk=task_id)
        .first()
    )
    if task is None or not _may_record(task, recorded_by):
        raise NotVisible(_("No such bed check task for you: %(id)s.") % {"id": task_id})
    if result not in RESULT_CODES:
        raise AuditError(
            _("Bed check result must be one of %(allowed)s, not “%(result)s”.")
            % {"allowed": ", ".join(RESULT_CODES), "result": result}
        )
    require_aware(checked_at, what=_("checked at"))
    if checked_at < task.issued_at - timedelta(minutes=5):
        raise AuditError(_("The check cannot have happened before the task was issued."))
    task.result, task.checked_at, task.note = result, checked_at, (note or "").strip()[:500]
    task.recorded_by, task.recorded_at = recorded_by, at or timezone.now()
    task.save()
    BedCheck.objects.update_or_create(
        check_id=task.check_id,
        defaults={
            "settlement_id": task.settlement.encounter_id,
            "checked_at": checked_at,
            "result": RESULT_CODES[result],
            "note": task.note,
        },
    )
    if task.case_id is not None:
        InvestigationStep.objects.create(
            case_id=task.case_id,
            kind=InvestigationStep.Kind.BED_CHECK,
            by=recorded_by,
            at=task.recorded_at,
            description=_("Bed check BC%(task)s: %(result)s at %(time)s. %(note)s")
            % {
                "task": task.pk,
                "result": task.get_result_display(),
                "time": f"{timezone.localtime(checked_at):%Y-%m-%d %H:%M}",
                "note": task.note,
            },
        )
    return task
