"""The triage queue (htmx: filtering, paging and bulk actions swap only the table)."""

from __future__ import annotations

from functools import cache
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from medins.models import Institution
from screening.audit import rulebook, services
from screening.audit.exports import table_response
from screening.audit.forms import BulkForm, QueueFilterForm
from screening.audit.selectors.dashboard import Table
from screening.audit.selectors.queue import flag_queue, queue_page
from screening.audit.views.common import audit_page, region_of
from screening.models import Flag

TEMPLATE = "audit/queue.html"


def flag_url(flag_id: str) -> str:
    """reverse("audit:flag", args=[flag_id]) without resolving the pattern for every row of
    the queue: the path up to the id, then the id quoted as reverse() quotes it."""
    return f"{_flag_prefix()}{quote(flag_id, safe=RFC3986_SUBDELIMS + '/~:@')}/"


@cache
def _flag_prefix() -> str:
    return reverse("audit:flag", args=["-"]).removesuffix("-/")


def _queue_context(request: HttpRequest, data: QueryDict) -> dict:
    form = QueueFilterForm(data)
    try:
        page = max(1, int(data.get("page", "1")))
    except ValueError:
        page = 1
    flags, has_next = queue_page(
        flag_queue(request.user, form.filters()).defer("evidence"), page=page
    )
    names = dict(
        Institution.objects.filter(code__in={f.fixmedins_code for f in flags}).values_list(
            "code", "name"
        )
    )
    statuses = {value: str(label) for value, label in Flag.Status.choices}
    for flag in flags:  # what each row shows, looked up here once rather than in the template
        flag.institution_name = names.get(flag.fixmedins_code, "")
        flag.rule_name = rulebook.rule_name(flag.rule_code)
        flag.url = flag_url(flag.flag_id)
        flag.status_name = statuses.get(flag.status, flag.status)
        flag.event_at = (
            timezone.localtime(flag.event_time).strftime("%Y-%m-%d %H:%M")
            if flag.event_time
            else ""
        )
    query = data.copy()
    query.pop("page", None)
    for key in (
        "csrfmiddlewaretoken",
        "action",
        "flags",
        "reason",
        "note",
        "assignee",
        "subject_kind",
    ):
        query.pop(key, None)
    return {
        "form": form,
        "flags": flags,
        "page": page,
        "has_next": has_next,
        "query": query.urlencode(),
        "bulk": BulkForm(region_code=region_of(request)),
    }


@require_GET
@audit_page
def queue(request: HttpRequest) -> HttpResponse:
    template = f"{TEMPLATE}#queue-table" if request.htmx else TEMPLATE
    return render(request, template, _queue_context(request, request.GET))


EXPORT_MOST = 10_000  # rows of one queue export; more is a job for export_flags


@require_GET
@audit_page
def queue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The queue as filtered, as CSV or Excel (at most EXPORT_MOST flags)."""
    flags = flag_queue(request.user, QueueFilterForm(request.GET).filters())[:EXPORT_MOST]
    rows = [
        (
            f.flag_id,
            f.rule_code,
            rulebook.rule_name(f.rule_code),
            f.sev_deg,
            f.fixmedins_code,
            f.setl_id,
            f.psn_no,
            f.event_time and timezone.localtime(f.event_time).isoformat(),
            f.amount_at_risk,
            f.triage_score,
            f.get_status_display(),
        )
        for f in flags
    ]
    headers = (
        _("Flag ID"),
        _("Rule"),
        _("Rule name"),
        _("Severity"),
        _("Institution"),
        _("Settlement"),
        _("Person no."),
        _("Event time"),
        _("Amount at risk (yuan)"),
        _("Triage score"),
        _("Status"),
    )
    return table_response(Table("flag_queue", _("Triage queue"), headers, rows), fmt)


@require_POST
@audit_page
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """Assign, dismiss or open a case for the selected flags, then show the table again."""
    form = BulkForm(request.POST, region_code=region_of(request))
    flag_ids = request.POST.getlist("flags")
    now = timezone.now()
    try:
        if not form.is_valid():
            raise services.AuditError(_("Choose an action for the selected flags."))
        action, data = form.cleaned_data["action"], form.cleaned_data
        if action == "assign":
            assignee = data["assignee"] or request.user
            services.flags_assign(user=request.user, flag_ids=flag_ids, assignee=assignee, at=now)
            messages.success(
                request,
                _("%(n)s flags assigned to %(user)s.")
                % {"n": len(flag_ids), "user": assignee.get_full_name() or assignee.get_username()},
            )
        elif action == "dismiss":
            services.flags_dismiss(
                user=request.user,
                flag_ids=flag_ids,
                reason=data["reason"],
                note=data["note"],
                at=now,
            )
            messages.success(request, _("%(n)s flags dismissed.") % {"n": len(flag_ids)})
        elif action == "add_to_case":
            if not data["case"]:
                raise services.AuditError(_("Give the number of the case to add them to."))
            case = services.case_flags_add(
                user=request.user, case_id=data["case"], flag_ids=flag_ids, at=now
            )
            messages.success(
                request,
                _("%(n)s flags added to case #%(id)s.") % {"n": len(flag_ids), "id": case.pk},
            )
        else:
            case = services.case_open(
                user=request.user,
                flag_ids=flag_ids,
                at=now,
                subject_kind=data["subject_kind"] or "institution",
            )
            messages.success(request, _("Case #%(id)s opened.") % {"id": case.pk})
            url = reverse("audit:case", args=[case.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    except services.NotVisible:
        raise  # 404 through audit_page
    except services.AuditError as error:
        messages.error(request, str(error))
    template = f"{TEMPLATE}#queue-table" if request.htmx else TEMPLATE
    return render(request, template, _queue_context(request, request.POST))
