"""举报: take a whistleblower report (it opens a case) and track the reporter's reward."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from screening.audit import roles, services
from screening.audit.forms import ReportForm, RewardForm
from screening.audit.models import WhistleblowerReport
from screening.audit.views.common import audit_page, region_of


@require_http_methods(["GET", "POST"])
@audit_page
def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_submit(
                user=request.user, at=timezone.now(), **form.cleaned_data
            )
        except services.AuditError as error:  # NotVisible included: the form names the code
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Report recorded; case #%(id)s opened.") % {"id": report.case_id}
            )
            return redirect("audit:case", report.case_id)
    reports = WhistleblowerReport.objects.filter(
        case__division_code__startswith=region_of(request)
    ).select_related("institution", "case")[:200]
    return render(
        request,
        "audit/reports.html",
        {
            "form": form,
            "reports": reports,
            "reward_form": RewardForm(),
            "approver": roles.is_approver(request.user),
        },
    )


@require_POST
@audit_page
def report_reward(request: HttpRequest, report_id: int) -> HttpResponse:
    form = RewardForm(request.POST)
    try:
        if not form.is_valid():
            raise services.AuditError(_("Choose the reward's status."))
        services.report_reward_set(
            user=request.user,
            report_id=report_id,
            status=form.cleaned_data["status"],
            amount=form.cleaned_data["amount"],
            at=timezone.now(),
        )
        messages.success(request, _("The reward is updated."))
    except services.NotVisible:
        raise
    except services.AuditError as error:
        messages.error(request, str(error))
    return redirect("audit:reports")
