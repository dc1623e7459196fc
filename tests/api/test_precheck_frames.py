"""The pre-check's frames built from rows: the same frame polars itself would build."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from screening.frames import SCHEMAS
from settlement.api.precheck import _typed_frame

NAMES = ["feedetl_sn", "psn_no", "fee_ocur_time", "cnt", "pric", "prd_days", "bilg_dept_codg"]


def _plain(frame: str, names: list[str], rows: list[tuple]) -> pl.DataFrame:
    """What polars builds from the rows, "" read as null: the reference."""
    position = {name: index for index, name in enumerate(names)}
    columns = {}
    for name, dtype in SCHEMAS[frame].items():
        index = position.get(name)
        values = [None if index is None else row[index] for row in rows]
        columns[name] = [value or None for value in values] if dtype == pl.String else values
    return pl.DataFrame(columns, schema=SCHEMAS[frame])


@pytest.mark.parametrize(
    "moments",
    [
        [datetime(2026, 3, 1, 9, 30, 15, 123456), None, datetime(1969, 12, 31, 23, 59, 59)],
        [datetime(2026, 3, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), None, None],
        [],
    ],
    ids=["wall-clock", "aware", "empty"],
)
def test_fee_lines_match_polars_own_conversion(moments):
    rows = [
        (f"L{n}", "P1" if n else "", moment, 1.5, 2000, None if n else 7, "")
        for n, moment in enumerate(moments)
    ]

    built = _typed_frame("fee_lines", NAMES, rows)

    assert built.schema == pl.Schema(SCHEMAS["fee_lines"])
    assert built.equals(_plain("fee_lines", NAMES, rows))


def test_dates_match_polars_own_conversion():
    names = ["psn_no", "gend", "brdy"]
    rows = [("P1", "1", date(1950, 1, 2)), ("P2", "", None), ("P3", "2", date(1970, 1, 1))]

    built = _typed_frame("persons", names, rows)

    assert built["brdy"].to_list() == [date(1950, 1, 2), None, date(1970, 1, 1)]
    assert built.equals(_plain("persons", names, rows))
