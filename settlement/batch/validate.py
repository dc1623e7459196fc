"""Check every row of a batch, vectorized, and type its columns.

`validate_batch` returns the typed frames and every error (file, row, column, value, reason)
and warning. Typed columns: int Int64, decimal and money Int64 scaled by the stored decimal
places (money: fen), date Date, datetime naive Shanghai wall clock, bool Boolean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl
from django.utils.translation import gettext as _

from medins.interchange import FILES_BY_NAME, FileSpec
from medins.text import CONTROL_PATTERN, CONTROL_REASON
from settlement.batch import catalog, references, rules
from settlement.batch.common import TypedFile, errors_where, file_error, no_errors
from settlement.batch.read import ROW
from settlement.batch.schema import Target, targets

_PATTERNS = {
    "int": r"^-?\d+$",
    "decimal": r"^-?\d+(\.\d+)?$",
    "money": r"^-?\d+(\.\d+)?$",
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "datetime": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
    "bool": r"^[01]$",
}


@dataclass
class Validation:
    files: dict[str, TypedFile]
    errors: pl.DataFrame
    warnings: list[dict] = field(default_factory=list)
    catalog_plan: catalog.Plan | None = None


def type_file(spec: FileSpec, label: str, text: pl.DataFrame) -> tuple[TypedFile, pl.DataFrame]:
    """Format checks of one file (columns, required, types, choices, lengths, duplicates)."""
    found: list[pl.DataFrame] = []
    missing = [c.national for c in spec.columns if c.required and c.national not in text.columns]
    for national in missing:
        found.append(
            file_error(
                label,
                _("required column %(column)s is missing") % {"column": national},
                column=national,
            )
        )
    present = tuple(name for name in spec.nationals if name in text.columns)
    typed = text.with_columns(
        [_typed(target) for target in targets(spec) if target.national in present]
        + [_null(target) for target in targets(spec) if target.national not in present]
    )
    for target in targets(spec):
        if target.national in present:
            found.extend(_column_errors(text, typed, target, label))
    found.append(_duplicates(typed, spec, label))
    typed_file = TypedFile(spec, label, typed, present, complete=not missing)
    return typed_file, pl.concat(found, how="vertical_relaxed")


def _null(target: Target) -> pl.Expr:
    return pl.lit(None, dtype=_dtype(target)).alias(target.national)


def _dtype(target: Target) -> pl.DataType:
    return {
        "int": pl.Int64,
        "decimal": pl.Int64,
        "money": pl.Int64,
        "date": pl.Date,
        "datetime": pl.Datetime("us"),
        "bool": pl.Boolean,
    }.get(target.kind, pl.String)


def _typed(target: Target) -> pl.Expr:
    raw = pl.col(target.national)
    kind = target.kind
    if kind == "int":
        typed = raw.cast(pl.Int64, strict=False)
    elif kind in ("decimal", "money"):
        typed = scaled(raw, target.places)
    elif kind == "date":
        typed = raw.str.to_date("%Y-%m-%d", strict=False)
    elif kind == "datetime":
        typed = raw.str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us", strict=False)
    elif kind == "bool":
        typed = raw.replace_strict({"1": True, "0": False}, default=None, return_dtype=pl.Boolean)
    else:
        return raw
    pattern = _PATTERNS[kind]
    return pl.when(raw.str.contains(pattern)).then(typed).alias(target.national)


def scaled(raw: pl.Expr, places: int) -> pl.Expr:
    """'-12.5' with places 2 -> -1250: exact fixed point, never a float."""
    negative = raw.str.starts_with("-")
    whole = raw.str.extract(r"^-?(\d+)", 1).cast(pl.Int64, strict=False)
    fraction = raw.str.extract(r"\.(\d+)$", 1).fill_null("").str.pad_end(places, "0")
    fraction = fraction.str.slice(0, places).cast(pl.Int64, strict=False).fill_null(0)
    magnitude = whole * 10**places + fraction
    return pl.when(negative).then(-magnitude).otherwise(magnitude)


def _column_errors(
    text: pl.DataFrame, typed: pl.DataFrame, target: Target, label: str
) -> list[pl.DataFrame]:
    name = target.national
    raw = pl.col(name)
    both = text.with_columns(typed[name].alias("__typed"))
    parsed = pl.col("__typed")
    found = []
    if target.column.required:
        found.append(
            errors_where(text, raw.is_null(), file=label, column=name, reason=_("required"))
        )
    if target.kind != "str":
        found.append(
            errors_where(
                both,
                raw.is_not_null() & parsed.is_null(),
                file=label,
                column=name,
                reason=_type_reason(target),
            )
        )
    found.extend(_limit_errors(both, target, label))
    return found


def _type_reason(target: Target) -> str:
    return {
        "int": _("not a whole number"),
        "decimal": _("not a decimal number (digits, optional point, e.g. 12.5)"),
        "money": _("not an amount in yuan (e.g. 12.50)"),
        "date": _("not a date YYYY-MM-DD"),
        "datetime": _("not a time YYYY-MM-DD HH:MM:SS"),
        "bool": _("must be 0 or 1"),
    }[target.kind]


def _limit_errors(both: pl.DataFrame, target: Target, label: str) -> list[pl.DataFrame]:
    name, raw, parsed = target.national, pl.col(target.national), pl.col("__typed")
    found = []
    if target.column.choices:
        reason = _("not one of %(choices)s") % {"choices": ", ".join(target.column.choices)}
        bad = raw.is_not_null() & ~raw.is_in(list(target.column.choices))
        found.append(errors_where(both, bad, file=label, column=name, reason=reason))
    if target.kind == "str":  # PostgreSQL cannot store NUL; no control character is data
        bad = raw.str.contains(CONTROL_PATTERN)
        found.append(errors_where(both, bad, file=label, column=name, reason=str(CONTROL_REASON)))
    if target.kind == "str" and target.max_length:
        reason = _("longer than %(count)s characters") % {"count": target.max_length}
        bad = raw.str.len_chars() > target.max_length
        found.append(errors_where(both, bad, file=label, column=name, reason=reason))
    if target.kind in ("decimal", "money"):
        decimals = raw.str.extract(r"\.(\d+)$", 1).str.len_chars().fill_null(0)
        reason = _("more than %(count)s decimal places") % {"count": target.places}
        bad = parsed.is_not_null() & (decimals > target.places)
        found.append(errors_where(both, bad, file=label, column=name, reason=reason))
        digits = raw.str.extract(r"^-?0*(\d*)", 1).str.len_chars()
        reason = _("too large: at most %(count)s digits before the point") % {
            "count": target.int_digits
        }
        bad = parsed.is_not_null() & (digits > target.int_digits)
        found.append(errors_where(both, bad, file=label, column=name, reason=reason))
    if target.kind == "int" and target.max_int is not None:
        reason = _("must be between %(low)s and %(high)s") % {
            "low": target.min_int,
            "high": target.max_int,
        }
        bad = (parsed < target.min_int) | (parsed > target.max_int)
        found.append(errors_where(both, bad, file=label, column=name, reason=reason))
    return found


def _duplicates(typed: pl.DataFrame, spec: FileSpec, label: str) -> pl.DataFrame:
    """Every later row repeating a key (or a unique column) of an earlier row."""
    found = []
    for columns in (spec.key, *rules.UNIQUE_COLUMNS.get(spec.name, ())):
        if not all(name in typed.columns for name in columns):
            continue
        keyed = typed.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in columns))
        keyed = keyed.with_columns(pl.col(ROW).min().over(columns).alias("__first"))
        reason = pl.format(_("duplicate of row {}"), pl.col("__first"))
        bad = pl.col(ROW) != pl.col("__first")
        found.append(errors_where(keyed, bad, file=label, column=columns[-1], reason=reason))
    return pl.concat(found, how="vertical_relaxed") if found else no_errors()


def validate_batch(
    texts: dict[str, tuple[str, pl.DataFrame]], *, today: date, institution_code: str | None
) -> Validation:
    """Type and check every file, then the rules across rows, files and what is stored."""
    files: dict[str, TypedFile] = {}
    found: list[pl.DataFrame] = [no_errors()]
    for name, (label, text) in texts.items():
        spec = FILES_BY_NAME[name]
        typed_file, errors = type_file(spec, label, text)
        files[name] = typed_file
        found.append(errors)
    complete = {name: typed for name, typed in files.items() if typed.complete}
    found.extend(rules.row_errors(complete))
    found.extend(references.reference_errors(files, institution_code=institution_code))
    plan, catalog_errors = catalog.plan(complete.get("catalog"), today=today)
    found.append(catalog_errors)
    errors = pl.concat(found, how="vertical_relaxed")
    errors = _as_written(errors, dict(texts.values()))
    order = [label for label, _text in texts.values()]
    return Validation(files, _sorted(errors, order), rules.icd10_warnings(complete), plan)


def _as_written(errors: pl.DataFrame, texts: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Report each value as the file spells it, not as typed (25.00, not 2500 fen)."""
    parts = [errors.filter(pl.col("row").is_null())]
    for (label, column), found in errors.filter(pl.col("row").is_not_null()).group_by(
        "file", "column", maintain_order=True
    ):
        text = texts[label]
        if column not in text.columns:
            parts.append(found)
            continue
        written = text.select(pl.col(ROW).alias("row"), pl.col(column).alias("__written"))
        found = found.join(written, on="row", how="left", maintain_order="left")
        parts.append(found.with_columns(pl.col("__written").alias("value")).drop("__written"))
    return pl.concat(parts, how="vertical_relaxed")


def _sorted(errors: pl.DataFrame, order: list[str]) -> pl.DataFrame:
    rank = {label: index for index, label in enumerate(order)}
    return (
        errors.with_columns(
            pl.col("file")
            .replace_strict(rank, default=len(rank), return_dtype=pl.Int32)
            .alias("__f")
        )
        .sort("__f", "row", "column", nulls_last=False)
        .drop("__f")
    )
