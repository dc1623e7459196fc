"""远程查床 pages: the list of tasks, and one task's phone-friendly result page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening.audit import selectors, services
from screening.audit.forms import BedCheckIssueForm, BedCheckResultForm
from screening.audit.models import BedCheckTask
from screening.audit.views.common import audit_page


@require_GET
@audit_page
def bed_check_list(request: HttpRequest) -> HttpResponse:
    tasks = selectors.bed_check_tasks_visible_to(request.user)[:200]
    return render(
        request, "audit/bed_check_list.html", {"tasks": tasks, "form": BedCheckIssueForm()}
    )


@require_POST
@audit_page
def bed_check_issue(request: HttpRequest) -> HttpResponse:
    form = BedCheckIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the inpatient settlement ID."))
        return redirect("audit:bed-checks")
    try:
        task = services.bed_check_issue(
            user=request.user,
            setl_id=form.cleaned_data["setl_id"],
            instructions=form.cleaned_data["instructions"],
            at=timezone.now(),
        )
    except services.NotVisible:
        raise
    except services.AuditError as error:
        messages.error(request, str(error))
        return redirect("audit:bed-checks")
    messages.success(request, _("Bed check BC%(id)s issued.") % {"id": task.pk})
    return redirect("audit:bed-check", task.pk)


@require_http_methods(["GET", "POST"])
@audit_page
def bed_check_result(request: HttpRequest, task_id: int) -> HttpResponse:
    """Record what the check found; made for a phone in the ward's corridor."""
    task: BedCheckTask | None = (
        selectors.bed_check_tasks_visible_to(request.user).filter(pk=task_id).first()
    )
    if task is None:
        raise Http404(_("No such bed check in your area."))
    initial = {"checked_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    form = BedCheckResultForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.bed_check_record(
                task_id=task.pk, recorded_by=request.user, **form.cleaned_data
            )
        except services.AuditError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The bed check result is recorded."))
            return redirect("audit:bed-check", task.pk)
    return render(request, "audit/bed_check.html", {"task": task, "form": form})
