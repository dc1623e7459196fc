"""Any table of the audit pages as CSV (UTF-8 with BOM, for Excel on Windows) or .xlsx."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse

from medins.security import spreadsheet_safe
from screening.audit.selectors.dashboard import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: object) -> object:
    """Numbers stay numbers; text that looks like a formula is defused (names, notes and
    reasons come from users and hospitals)."""
    return value if isinstance(value, int | float) or value is None else spreadsheet_safe(value)


def table_csv(table: Table) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(header) for header in table.headers])
    writer.writerows([[_cell(value) for value in row] for row in table.rows])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    return response


def table_xlsx(table: Table) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name[:31])
    sheet.append([str(header) for header in table.headers])
    for row in table.rows:
        sheet.append([float(v) if isinstance(v, Decimal) else _cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{table.name}.xlsx"'
    return response


def table_response(table: Table, fmt: str) -> HttpResponse:
    return table_csv(table) if fmt == "csv" else table_xlsx(table)
