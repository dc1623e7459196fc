"""One flag: the evidence in words, the person's timeline, fee lines, history, actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from medins.models import Person
from medins.selectors import may_reveal
from screening.audit import rulebook, selectors, services
from screening.audit.forms import BulkForm
from screening.audit.selectors import detail
from screening.audit.selectors.flags import rule_precision_of
from screening.audit.views.common import audit_page, region_of
from screening.models import Flag


def _flag_or_404(request: HttpRequest, flag_id: str) -> Flag:
    flag = selectors.flag_visible_to(request.user, flag_id)
    if flag is None:
        raise Http404(_("No such flag in your area."))
    return flag


@require_GET
@audit_page
def flag_detail(request: HttpRequest, flag_id: str) -> HttpResponse:
    flag = _flag_or_404(request, flag_id)
    settlement = detail.flag_settlement(flag)
    evidence = flag.evidence if isinstance(flag.evidence, dict) else {}
    context = {
        "flag": flag,
        "rule_name": rulebook.rule_name(flag.rule_code),
        "severity": rulebook.SEVERITY.get(flag.sev_deg, flag.sev_deg),
        "facts": rulebook.evidence_facts(flag.evidence),
        "headline": rulebook.headline(flag.rule_code, evidence),
        "precision": rule_precision_of(flag.rule_code),
        "earlier_setl_id": evidence.get("previous_setl_id") or "",
        "settlement": settlement,
        "person": Person.objects.filter(pk=flag.psn_no).first(),
        "may_reveal": may_reveal(request.user),
        "fee_lines": detail.flag_fee_lines(flag, settlement),
        "timeline": detail.person_timeline(flag),
        "institution_history": [
            {**row, "rule_name": rulebook.rule_name(row["rule_code"])}
            for row in detail.confirmed_history(fixmedins_code=flag.fixmedins_code)
        ],
        "institution_cases": detail.institution_cases(flag.fixmedins_code),
        "practitioner_history": detail.confirmed_history(dr_code=flag.dr_code)
        if flag.dr_code
        else [],
        "events": flag.audit_events.select_related("by"),
        "case_link": getattr(flag, "case_link", None),
        "dismissal": getattr(flag, "dismissal", None),
        "bulk": BulkForm(region_code=region_of(request)),
    }
    return render(request, "audit/flag_detail.html", context)


@require_POST
@audit_page
def flag_act(request: HttpRequest, flag_id: str) -> HttpResponse:
    """The flag page's own actions: take it, dismiss it, or open a case from it."""
    flag = _flag_or_404(request, flag_id)
    action, now = request.POST.get("action", ""), timezone.now()
    try:
        if action == "assign":
            services.flags_assign(
                user=request.user, flag_ids=[flag.pk], assignee=request.user, at=now
            )
            messages.success(request, _("The flag is assigned to you."))
        elif action == "dismiss":
            services.flags_dismiss(
                user=request.user,
                flag_ids=[flag.pk],
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
                at=now,
            )
            messages.success(request, _("The flag is dismissed."))
        elif action == "open_case":
            case = services.case_open(
                user=request.user,
                flag_ids=[flag.pk],
                at=now,
                subject_kind=request.POST.get("subject_kind") or "institution",
            )
            messages.success(request, _("Case #%(id)s opened.") % {"id": case.pk})
            return redirect("audit:case", case.pk)
        else:
            raise services.AuditError(_("Unknown action."))
    except services.NotVisible:
        raise
    except services.AuditError as error:
        messages.error(request, str(error))
    return redirect("audit:flag", flag.pk)
