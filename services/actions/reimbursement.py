"""零星报销: scanned documents, and the second review that creates a screened settlement."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.models import CatalogItem, Institution
from medins.uploads import UploadRejected, upload_store
from services.actions import ServiceError
from services.actions.window import _aware, _check_actor, move, sms
from services.models import RequestDocument, ServiceItem, ServiceRequest
from settlement.models import Diagnosis, FeeLine, Settlement

# Scans are PDFs or photos; medins.uploads checks the first bytes agree with the name.
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
ZERO = Decimal("0.00")


def _max_bytes() -> int:
    return getattr(settings, "SERVICES_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


@transaction.atomic(durable=True)
def document_upload(
    *, user: AbstractBaseUser, request: ServiceRequest, upload: UploadedFile, at: datetime
) -> RequestDocument:
    """Store a scan under MEDIA_ROOT with its SHA-256; refuses other types and big files."""
    _aware(at)
    _check_actor(user, request)
    if not request.is_open:
        raise ServiceError(_("Request %(number)s is closed.") % {"number": request.number})
    try:
        stored = upload_store(
            file=upload,
            area="services",
            allowed_extensions=SCAN_EXTENSIONS,
            max_bytes=_max_bytes(),
        )
    except UploadRejected as rejected:
        raise ServiceError(str(rejected)) from None
    document = RequestDocument(
        request=request,
        original_name=stored.original_name[:200],
        content_type=CONTENT_TYPES[stored.extension],
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=user,
        uploaded_at=at,
    )
    document.file.name = stored.name
    document.save()
    return document


def _first_reviewer(request: ServiceRequest) -> int | None:
    event = request.events.filter(action="first_review").order_by("-at").first()
    return event.user_id if event else None


def _settlement_build(request: ServiceRequest, at: datetime) -> Settlement:
    details = request.details
    begin = datetime.combine(
        datetime.fromisoformat(details["begin_date"]).date(),
        time(8),
        timezone.get_current_timezone(),
    )
    end = datetime.combine(
        datetime.fromisoformat(details["end_date"]).date(),
        time(17),
        timezone.get_current_timezone(),
    )
    total = Decimal(details["total"])
    settlement = Settlement.objects.create(
        setl_id=f"LB{request.number}",
        encounter_id=f"LBE{request.number}",
        person=request.person,
        institution=Institution.objects.get(pk=details["institution_code"]),
        insurance_type=request.person.insurance_type,
        medical_type=details["medical_type"],
        begin_time=begin,
        end_time=max(begin, end),
        main_diagnosis=details.get("diagnosis", ""),
        total=total,
        fully_self_paid=ZERO,
        in_scope=total,
        fund_paid=ZERO,
        account_paid=ZERO,
        cash_paid=total,
        settled_at=at,
    )
    if details.get("diagnosis"):
        Diagnosis.objects.create(settlement=settlement, rank=1, code=details["diagnosis"])
    types = dict(
        CatalogItem.objects.filter(
            code__in=[line["item_code"] for line in details["fee_lines"]]
        ).values_list("code", "charge_type")
    )
    FeeLine.objects.bulk_create(
        FeeLine(
            line_id=f"{settlement.setl_id}-{number:03d}",
            settlement=settlement,
            encounter_id=settlement.encounter_id,
            person=request.person,
            institution=settlement.institution,
            occurred_at=begin,
            item_code=line["item_code"],
            charge_type=types.get(line["item_code"], "09"),
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            amount=Decimal(line["amount"]),
            charge_level=line["charge_level"],
        )
        for number, line in enumerate(details["fee_lines"], start=1)
    )
    return settlement


def _settle_by_policy(settlement: Settlement) -> tuple[bool, str]:
    """Amounts from the settlement policy in force; (False, why) when none settles it."""
    try:
        from settlement.policy.claims import claim_from_settlement
        from settlement.policy.services import claim_settle, settlement_usage_record

        breakdown = claim_settle(claim=claim_from_settlement(settlement))
    except ImportError:
        return False, _("the settlement policy module is not installed")
    except ValueError as error:  # engine.PolicyError and its kin
        return False, str(error)
    settlement.total = breakdown.medfee_sumamt
    settlement.fully_self_paid = breakdown.fulamt_ownpay_amt
    settlement.in_scope = breakdown.inscp_scp_amt
    settlement.fund_paid = breakdown.hifp_pay
    settlement.account_paid = breakdown.acct_pay
    settlement.cash_paid = breakdown.psn_cash_pay
    settlement.save()
    settlement_usage_record(settlement=settlement, breakdown=breakdown)
    return True, " ".join(breakdown.steps)


def _settle_by_hand(settlement: Settlement, fund_paid: Decimal) -> None:
    if fund_paid > settlement.total:
        raise ServiceError(
            _("The fund cannot pay %(fund)s yuan of a %(total)s yuan bill.")
            % {"fund": fund_paid, "total": settlement.total}
        )
    settlement.fund_paid = fund_paid
    settlement.cash_paid = settlement.total - fund_paid
    settlement.save()


@transaction.atomic(durable=True)
def request_second_review(
    *,
    user: AbstractBaseUser,
    request: ServiceRequest,
    approve: bool,
    note: str,
    at: datetime,
    fund_paid: Decimal | None = None,
) -> ServiceRequest:
    """复审 by another clerk; approval creates the settlement (policy amounts when a policy
    settles it, else the fund amount the reviewer enters), screened like any other."""
    _aware(at)
    if request.item.flow != ServiceItem.Flow.REIMBURSEMENT:
        raise ServiceError(_("Only manual reimbursements have a second review."))
    if _first_reviewer(request) == user.pk:
        raise ServiceError(_("The second review must be made by another clerk than the first."))
    if not approve:
        if not note.strip():
            raise ServiceError(_("Say why the reimbursement is denied."))
        return move(
            user=user,
            request=request,
            action="second_review",
            at=at,
            note=note,
            changes={"outcome": ServiceRequest.Outcome.DENIED, "reason": note.strip()[:500]},
            notice=sms("您的零星报销复审未通过:%(reason)s。", reason=note.strip()),
        )
    settlement = _settlement_build(request, at)
    by_policy, explanation = _settle_by_policy(settlement)
    if not by_policy:
        if fund_paid is None:
            raise ServiceError(
                _("No settlement policy settles this claim (%(why)s): enter the fund's amount.")
                % {"why": explanation}
            )
        _settle_by_hand(settlement, fund_paid)
        explanation = _("Fund amount entered by the reviewer: %(fund)s yuan.") % {"fund": fund_paid}
    return move(
        user=user,
        request=request,
        action="second_review",
        at=at,
        note=f"{note.strip()} {explanation}".strip(),
        changes={"outcome": ServiceRequest.Outcome.APPROVED, "settlement": settlement},
        notice=sms("您的零星报销已办结,基金支付%(fund)s元。", fund=f"{settlement.fund_paid:.2f}"),
    )
