"""The dashboard (inline SVG charts) and the CSV and Excel export of each of its tables."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from medins.selectors import AnyUser, figures_for
from screening.audit import charts
from screening.audit.exports import table_response
from screening.audit.selectors.dashboard import Table, dashboard_tables
from screening.audit.views.common import audit_page


@require_GET
@audit_page
def dashboard(request: HttpRequest) -> HttpResponse:
    drawn, counted_at = figures_for(
        request.user,
        "audit-dashboard-drawn",
        lambda: render_to_string("audit/dashboard.html#tables", {"tables": _drawn(request.user)}),
    )  # the tables' markup, drawn once with the figures rather than on every view
    return render(
        request, "audit/dashboard.html", {"drawn": mark_safe(drawn), "counted_at": counted_at}
    )


def _drawn(user: AnyUser) -> list[tuple[Table, str]]:
    """Every table with its chart (counted over all flags and cases in scope)."""
    drawn = []
    for table in dashboard_tables(user, at=timezone.now()).values():
        chart = ""
        if table.chart == "bars" and table.rows:
            chart = charts.bars(table.rows, value_column=table.value_column, title=table.title)
        elif table.chart == "columns" and table.rows:
            chart = charts.columns(table.rows, value_column=table.value_column, title=table.title)
        drawn.append((table, chart))
    return drawn


@require_GET
@audit_page
def dashboard_export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    table = dashboard_tables(request.user, at=timezone.now()).get(name)
    if table is None:
        raise Http404(name)
    return table_response(table, fmt)
