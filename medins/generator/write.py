"""Append each chunk to the batch files: CSV text, or Parquet typed by the interchange kinds."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from medins.interchange import DATE_FORMAT, DATETIME_FORMAT, FILES_BY_NAME, FileSpec

# Not part of the import contract: what was injected, and the near misses beside it.
TRUTH_COLUMNS = ("rule_code", "setl_id", "feedetl_sn", "psn_no", "fixmedins_code", "dr_code")
SIDE_FILES = ("truth", "near_misses")
_PARQUET_TYPES = {
    "int": pl.Int64,
    "money": pl.Decimal(14, 2),
    "decimal": pl.Decimal(14, 4),
    "bool": pl.Boolean,
}


def yuan(fen: pl.Expr) -> pl.Expr:
    """Integer fen as yuan text with two decimals (amounts here are never negative)."""
    return pl.format("{}.{}", fen // 100, (fen % 100).cast(pl.String).str.zfill(2))


def columns_of(name: str) -> tuple[str, ...]:
    return TRUTH_COLUMNS if name in SIDE_FILES else FILES_BY_NAME[name].nationals


class BatchWriter:
    """One open file per batch file; `write` appends a chunk's rows in the contract's order."""

    def __init__(self, out: Path, file_format: str) -> None:
        if file_format not in ("csv", "parquet"):
            raise ValueError(f"unknown format {file_format!r}: use csv or parquet")
        self.out, self.file_format = out, file_format
        out.mkdir(parents=True, exist_ok=True)
        self._csv: dict[str, object] = {}
        self._parquet: dict[str, pq.ParquetWriter] = {}

    def write(self, name: str, rows: pl.DataFrame) -> None:
        rows = rows.select(columns_of(name))
        if self.file_format == "parquet" and name not in SIDE_FILES:
            self._write_parquet(name, _typed(FILES_BY_NAME[name], rows))
            return
        handle = self._csv.get(name)
        if handle is None:
            handle = self._csv[name] = open(self.out / f"{name}.csv", "wb")  # noqa: SIM115
            rows.write_csv(handle, include_header=True)
        else:
            rows.write_csv(handle, include_header=False)

    def _write_parquet(self, name: str, rows: pl.DataFrame) -> None:
        table = rows.to_arrow()
        writer = self._parquet.get(name)
        if writer is None:
            writer = self._parquet[name] = pq.ParquetWriter(
                self.out / f"{name}.parquet", table.schema
            )
        writer.write_table(table)

    def close(self) -> None:
        for handle in self._csv.values():
            handle.close()
        for writer in self._parquet.values():
            writer.close()


def _typed(spec: FileSpec, rows: pl.DataFrame) -> pl.DataFrame:
    """Text columns cast to the kind the interchange spec gives each column."""
    exprs = []
    for column in spec.columns:
        value = pl.col(column.national)
        if column.kind == "date":
            value = value.str.to_date(DATE_FORMAT)
        elif column.kind == "datetime":
            value = value.str.to_datetime(DATETIME_FORMAT, time_unit="us")
        elif column.kind == "bool":
            value = value == "1"
        elif column.kind in _PARQUET_TYPES:
            value = value.cast(_PARQUET_TYPES[column.kind])
        exprs.append(value.alias(column.national))
    return rows.select(exprs)
