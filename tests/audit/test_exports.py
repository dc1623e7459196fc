"""Exported tables open in Excel or WPS: text that looks like a formula never runs there."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from screening.audit.exports import table_csv, table_xlsx
from screening.audit.selectors.dashboard import Table

TABLE = Table(
    name="flags",
    title="flags",
    headers=("institution", "note", "amount", "count"),
    rows=[("=cmd|' /C calc'!A0", "@SUM(A1)", Decimal("-12.50"), 3), ("齐鲁医院", "", None, 0)],
)


def test_csv_defuses_formulas_and_keeps_numbers():
    body = table_csv(TABLE).content.decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(body)))

    assert rows[1] == ["'=cmd|' /C calc'!A0", "'@SUM(A1)", "-12.50", "3"]
    assert rows[2] == ["齐鲁医院", "", "", "0"]


def test_xlsx_stores_formulas_as_text_and_numbers_as_numbers():
    sheet = load_workbook(io.BytesIO(table_xlsx(TABLE).content)).active

    first = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]

    assert first == ["'=cmd|' /C calc'!A0", "'@SUM(A1)", -12.5, 3]
    assert sheet.cell(row=2, column=1).data_type == "s"
