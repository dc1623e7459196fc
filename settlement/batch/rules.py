"""Checks across the columns of a row and across files of the batch, vectorized.

The resident-ID check is a vectorized twin of medins.identity.certno_validate (tests hold the
two to the same answers). ICD-10 codes the registry does not know are warnings, never errors.
"""

from __future__ import annotations

import logging

import polars as pl
from django.utils.translation import gettext as _

from settlement.batch import common as v
from settlement.batch.read import ROW
from settlement.batch.schema import targets

logger = logging.getLogger(__name__)

# Columns besides the key that the database keeps unique.
UNIQUE_COLUMNS = {"persons": (("certno",),), "settlements": (("mdtrt_id",),)}
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ICD10_COLUMNS = {"settlements": "dise_codg", "diagnoses": "diag_code"}


def certno_problem(certno: pl.Expr) -> pl.Expr:
    """Why each ID number is invalid (null when it is valid): length, shape, check, birth date."""
    value = certno.str.strip_chars().str.to_uppercase()
    total = pl.sum_horizontal(
        value.str.slice(index, 1).cast(pl.Int64, strict=False) * weight
        for index, weight in enumerate(_WEIGHTS)
    )
    expected = (total % 11).replace_strict(
        dict(enumerate(_CHECK_CHARS)), default=None, return_dtype=pl.String
    )
    actual = value.str.slice(17, 1)
    length = value.str.len_chars()
    return (
        pl.when(length != 18)
        .then(pl.format(_("must have 18 characters, has {}"), length))
        .when(~value.str.contains(r"^[0-9]{17}[0-9X]$"))  # \d would take "２" too
        .then(pl.lit(_("must be 17 digits followed by a digit or X")))
        .when(actual != expected)
        .then(pl.format(_("check digit is {}, should be {}"), actual, expected))
        .when(certno_birth(value).is_null())
        .then(pl.format(_("birth date {} in the ID is not a date"), value.str.slice(6, 8)))
    )


def certno_birth(certno: pl.Expr) -> pl.Expr:
    return certno.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)


def certno_gender(certno: pl.Expr) -> pl.Expr:
    odd = certno.str.slice(16, 1).cast(pl.Int64, strict=False) % 2 == 1
    return pl.when(odd).then(pl.lit("1")).otherwise(pl.lit("2"))


def _person_errors(persons: v.TypedFile) -> list[pl.DataFrame]:
    frame = persons.frame.with_columns(certno_problem(pl.col("certno")).alias("__problem"))
    label = persons.label
    valid = pl.col("__problem").is_null() & pl.col("certno").is_not_null()
    upper = pl.col("certno").str.to_uppercase()
    birth_reason = pl.format(_("disagrees with the birth date {} in certno"), certno_birth(upper))
    gender_reason = pl.lit(_("disagrees with the 17th digit of certno"))
    return [
        v.errors_where(frame, pl.col("__problem").is_not_null(), file=label, column="certno",
                       reason=pl.col("__problem")),
        v.errors_where(frame, valid & (pl.col("brdy") != certno_birth(upper)), file=label,
                       column="brdy", reason=birth_reason),
        v.errors_where(frame, valid & pl.col("gend").is_in(["1", "2"])
                       & (pl.col("gend") != certno_gender(upper)), file=label, column="gend",
                       reason=gender_reason),
    ]  # fmt: skip


def _settlement_errors(settlements: v.TypedFile) -> list[pl.DataFrame]:
    reason = _("endtime is before begntime")
    bad = pl.col("endtime") < pl.col("begntime")
    return [v.errors_where(settlements.frame, bad, file=settlements.label, column="endtime",
                           reason=reason)]  # fmt: skip


def _fee_line_errors(lines: v.TypedFile) -> list[pl.DataFrame]:
    """cnt is not 0, and det_item_fee_sumamt = cnt x pric within 0.01, in exact fixed point."""
    places = {target.national: target.places for target in targets(lines.spec)}
    product_places = places["cnt"] + places["pric"]
    product = pl.col("cnt").cast(pl.Int128) * pl.col("pric").cast(pl.Int128)
    amount = pl.col("det_item_fee_sumamt").cast(pl.Int128) * 10 ** (
        product_places - places["det_item_fee_sumamt"]
    )
    tolerance = 10 ** (product_places - 2)  # 0.01 yuan
    reason = _("differs from cnt x pric by more than 0.01")
    label = lines.label
    return [
        v.errors_where(lines.frame, pl.col("cnt") == 0, file=label, column="cnt",
                       reason=_("quantity must not be 0")),
        v.errors_where(lines.frame, (product - amount).abs() > tolerance, file=label,
                       column="det_item_fee_sumamt", reason=reason),
    ]  # fmt: skip


def _total_errors(settlements: v.TypedFile, lines: v.TypedFile) -> list[pl.DataFrame]:
    """A settlement whose fee lines are in the batch must total exactly their amounts."""
    sums = lines.frame.group_by("setl_id").agg(pl.col("det_item_fee_sumamt").sum().alias("__sum"))
    joined = settlements.frame.join(sums, on="setl_id", how="inner")
    reason = pl.format(
        _("differs from the sum of its fee lines in the batch ({})"), _yuan(pl.col("__sum"))
    )
    bad = pl.col("medfee_sumamt") != pl.col("__sum")
    return [v.errors_where(joined, bad, file=settlements.label, column="medfee_sumamt",
                           reason=reason)]  # fmt: skip


def _yuan(fen: pl.Expr) -> pl.Expr:
    sign = pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    cents = (fen.abs() % 100).cast(pl.String).str.pad_start(2, "0")
    return pl.concat_str(sign, (fen.abs() // 100).cast(pl.String), pl.lit("."), cents)


def row_errors(files: dict[str, v.TypedFile]) -> list[pl.DataFrame]:
    """Errors of the rules that compare columns of a row or rows of two files."""
    found: list[pl.DataFrame] = []
    if "persons" in files:
        found.extend(_person_errors(files["persons"]))
    if "settlements" in files:
        found.extend(_settlement_errors(files["settlements"]))
    if "fee_details" in files:
        found.extend(_fee_line_errors(files["fee_details"]))
    if "settlements" in files and "fee_details" in files:
        found.extend(_total_errors(files["settlements"], files["fee_details"]))
    return found


def _unknown_icd10_codes(codes: list[str]) -> set[str]:
    try:
        from medins.icd10 import unknown_icd10_codes
    except ImportError:  # medins/icd10.py comes with the ICD-10 registry; until then, no check
        logger.warning("medins.icd10 is not installed: ICD-10 codes are not checked")
        return set()
    return set(unknown_icd10_codes(codes))


def icd10_warnings(files: dict[str, v.TypedFile]) -> list[dict]:
    """One warning per unknown ICD-10 code and file: first row and how many rows carry it."""
    warnings: list[dict] = []
    for name, column in _ICD10_COLUMNS.items():
        if name not in files or column not in files[name].present:
            continue
        usage = (
            files[name].frame.filter(pl.col(column).is_not_null())
            .group_by(column).agg(pl.col(ROW).min().alias("row"), pl.len().alias("rows"))
        )  # fmt: skip
        unknown = _unknown_icd10_codes(usage[column].to_list())
        for code, row, rows in (
            usage.filter(pl.col(column).is_in(sorted(unknown))).sort("row").rows()
        ):
            reason = _("unknown ICD-10 code, accepted (%(count)s rows)") % {"count": rows}
            warnings.append(
                {"file": files[name].label, "row": row, "column": column, "value": code,
                 "reason": reason}
            )  # fmt: skip
    return warnings
