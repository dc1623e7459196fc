"""Read an interchange batch (folder or .zip; CSV or Parquet) straight into screening frames.

Lazy scans of the needed columns only, every CSV column read as text and cast by the target
dtype of screening.frames.SCHEMAS: money to Int64 fen through an exact decimal (never a
float), times as Shanghai wall clock. The fast path casts strictly; when a cast fails,
`diagnose` re-reads leniently to say which file, row and column is wrong.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from medins import interchange
from medins.archives import UnsafeArchive, zip_unpack
from medins.models import HOSPITAL_LEVEL_BY_CODE
from screening.frames import SCHEMAS, empty
from screening.sources import SPEC_BY_FRAME

FEN = pl.Int64  # in SCHEMAS, Int64 is always money or a price in fen
_MONEY_SCALE = pl.Decimal(24, 6)  # prices may carry more than two decimals: round to fen
_BOOLS = {"1": True, "0": False, "true": True, "false": False, "y": True, "n": False}
_DERIVED = {"hosp_level"}  # computed from hosp_lv, never read
_MAX_REPORTED = 5


class BatchError(ValueError):
    """A batch the engine cannot read; the message names the file, row and column."""


@dataclass(frozen=True)
class BatchFile:
    frame: str  # name in SCHEMAS
    path: Path
    columns: tuple[str, ...]  # national names present in the file and needed by the frame


@dataclass(frozen=True)
class Batch:
    folder: Path  # where the files are (a zip's temporary folder while it is open)
    frames: dict[str, pl.LazyFrame]


@contextmanager
def open_batch(path: str | Path) -> Iterator[Batch]:
    """Frames for every SCHEMAS name (absent files as empty frames); a .zip is unpacked
    into a temporary folder that lives as long as the block."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="medins-batch-") as folder:
            try:
                zip_unpack(path, Path(folder))
            except UnsafeArchive as error:
                raise BatchError(
                    _("%(archive)s is refused: %(error)s") % {"archive": path.name, "error": error}
                ) from error
            except zipfile.BadZipFile as error:
                raise BatchError(
                    _("%(path)s is not a readable zip file.") % {"path": path}
                ) from error
            yield Batch(Path(folder), read_batch(folder))
        return
    yield Batch(path, read_batch(path))


def read_batch(folder: str | Path, *, native: bool = False) -> dict[str, pl.LazyFrame]:
    """Lazy frames conforming to SCHEMAS for the batch files found in folder.

    native lets the CSV reader parse numbers itself (twice as fast on ten million lines),
    but it refuses what the text path accepts, such as a number with spaces around it: a
    caller that reads natively reads again without when the collection fails.
    """
    return {
        name: _scan(found, native=native) if found else empty(name)
        for name, found in batch_files(folder).items()
    }


def batch_files(folder: str | Path) -> dict[str, BatchFile | None]:
    """Which file feeds each frame; raises BatchError for a missing required column."""
    root = _batch_root(Path(folder))
    found: dict[str, BatchFile | None] = {}
    for frame, spec in SPEC_BY_FRAME.items():
        path = _file_for(root, spec.name)
        found[frame] = _batch_file(frame, spec, path) if path else None
    return found


def _batch_root(folder: Path) -> Path:
    if not folder.is_dir():
        raise BatchError(_("%(path)s is neither a folder nor a zip file.") % {"path": folder})
    # A zip of a folder unpacks to that folder: look inside when it is the only thing there.
    entries = [entry for entry in folder.iterdir() if not entry.name.startswith((".", "__"))]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder


def _file_for(root: Path, stem: str) -> Path | None:
    for suffix in (".csv", ".parquet"):
        path = root / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def _batch_file(frame: str, spec: interchange.FileSpec, path: Path) -> BatchFile | None:
    if path.suffix == ".csv" and path.stat().st_size == 0:
        return None  # an empty optional file: as if absent
    header = set(_raw_scan(path).collect_schema().names())
    wanted = [name for name in SCHEMAS[frame] if name in spec.nationals]
    missing = [name for name in wanted if spec.column(name).required and name not in header]
    if missing:
        raise BatchError(
            _("%(file)s lacks the required column(s) %(columns)s.")
            % {"file": path.name, "columns": ", ".join(missing)}
        )
    return BatchFile(frame, path, tuple(name for name in wanted if name in header))


def _raw_scan(path: Path, parsed: dict[str, pl.DataType] | None = None) -> pl.LazyFrame:
    if path.suffix == ".parquet":
        return pl.scan_parquet(path)
    # Every other column as text: codes keep their leading zeros; `parsed` ones are numbers
    # the reader parses itself (an empty cell is null either way).
    return pl.scan_csv(path, infer_schema=False, encoding="utf8", schema_overrides=parsed)


def _native_dtype(dtype: pl.DataType) -> pl.DataType | None:
    """What the CSV reader parses for a frame dtype: numbers (money as an exact decimal)."""
    if dtype == FEN:
        return _MONEY_SCALE
    return dtype if dtype.is_numeric() else None


def _scan(found: BatchFile, *, strict: bool = True, native: bool = False) -> pl.LazyFrame:
    schema = SCHEMAS[found.frame]
    parsed = {}
    if native and strict and found.path.suffix == ".csv":
        wanted = {name: _native_dtype(schema[name]) for name in found.columns}
        parsed = {name: dtype for name, dtype in wanted.items() if dtype is not None}
    exprs = []
    for name, dtype in schema.items():
        if name in parsed:
            exprs.append(_from_native(name, dtype).alias(name))
        elif name in found.columns:
            exprs.append(_cast(name, dtype, strict=strict).alias(name))
        elif name not in _DERIVED:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    lazy = _raw_scan(found.path, parsed or None).select(found.columns).select(exprs)
    if found.frame == "institutions":
        lazy = lazy.with_columns(
            hosp_level=pl.col("hosp_lv").replace_strict(
                HOSPITAL_LEVEL_BY_CODE, default=None, return_dtype=pl.Int8
            )
        )
    return lazy.select(list(schema))


def _from_native(name: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == FEN:
        return (pl.col(name) * 100).round(0).cast(pl.Int64)
    return pl.col(name)


def _cast(name: str, dtype: pl.DataType, *, strict: bool) -> pl.Expr:
    text = pl.col(name).cast(pl.String).str.strip_chars()
    text = pl.when(text != "").then(text)  # an empty field is a missing value
    if dtype == pl.String:
        return text
    if dtype == pl.Date:
        return text.str.to_date(interchange.DATE_FORMAT, strict=strict)
    if dtype == pl.Datetime("us"):
        return text.str.to_datetime(interchange.DATETIME_FORMAT, time_unit="us", strict=strict)
    if dtype == FEN:
        exact = text.cast(_MONEY_SCALE, strict=strict)
        return (exact * 100).round(0).cast(pl.Int64, strict=strict)
    if dtype == pl.Boolean:
        lowered = text.str.to_lowercase()
        if strict:
            return lowered.replace_strict(_BOOLS, return_dtype=pl.Boolean).fill_null(False)
        return lowered.replace_strict(_BOOLS, default=None, return_dtype=pl.Boolean)
    return text.cast(dtype, strict=strict)


def data_span(frames: dict[str, pl.LazyFrame]) -> tuple[date, date] | None:
    """First and last day of the batch's charges and encounters, None when it has none."""
    times = pl.concat(
        [
            frames["fee_lines"].select(moment=pl.col("fee_ocur_time")),
            frames["settlements"].select(moment=pl.col("begntime")),
            frames["settlements"].select(moment=pl.col("endtime")),
        ]
    )
    span = times.select(
        first=pl.col("moment").min().dt.date(), last=pl.col("moment").max().dt.date()
    ).collect()
    first, last = span.row(0)
    return (first, last) if first is not None else None


def diagnose(folder: str | Path, frames: tuple[str, ...] | None = None) -> BatchError | None:
    """Find the values a strict read refused: the first few, with file, row and column."""
    problems: list[str] = []
    for name, found in batch_files(folder).items():
        if found is None or (frames and name not in frames):
            continue
        raw = _raw_scan(found.path).select(found.columns).with_row_index("row", offset=1)
        lenient = _scan(found, strict=False)
        checks = [
            (
                column,
                pl.col(column).is_not_null()
                & (pl.col(column).cast(pl.String).str.strip_chars() != ""),
            )
            for column in found.columns
        ]
        paired = pl.concat(
            [raw, lenient.select(pl.all().name.suffix("__parsed"))], how="horizontal"
        )
        for column, present in checks:
            bad = paired.filter(present & pl.col(f"{column}__parsed").is_null())
            for row, value in bad.select("row", column).head(_MAX_REPORTED).collect().iter_rows():
                problems.append(
                    _("%(file)s row %(row)s, column %(column)s: cannot read %(value)r.")
                    % {"file": found.path.name, "row": row, "column": column, "value": value}
                )
    return BatchError("\n".join(problems[: _MAX_REPORTED * 2])) if problems else None


FLAG_EXPORT_COLUMNS = (
    "flag_id",
    "rule_code",
    "setl_id",
    "feedetl_sn",
    "psn_no",
    "fixmedins_code",
    "sev_deg",
    "amount_at_risk",
    "detected_at",
    "evidence",
)
SCORE_EXPORT_COLUMNS = ("window_start", "window_end", "risk_score", "rank", "top_features")


def write_flags(flags: pl.DataFrame, path: str | Path) -> int:
    """flags.csv as interchange.md "Flag export": yuan with 2 decimals; returns rows."""
    fen = pl.col("amount_at_risk").fill_null(0)
    yuan = (
        pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit(""))
        + (fen.abs() // 100).cast(pl.String)
        + pl.lit(".")
        + (fen.abs() % 100).cast(pl.String).str.zfill(2)
    )
    rows = flags.sort("rule_code", "flag_id").select(
        *FLAG_EXPORT_COLUMNS[:7],
        amount_at_risk=yuan,
        detected_at=pl.col("detected_at").dt.strftime(interchange.DATETIME_FORMAT),
        evidence=pl.col("evidence").fill_null("{}"),
    )
    rows.write_csv(path)
    return rows.height


def write_scores(scores: pl.DataFrame, key: str, path: str | Path) -> int:
    """institution_scores.csv / practitioner_scores.csv (key: fixmedins_code or dr_code)."""
    rows = scores.select(key, *SCORE_EXPORT_COLUMNS).sort("rank")
    rows.write_csv(path, date_format=interchange.DATE_FORMAT)
    return rows.height
