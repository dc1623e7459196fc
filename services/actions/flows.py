"""The flows that feed settlement: 门诊慢特病认定, 异地就医备案, 零星报销 (with documents).

Each item's flow decides what details a request carries and what review steps it takes:
plain and filing items are reviewed once; chronic certifications go on to an expert panel;
manual reimbursements have a first and a second review by two different clerks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.models import Institution
from services.actions import ServiceError
from services.actions.window import _aware, move, sms
from services.models import (
    ChronicCertification,
    CrossRegionFiling,
    ServiceItem,
    ServiceRequest,
)
from services.selectors import chronic_disease_options

# A certification lasts two years unless the panel says otherwise (Shandong's usual term).
CERTIFICATION_YEARS = 2
FILING_DAYS_DEFAULT = 365


def _day(details: dict, key: str, label: str) -> date:
    try:
        return date.fromisoformat(str(details.get(key, "")))
    except ValueError:
        raise ServiceError(
            _("%(field)s must be a date YYYY-MM-DD, got “%(value)s”.")
            % {"field": label, "value": details.get(key, "")}
        ) from None


def _amount(value: object, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ServiceError(
            _("%(field)s must be an amount in yuan, got “%(value)s”.")
            % {"field": label, "value": value}
        ) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(
            _("%(field)s must be a positive amount with at most two decimals, got %(value)s.")
            % {"field": label, "value": value}
        )
    return amount


def _chronic_details(details: dict) -> dict:
    code = str(details.get("disease_code", "")).strip()
    options = dict(chronic_disease_options())
    if code not in options:
        raise ServiceError(
            _("Choose a chronic or special disease from the list; “%(code)s” is not one.")
            % {"code": code}
        )
    return {"disease_code": code, "disease_name": options[code]}


def _filing_details(details: dict) -> dict:
    kind = str(details.get("kind", ""))
    if kind not in CrossRegionFiling.Kind.values:
        raise ServiceError(_("Choose the filing type."))
    destination = str(details.get("destination", "")).strip()
    if not destination:
        raise ServiceError(_("Name the place where the person will be treated."))
    valid_from = _day(details, "valid_from", _("Filing valid from"))
    return {"kind": kind, "destination": destination[:100], "valid_from": valid_from.isoformat()}


def _reimbursement_details(details: dict) -> dict:
    code = str(details.get("institution_code", "")).strip()
    if not Institution.objects.filter(pk=code).exists():
        raise ServiceError(_("No designated institution has the code “%(code)s”.") % {"code": code})
    begin = _day(details, "begin_date", _("Treatment began"))
    end = _day(details, "end_date", _("Treatment ended"))
    if end < begin:
        raise ServiceError(_("Treatment cannot end before it began."))
    lines = parse_fee_lines(str(details.get("fee_lines", "")))
    medical_type = str(details.get("medical_type", "11"))
    return {
        "institution_code": code,
        "medical_type": medical_type,
        "begin_date": begin.isoformat(),
        "end_date": end.isoformat(),
        "diagnosis": str(details.get("diagnosis", "")).strip().upper()[:30],
        "fee_lines": lines,
        "total": str(sum(Decimal(line["amount"]) for line in lines)),
    }


def parse_fee_lines(text: str) -> list[dict]:
    """Lines "item code, quantity, unit price[, charge level]" → fee lines; errors name the line."""
    lines = []
    for number, raw in enumerate(text.strip().splitlines(), start=1):
        parts = [part.strip() for part in raw.replace("，", ",").split(",")]
        if not raw.strip():
            continue
        if len(parts) not in (3, 4) or not parts[0]:
            raise ServiceError(
                _("Fee line %(line)s: write “item code, quantity, unit price[, level]”.")
                % {"line": number}
            )
        quantity = _amount(parts[1], _("Fee line %(line)s quantity") % {"line": number})
        price = _amount(parts[2], _("Fee line %(line)s unit price") % {"line": number})
        level = parts[3] if len(parts) == 4 else "01"
        lines.append(
            {
                "item_code": parts[0][:50],
                "quantity": str(quantity),
                "unit_price": str(price),
                "amount": str((quantity * price).quantize(Decimal("0.01"))),
                "charge_level": level[:2],
            }
        )
    if not lines:
        raise ServiceError(_("Enter at least one fee line of the bills."))
    return lines


DETAILS = {
    ServiceItem.Flow.CHRONIC: _chronic_details,
    ServiceItem.Flow.FILING: _filing_details,
    ServiceItem.Flow.REIMBURSEMENT: _reimbursement_details,
}


def details_check(*, item: ServiceItem, details: dict) -> dict:
    """The details the item's flow needs, cleaned; raises ServiceError naming the bad one."""
    check = DETAILS.get(item.flow)
    return check(details) if check else {}


@transaction.atomic(durable=True)
def request_review(
    *, user: AbstractBaseUser, request: ServiceRequest, approve: bool, note: str, at: datetime
) -> ServiceRequest:
    """审核: plain and filing items close here; chronic goes to the experts, reimbursement
    to its second review. Denial closes any of them with the reason."""
    _aware(at)
    flow = request.item.flow
    if not approve:
        if not note.strip():
            raise ServiceError(_("Say why the request is denied."))
        return move(
            user=user,
            request=request,
            action="review",
            at=at,
            note=note,
            changes={"outcome": ServiceRequest.Outcome.DENIED, "reason": note.strip()[:500]},
            notice=sms("您的%(item)s审核未通过:%(reason)s。", item=request.item.name, reason=note),
        )
    if flow == ServiceItem.Flow.CHRONIC:
        return move(user=user, request=request, action="to_expert", at=at, note=note)
    if flow == ServiceItem.Flow.REIMBURSEMENT:
        if not request.documents.exists():
            raise ServiceError(_("Upload the scanned bills and records before the first review."))
        return move(user=user, request=request, action="first_review", at=at, note=note)
    done = move(
        user=user,
        request=request,
        action="review",
        at=at,
        note=note,
        changes={"outcome": ServiceRequest.Outcome.APPROVED},
        notice=sms("您的%(item)s已办结。", item=request.item.name),
    )
    if flow == ServiceItem.Flow.FILING:
        _filing_create(done)
    return done


def _filing_create(request: ServiceRequest) -> CrossRegionFiling:
    valid_from = date.fromisoformat(request.details["valid_from"])
    return CrossRegionFiling.objects.create(
        person=request.person,
        kind=request.details["kind"],
        destination=request.details["destination"],
        valid_from=valid_from,
        valid_to=valid_from + timedelta(days=FILING_DAYS_DEFAULT),
        request=request,
    )


@transaction.atomic(durable=True)
def request_expert_decide(
    *,
    user: AbstractBaseUser,
    request: ServiceRequest,
    approve: bool,
    expert: str,
    note: str,
    at: datetime,
) -> ServiceRequest:
    """专家评审 of a chronic-disease certification; approval creates the entitlement."""
    _aware(at)
    if not expert.strip():
        raise ServiceError(_("Name the expert panel that reviewed the case."))
    if not approve and not note.strip():
        raise ServiceError(_("Say why the experts did not certify the disease."))
    outcome = ServiceRequest.Outcome.APPROVED if approve else ServiceRequest.Outcome.DENIED
    name = request.details.get("disease_name", "")
    done = move(
        user=user,
        request=request,
        action="expert_decide",
        at=at,
        note=f"{expert.strip()}: {note.strip()}".strip(": "),
        changes={"outcome": outcome, "reason": "" if approve else note.strip()[:500]},
        notice=sms(
            "您申请的门诊慢特病(%(name)s)%(result)s。",
            name=name,
            result="已认定" if approve else "未通过认定",
        ),
    )
    if approve:
        start = timezone.localtime(at).date()
        ChronicCertification.objects.create(
            person=request.person,
            disease_code=request.details["disease_code"],
            disease_name=name,
            valid_from=start,
            valid_to=start.replace(year=start.year + CERTIFICATION_YEARS)
            if not (start.month == 2 and start.day == 29)
            else date(start.year + CERTIFICATION_YEARS, 3, 1),
            request=done,
            expert=expert.strip()[:100],
        )
    return done
