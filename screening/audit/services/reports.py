"""举报: a whistleblower report opens a case; its reward is tracked to payment."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from medins.selectors import AnyUser, institutions_visible_to
from screening.audit import roles
from screening.audit.models import Case, CaseTransition, WhistleblowerReport
from screening.audit.services.common import AuditError, NotVisible, require_audit_user, require_text


@transaction.atomic
def report_submit(
    *,
    user: AnyUser,
    institution_code: str,
    text: str,
    reporter_name: str = "",
    reporter_phone: str = "",
    anonymous: bool = False,
    at: datetime,
) -> WhistleblowerReport:
    """Record a report taken by an auditor and open a case about the reported institution."""
    require_audit_user(user)
    institution = institutions_visible_to(user).filter(pk=institution_code).first()
    if institution is None:
        raise NotVisible(
            _("No such institution in your area: %(code)s.") % {"code": institution_code or "-"}
        )
    text = require_text(text, what=_("What was reported"))
    phone = reporter_phone.strip()
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
        raise AuditError(_("Phone number “%(phone)s” should be 7 to 15 digits.") % {"phone": phone})
    case = Case.objects.create(
        title=_("Report about %(name)s") % {"name": institution.name},
        subject_kind=Case.Subject.INSTITUTION,
        subject_code=institution.pk,
        institution=institution,
        division_code=institution.division_code,
        source=Case.Source.REPORT,
        created_by=user,
        created_at=at,
    )
    case.deadline_from(at)
    case.save(update_fields=["deadline"])
    CaseTransition.objects.create(
        case=case,
        name="open",
        target=case.state,
        by=user,
        at=at,
        note=_("Opened from a whistleblower report."),
    )
    return WhistleblowerReport.objects.create(
        institution=institution,
        text=text,
        anonymous=anonymous,
        reporter_name="" if anonymous else reporter_name.strip()[:50],
        reporter_phone="" if anonymous else phone,
        received_by=user,
        received_at=at,
        case=case,
        reward_status=WhistleblowerReport.Reward.NONE
        if anonymous
        else WhistleblowerReport.Reward.PENDING,
    )


@transaction.atomic
def report_reward_set(
    *, user: AnyUser, report_id: int, status: str, amount: Decimal | None = None, at: datetime
) -> WhistleblowerReport:
    """A supervisor approves, refuses or pays the reporter's reward."""
    if not roles.is_approver(user):
        raise AuditError(_("Only a supervisor decides rewards."))
    report = (
        WhistleblowerReport.objects.select_for_update()
        .filter(pk=report_id, case__division_code__startswith=_region(user))
        .first()
    )
    if report is None:
        raise NotVisible(_("No such report in your area: %(id)s.") % {"id": report_id})
    if status not in WhistleblowerReport.Reward.values:
        raise AuditError(_("Unknown reward status %(status)s.") % {"status": status})
    if status in (WhistleblowerReport.Reward.APPROVED, WhistleblowerReport.Reward.PAID):
        if amount is None or amount <= 0:
            raise AuditError(_("An approved or paid reward needs an amount above 0 yuan."))
        report.reward_amount = amount
    report.reward_status = status
    report.reward_paid_at = at if status == WhistleblowerReport.Reward.PAID else None
    report.save()
    return report


def _region(user: AnyUser) -> str:
    profile = getattr(user, "profile", None)
    return profile.region_code if profile is not None else ""
