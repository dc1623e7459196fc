"""The dashboard (inline SVG charts) and the CSV and Excel export of each of its tables."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from screening.audit import charts
from screening.audit.selectors.dashboard import Table, dashboard_tables
from screening.audit.views.common import audit_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@audit_page
def dashboard(request: HttpRequest) -> HttpResponse:
    tables = dashboard_tables(request.user, at=timezone.now())
    drawn = []
    for table in tables.values():
        chart = ""
        if table.chart == "bars" and table.rows:
            chart = charts.bars(table.rows, value_column=table.value_column, title=table.title)
        elif table.chart == "columns" and table.rows:
            chart = charts.columns(table.rows, value_column=table.value_column, title=table.title)
        drawn.append((table, chart))
    return render(request, "audit/dashboard.html", {"tables": drawn})


def _cell(value: object) -> object:
    return value if isinstance(value, int | float) or value is None else str(value)


def _csv(table: Table) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(header) for header in table.headers])
    writer.writerows([[_cell(value) for value in row] for row in table.rows])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    return response


def _xlsx(table: Table) -> HttpResponse:
    from decimal import Decimal

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = table.name[:31]
    sheet.append([str(header) for header in table.headers])
    for row in table.rows:
        sheet.append([float(v) if isinstance(v, Decimal) else _cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{table.name}.xlsx"'
    return response


@require_GET
@audit_page
def dashboard_export(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    table = dashboard_tables(request.user, at=timezone.now()).get(name)
    if table is None:
        raise Http404(name)
    return _csv(table) if fmt == "csv" else _xlsx(table)
