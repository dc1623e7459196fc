"""Screening runs in the back office: the list with live progress, a run's detail, a start."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from screening import selectors
from screening.forms import RunStartForm
from screening.services import runs

POLL_SECONDS = 2  # how often a page with a live run asks for news


def _require_runner(request: HttpRequest) -> None:
    if not selectors.may_run_screenings(user=request.user):
        raise PermissionDenied


def _list(request: HttpRequest, form: RunStartForm, status: int = 200) -> HttpResponse:
    recent = list(selectors.runs_recent())
    template = "screening/run_list.html"
    if request.htmx and request.method == "GET":
        template += "#run-table"  # the poll re-renders only the table
    context = {
        "runs": recent,
        "live": selectors.runs_live(runs=recent),
        "poll_seconds": POLL_SECONDS,
        "form": form,
        "region": selectors.run_region(user=request.user),
    }
    return render(request, template, context, status=status)


@require_GET
@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    _require_runner(request)
    return _list(request, RunStartForm())


@require_POST
@login_required
def run_start(request: HttpRequest) -> HttpResponse:
    _require_runner(request)
    form = RunStartForm(request.POST)
    if not form.is_valid():
        return _list(request, form, status=400)
    region = selectors.run_region(user=request.user)
    divisions = form.cleaned_data["divisions"] or ([region] if region else [])
    outside = [code for code in divisions if region and not code.startswith(region)]
    if outside:
        form.add_error(
            "divisions",
            _("Outside your region %(region)s: %(codes)s.")
            % {"region": region, "codes": ", ".join(outside)},
        )
        return _list(request, form, status=400)
    try:
        run = runs.screening_run_start(
            window_start=form.cleaned_data["window_start"],
            window_end=form.cleaned_data["window_end"],
            at=timezone.now(),
            divisions=divisions,
            institutions=form.cleaned_data["institutions"],
            started_by=request.user,
        )
    except runs.ScreeningError as error:
        form.add_error(None, str(error))
        return _list(request, form, status=400)
    messages.success(request, _("Screening run #%(run)s started.") % {"run": run.pk})
    return redirect("screening:run-detail", run_id=run.pk)


@require_GET
@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    _require_runner(request)
    run = selectors.run_detail(run_id=run_id)
    if run is None:
        raise Http404(_("No such screening run."))
    template = "screening/run_detail.html"
    if request.htmx:
        template += "#run-progress"
    context = {
        "run": run,
        "live": selectors.runs_live(runs=[run]),
        "poll_seconds": POLL_SECONDS,
        "counts": sorted(run.counts.items()),
        "timings": sorted(run.timings.items()),
        "config": sorted(run.config.items()),
    }
    return render(request, template, context)
