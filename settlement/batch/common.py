"""What the validation modules share: the typed file and the shape of an error."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from medins.interchange import FileSpec
from settlement.batch.read import ROW

ERROR_SCHEMA = {
    "file": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason": pl.String,
}


@dataclass
class TypedFile:
    spec: FileSpec
    label: str
    frame: pl.DataFrame  # typed columns plus __row
    present: tuple[str, ...]  # national names the file had
    complete: bool = True  # every required column present


def errors_where(
    frame: pl.DataFrame, mask: pl.Expr, *, file: str, column: str, reason: str | pl.Expr
) -> pl.DataFrame:
    """One error row per row of frame where mask holds, naming its value of column."""
    value = pl.col(column).cast(pl.String) if column in frame.columns else pl.lit(None)
    return frame.filter(mask.fill_null(False)).select(
        pl.lit(file).alias("file"),
        pl.col(ROW).alias("row"),
        pl.lit(column).alias("column"),
        value.alias("value"),
        (reason if isinstance(reason, pl.Expr) else pl.lit(reason)).alias("reason"),
    )


def file_error(file: str, reason: str, *, column: str | None = None) -> pl.DataFrame:
    row = {"file": file, "row": None, "column": column, "value": None, "reason": reason}
    return pl.DataFrame([row], schema=ERROR_SCHEMA)


def no_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=ERROR_SCHEMA)
