"""Cases: the list, one case with everything done in it, and its actions (POST, then back)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_fsm import has_transition_perm

from screening.audit import forms, rulebook, selectors, services
from screening.audit.exports import table_response
from screening.audit.models import TRANSITION_LABELS, Attachment, Case, CaseState
from screening.audit.selectors.dashboard import Table
from screening.audit.views.common import audit_page, region_of

# Transitions taken with a note only; the others have their own forms on the page.
NOTE_TRANSITIONS = ("start", "send_back", "approve", "close")


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    case = selectors.case_visible_to(request.user, case_id)
    if case is None:
        raise Http404(_("No such case in your area."))
    return case


def _cases_filtered(request: HttpRequest) -> QuerySet[Case]:
    cases = selectors.cases_visible_to(request.user)
    state = request.GET.get("state", "")
    if state in CaseState.values:
        cases = cases.filter(state=state)
    if request.GET.get("mine"):
        cases = cases.filter(assignee=request.user)
    if request.GET.get("overdue"):
        cases = cases.filter(deadline__lt=timezone.now()).exclude(state=CaseState.CLOSED)
    return cases


@require_GET
@audit_page
def case_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The case list as filtered, as CSV or Excel."""
    rows = [
        (
            case.pk,
            case.title,
            case.get_state_display(),
            case.get_subject_kind_display(),
            case.subject_code,
            case.assignee.get_username() if case.assignee else "",
            case.deadline and timezone.localtime(case.deadline).isoformat(),
            case.amount_at_risk,
            timezone.localtime(case.created_at).isoformat(),
        )
        for case in _cases_filtered(request)[:10_000]
    ]
    headers = (
        _("Case no."),
        _("Title"),
        _("State"),
        _("Case about"),
        _("Subject code"),
        _("Assigned auditor"),
        _("Deadline"),
        _("Amount at risk (yuan)"),
        _("Opened"),
    )
    return table_response(Table("cases", _("Cases"), headers, rows), fmt)


@require_GET
@audit_page
def case_list(request: HttpRequest) -> HttpResponse:
    cases = _cases_filtered(request)
    state = request.GET.get("state", "")
    context = {
        "cases": cases[:200],
        "states": CaseState.choices,
        "state": state,
        "now": timezone.now(),
    }
    template = "audit/case_list.html#case-table" if request.htmx else "audit/case_list.html"
    return render(request, template, context)


@require_GET
@audit_page
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    region = region_of(request)
    actions = [
        (name, TRANSITION_LABELS[name])
        for name in NOTE_TRANSITIONS
        if has_transition_perm(getattr(case, name), request.user)
    ]
    flags = list(
        case.case_flags.select_related("flag").order_by("-flag__amount_at_risk", "flag_id")
    )
    for link in flags:
        link.rule_name = rulebook.rule_name(link.flag.rule_code)
    context = {
        "case": case,
        "now": timezone.now(),
        "actions": actions,
        "may": {
            name: has_transition_perm(getattr(case, name), request.user)
            for name in ("assign", "propose", "appeal", "resolve_appeal")
        },
        "case_flags": flags,
        "transitions": case.transitions.select_related("by"),
        "steps": case.steps.select_related("by"),
        "comments": case.comments.select_related("author"),
        "attachments": case.attachments.select_related("uploaded_by"),
        "appeals": case.appeals.select_related("by"),
        "bed_checks": case.bed_checks.select_related("settlement"),
        "outcomes": case.outcomes.select_related("practitioner"),
        "labels": TRANSITION_LABELS,
        "assign_form": forms.AssignForm(region_code=region),
        "propose_form": forms.ProposeForm(),
        "note_form": forms.NoteForm(),
        "step_form": forms.StepForm(),
        "comment_form": forms.CommentForm(),
        "attachment_form": forms.AttachmentForm(),
        "appeal_form": forms.AppealForm(),
        "bed_check_form": forms.BedCheckIssueForm(),
        "outcome_form": forms.OutcomeForm(),
        "working": case.state in (CaseState.INVESTIGATING, CaseState.APPEALED),
    }
    return render(request, "audit/case_detail.html", context)


def _valid(form: object) -> dict:
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        )
        raise services.AuditError(problems)
    return form.cleaned_data


def _assign(request: HttpRequest, case: Case, at: datetime) -> str:
    data = _valid(forms.AssignForm(request.POST, region_code=region_of(request)))
    services.case_assign(
        user=request.user,
        case_id=case.pk,
        assignee=data["assignee"] or request.user,
        note=data["note"],
        at=at,
    )
    return _("The case is assigned.")


def _propose(request: HttpRequest, case: Case, at: datetime) -> str:
    data = _valid(forms.ProposeForm(request.POST))
    services.case_propose(
        user=request.user,
        case_id=case.pk,
        proposal=data["proposal"],
        reason=data["reason"],
        note=data["note"],
        at=at,
    )
    return _("The proposal awaits review.")


def _appeal(request: HttpRequest, case: Case, at: datetime) -> str:
    data = _valid(forms.AppealForm(request.POST))
    services.case_appeal(
        case_id=case.pk,
        text=data["text"],
        by=request.user,
        attachments=request.FILES.getlist("files"),
        at=at,
    )
    return _("The appeal is recorded.")


def _resolve(request: HttpRequest, case: Case, at: datetime) -> str:
    data = _valid(forms.NoteForm(request.POST))
    services.case_appeal_resolve(user=request.user, case_id=case.pk, resolution=data["note"], at=at)
    return _("The appeal is resolved.")


def _step(request: HttpRequest, case: Case, at: datetime) -> str:
    data = _valid(forms.StepForm(request.POST))
    services.case_step_add(
        user=request.user,
        case_id=case.pk,
        kind=data["kind"],
        description=data["description"],
        at=at,
    )
    return _("The investigation step is recorded.")


def _comment(request: HttpRequest, case: Case, at: datetime) -> str:
    data = _valid(forms.CommentForm(request.POST))
    services.case_comment(user=request.user, case_id=case.pk, text=data["text"], at=at)
    return _("The comment is added.")


def _attach(request: HttpRequest, case: Case, at: datetime) -> str:
    data = _valid(forms.AttachmentForm(request.POST, request.FILES))
    stored = services.case_attach(user=request.user, case_id=case.pk, upload=data["file"], at=at)
    return _("%(name)s is stored.") % {"name": stored.original_name}


def _bed_check(request: HttpRequest, case: Case, at: datetime) -> str:
    data = _valid(forms.BedCheckIssueForm(request.POST))
    task = services.bed_check_issue(
        user=request.user,
        setl_id=data["setl_id"].strip(),
        case_id=case.pk,
        instructions=data["instructions"],
        at=at,
    )
    return _("Bed check BC%(id)s issued.") % {"id": task.pk}


def _outcome(request: HttpRequest, case: Case, at: datetime) -> str:
    data = _valid(forms.OutcomeForm(request.POST))
    outcome = services.outcome_record(user=request.user, case_id=case.pk, at=at, **data)
    return _("Outcome recorded: %(kind)s.") % {"kind": outcome.get_kind_display()}


def _paid(request: HttpRequest, case: Case, at: datetime) -> str:
    try:
        outcome_id = int(request.POST.get("outcome", ""))
    except ValueError:
        raise services.AuditError(_("Which outcome was paid?")) from None
    services.outcome_mark_paid(user=request.user, outcome_id=outcome_id, at=at)
    return _("Marked as paid.")


def _note_transition(name: str) -> Callable[[HttpRequest, Case, datetime], str]:
    def act(request: HttpRequest, case: Case, at: datetime) -> str:
        services.case_transition(
            user=request.user, case_id=case.pk, name=name, note=request.POST.get("note", ""), at=at
        )
        return _("Done: %(action)s.") % {"action": TRANSITION_LABELS[name]}

    return act


ACTIONS = {
    "assign": _assign,
    "propose": _propose,
    "appeal": _appeal,
    "resolve_appeal": _resolve,
    "step": _step,
    "comment": _comment,
    "attach": _attach,
    "bed_check": _bed_check,
    "outcome": _outcome,
    "paid": _paid,
    **{name: _note_transition(name) for name in NOTE_TRANSITIONS},
}


@require_POST
@audit_page
def case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    case = _case_or_404(request, case_id)
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    try:
        messages.success(request, ACTIONS[action](request, case, timezone.now()))
    except services.NotVisible:
        raise
    except services.AuditError as error:
        messages.error(request, str(error))
    return redirect("audit:case", case.pk)


@require_GET
@audit_page
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    attachment = Attachment.objects.filter(case=case, pk=attachment_id).first()
    if attachment is None:
        raise Http404(_("No such file."))
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
