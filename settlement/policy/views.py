"""Back-office pages of refund runs: the list, one run by institution, the decision, the CSV."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from medins.models import Role
from medins.selectors import role_of
from settlement.policy.refunds import RefundError, refund_run_decide, refund_run_write_csv
from settlement.policy.selectors import (
    refund_lines,
    refund_run_visible_to,
    refund_runs_visible_to,
    refund_totals_by_institution,
)

LINES_SHOWN = 200


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
    runs = refund_runs_visible_to(request.user)[:100]
    return render(request, "policy/refund_runs.html", {"runs": runs})


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
