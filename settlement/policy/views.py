"""Back-office pages of refund runs: the list, one run by institution, the decision, the CSV."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from medins.models import Role
from medins.selectors import role_of
from settlement.policy.models import PolicyVersion
from settlement.policy.refund_decisions import refund_run_decide, refund_run_write_csv
from settlement.policy.refunds import RefundError, refund_run_request
from settlement.policy.selectors import (
    published_versions,
    refund_lines,
    refund_run_visible_to,
    refund_runs_visible_to,
    refund_totals_by_institution,
    version_rates,
    versions_with_authors,
)

LINES_SHOWN = 200


# Who reads policy versions (issue 7 review): the back office that settles, audits or explains
# amounts; clerks and network managers too, since manual reimbursement at the window settles
# under the policy in force. Drafts only for those who prepare and approve them. Hospital
# users get their amounts, step by step, with each settlement over the API.
POLICY_READERS = (Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR, Role.CLERK, Role.MANAGER)
DRAFT_READERS = (Role.ADMIN, Role.SUPERVISOR)


def _versions_visible(request: HttpRequest) -> QuerySet[PolicyVersion]:
    """The versions the user may read (404 for roles that read none)."""
    role = role_of(request.user)
    if role not in POLICY_READERS:
        raise Http404
    versions = versions_with_authors()
    if role not in DRAFT_READERS:
        versions = versions.filter(status=PolicyVersion.Status.PUBLISHED)
    return versions


VERSION_COLUMNS = ("code", "title", "effective_from", "effective_to", "status", "published_at")


@require_GET
@login_required
def policy_versions(request: HttpRequest) -> HttpResponse:
    # The columns the list shows, not every column of the version, its base and two users.
    versions = list(
        _versions_visible(request).values(
            *VERSION_COLUMNS, "based_on__code", "created_by__username"
        )
    )
    statuses = dict(PolicyVersion.Status.choices)
    for version in versions:
        version["status_name"] = statuses.get(version["status"], version["status"])
    return render(request, "policy/versions.html", {"versions": versions})


@require_GET
@login_required
def policy_version(request: HttpRequest, code: str) -> HttpResponse:
    version = _versions_visible(request).filter(code=code).first()
    if version is None:
        raise Http404
    return render(request, "policy/version.html", {"version": version, **version_rates(version)})


def _run_or_404(request: HttpRequest, pk: int):
    run = refund_run_visible_to(request.user, pk)
    if run is None:
        raise Http404
    return run


@require_GET
@login_required
def refund_runs(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in (Role.ADMIN, Role.SUPERVISOR):
        raise Http404
    context = {
        "runs": refund_runs_visible_to(request.user)[:100],
        "may_compute": role_of(request.user) == Role.ADMIN,
        "versions": published_versions(),
    }
    return render(request, "policy/refund_runs.html", context)


def _day(request: HttpRequest, name: str, label: str) -> date:
    try:
        return date.fromisoformat(request.POST.get(name, ""))
    except ValueError:
        raise RefundError(
            _("%(field)s must be a date (YYYY-MM-DD), got “%(value)s”.")
            % {"field": label, "value": request.POST.get(name, "")}
        ) from None


@require_POST
@login_required
def refund_run_new(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in (Role.ADMIN, Role.SUPERVISOR):
        raise Http404
    try:
        version = published_versions().filter(code=request.POST.get("version", "")).first()
        if version is None:
            raise RefundError(_("Choose a published policy version."))
        run = refund_run_request(
            version=version,
            period_from=_day(request, "period_from", _("settlements from")),
            period_to=_day(request, "period_to", _("settlements to (exclusive)")),
            institution_code=request.POST.get("institution", "").strip(),
            user=request.user,
        )
    except RefundError as error:
        messages.error(request, str(error))
        return redirect("policy:refund-runs")
    return redirect("policy:refund-run", pk=run.pk)


@require_GET
@login_required
def refund_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    context = {
        "run": run,
        "totals": refund_totals_by_institution(run=run, user=request.user),
        "lines": refund_lines(run=run, user=request.user)[:LINES_SHOWN],
        "lines_shown": LINES_SHOWN,
        "may_decide": run.status == run.Status.COMPUTED and run.created_by_id != request.user.pk,
    }
    return render(request, "policy/refund_run.html", context)


@require_POST
@login_required
def refund_run_decision(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        refund_run_decide(
            run=run, user=request.user, approve=approve, note=request.POST.get("note", "")
        )
    except RefundError as error:
        messages.error(request, str(error))
    return redirect("policy:refund-run", pk=run.pk)


@require_GET
@login_required
def refund_run_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="refund-run-{run.pk}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese names only with a BOM
    try:
        refund_run_write_csv(run=run, out=response)
    except RefundError as error:
        messages.error(request, str(error))
        return redirect("policy:refund-run", pk=run.pk)
    return response
