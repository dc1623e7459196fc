"""稽核处理: the outcomes of a decided case, applied to the registry where they act on it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from medins import services as registry
from medins.models import Designation, Practitioner
from medins.selectors import AnyUser
from screening.audit.models import CaseState, Outcome
from screening.audit.services.cases import case_fetch
from screening.audit.services.common import AuditError, require_audit_user

MONEY_KINDS = (Outcome.Kind.RECOVERY, Outcome.Kind.FINE)


def _amount(value: object) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise AuditError(_("Amount “%(value)s” is not a sum of yuan.") % {"value": value}) from None
    if amount <= 0:
        raise AuditError(_("Amount must be more than 0 yuan, not %(value)s.") % {"value": amount})
    return amount


@transaction.atomic
def outcome_record(
    *,
    user: AnyUser,
    case_id: int,
    kind: str,
    at: datetime,
    amount: object = None,
    due_date: date | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
    practitioner_code: str = "",
    points: int | None = None,
    authority: str = "",
    note: str = "",
) -> Outcome:
    """Record one outcome of a decided case; suspension, termination and points change the
    registry (designation periods, the practitioner's 12-point ledger) at the same time."""
    require_audit_user(user)
    case = case_fetch(user=user, case_id=case_id)
    if case.state != CaseState.DECIDED:
        raise AuditError(_("Outcomes are recorded once the decision is approved (已处理)."))
    if kind not in Outcome.Kind.values:
        raise AuditError(_("Unknown outcome %(kind)s.") % {"kind": kind})
    outcome = Outcome(case=case, kind=kind, by=user, at=at, note=note.strip()[:500])
    reason = _("Audit case #%(id)s: %(note)s") % {"id": case.pk, "note": outcome.note or case.title}
    if kind in MONEY_KINDS:
        outcome.amount, outcome.due_date = _amount(amount), due_date
        if due_date is None:
            raise AuditError(_("A recovery order or a fine needs a due date."))
    elif kind in (Outcome.Kind.SUSPENSION, Outcome.Kind.TERMINATION):
        if case.institution is None:
            raise AuditError(_("This case is about no single institution."))
        if period_from is None or (kind == Outcome.Kind.SUSPENSION and period_to is None):
            raise AuditError(_("A suspension needs its first day and the day it ends."))
        outcome.period_from = period_from
        outcome.period_to = period_to if kind == Outcome.Kind.SUSPENSION else None
        status = (
            Designation.Status.SUSPENDED
            if kind == Outcome.Kind.SUSPENSION
            else Designation.Status.TERMINATED
        )
        try:
            registry.designation_set(
                institution=case.institution,
                status=status,
                effective_from=period_from,
                effective_to=outcome.period_to,
                reason=reason[:500],
                at=at,
            )
        except registry.RegistryError as error:
            raise AuditError(str(error)) from None
    elif kind == Outcome.Kind.POINTS:
        practitioner = Practitioner.objects.filter(pk=practitioner_code).first()
        if practitioner is None:
            raise AuditError(_("No practitioner %(code)s.") % {"code": practitioner_code or "-"})
        if case.institution_id and practitioner.institution_id != case.institution_id:
            raise AuditError(
                _("Practitioner %(code)s does not work at the case's institution.")
                % {"code": practitioner.pk}
            )
        try:
            registry.points_deduct(
                practitioner=practitioner, points=points, reason=reason[:500], at=at
            )
        except registry.RegistryError as error:
            raise AuditError(str(error)) from None
        outcome.practitioner, outcome.points = practitioner, points
    elif kind == Outcome.Kind.TRANSFER:
        if authority not in Outcome.Authority.values:
            raise AuditError(_("Say which authority the case goes to."))
        outcome.authority = authority
    outcome.save()
    return outcome


@transaction.atomic
def outcome_mark_paid(*, user: AnyUser, outcome_id: int, at: datetime) -> Outcome:
    """A recovery order or fine has been paid in full."""
    require_audit_user(user)
    outcome = Outcome.objects.select_for_update().filter(pk=outcome_id).first()
    if outcome is None:
        raise AuditError(_("No such outcome: %(id)s.") % {"id": outcome_id})
    case_fetch(user=user, case_id=outcome.case_id, lock=False)
    if outcome.kind not in MONEY_KINDS:
        raise AuditError(_("Only recovery orders and fines are paid."))
    outcome.paid_at = at
    outcome.save(update_fields=["paid_at"])
    return outcome
