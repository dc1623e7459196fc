"""Write stored rows back as an interchange batch: national names, contract formats.

Dates YYYY-MM-DD, times YYYY-MM-DD HH:MM:SS in Asia/Shanghai, money with two decimals,
other decimals without trailing zeros, booleans 0/1, empty for NULL or blank. Parquet files
hold the same text as the CSV, so either reads back to identical rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
from django.conf import settings

from medins.interchange import DATE_FORMAT, DATETIME_FORMAT, FILES, Column
from settlement import selectors

FORMATS = ("csv", "parquet")
FETCH_CHUNK = 20_000  # rows per database round trip while exporting


def _formatter(column: Column) -> Callable[[object], str | None]:
    zone = ZoneInfo(settings.TIME_ZONE)

    def money(value: Decimal) -> str:
        return f"{value:.2f}"

    def decimal(value: Decimal) -> str:
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text

    def moment(value: datetime) -> str:
        return value.astimezone(zone).strftime(DATETIME_FORMAT)

    def day(value: date) -> str:
        return value.strftime(DATE_FORMAT)

    def flag(value: bool) -> str:
        return "1" if value else "0"

    kinds = {"money": money, "decimal": decimal, "datetime": moment, "date": day, "bool": flag}
    convert = kinds.get(column.kind, str)
    return lambda value: None if value is None or value == "" else convert(value)


def export_batch(
    *, out: Path, file_format: str = "csv", institution_code: str | None = None
) -> dict[str, int]:
    """Write one file per kind that has rows into out; returns rows written per file name."""
    if file_format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {file_format!r}")
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for spec in FILES:
        formatters = [_formatter(column) for column in spec.columns]
        values: list[list[str | None]] = [[] for _column in spec.columns]
        rows = selectors.export_rows(spec, institution_code=institution_code)
        for row in rows.iterator(chunk_size=FETCH_CHUNK):
            for index, value in enumerate(row):
                values[index].append(formatters[index](value))
        if not values[0]:
            continue
        frame = pl.DataFrame(
            {
                name: pl.Series(name, column, pl.String)
                for name, column in zip(spec.nationals, values, strict=True)
            }
        )
        path = out / f"{spec.name}.{file_format}"
        if file_format == "csv":
            frame.write_csv(path)
        else:
            frame.write_parquet(path)
        written[path.name] = frame.height
    return written
