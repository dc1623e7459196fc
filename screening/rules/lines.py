"""What the fee-line rules share: refund netting, the line's day and evidence formatting.

Not a rule (ALL_RULES lists rules explicitly); pure polars helpers, like the rules.
"""

from __future__ import annotations

import polars as pl

DRUG_TYPES = ("09", "10", "11")  # 西药费, 中药饮片费, 中成药费
EXAM_TYPES = ("03", "04")  # 检查费, 化验费
OUTPATIENT_TYPES = ("11", "13", "14")
PHARMACY_TYPE = "41"
CHRONIC_TYPE = "14"  # 门诊慢特病
TIME_TEXT = "%Y-%m-%d %H:%M:%S"

# A refund cancels units of the same item for the same person and day; it is the same
# institution that refunds what it charged, so the institution is part of the key.
_REFUND_KEY = ("psn_no", "fixmedins_code", "med_list_codg", "fee_day")
_ORDER = ("fee_ocur_time", "feedetl_sn")


def with_day(fee_lines: pl.LazyFrame) -> pl.LazyFrame:
    """Add fee_day, the local calendar day of the charge (times are Shanghai wall clock)."""
    return fee_lines.with_columns(fee_day=pl.col("fee_ocur_time").dt.date())


def net_of_refunds(fee_lines: pl.LazyFrame) -> pl.LazyFrame:
    """Charged lines (cnt > 0) left after the day's refunds, with net_cnt and net_amount.

    Refunded units cancel the latest lines of the day first; a line cancelled entirely is
    dropped, a partly cancelled one keeps its remaining units. Refund lines never appear.
    Lines netted already (they have net_cnt: the engine nets once for every rule) pass as
    they are.
    """
    if "net_cnt" in fee_lines.collect_schema():
        return fee_lines
    lines = with_day(fee_lines)
    refunds = (
        lines.filter(pl.col("cnt") < 0).group_by(_REFUND_KEY).agg(refunded=-pl.col("cnt").sum())
    )
    charged = lines.filter(pl.col("cnt") > 0).join(
        refunds, on=_REFUND_KEY, how="left", nulls_equal=True
    )
    # Refunds are rare: only lines that share a key with one need the ordered pass.
    untouched = charged.filter(pl.col("refunded").is_null()).with_columns(
        net_cnt=pl.col("cnt"), net_amount=pl.col("det_item_fee_sumamt")
    )
    touched = (
        charged.filter(pl.col("refunded").is_not_null())
        .sort(*_REFUND_KEY, *_ORDER)
        .with_columns(
            later_units=(pl.col("cnt").cum_sum(reverse=True).over(_REFUND_KEY) - pl.col("cnt"))
        )
        .with_columns(
            net_cnt=(
                pl.col("cnt") - (pl.col("refunded") - pl.col("later_units")).clip(lower_bound=0)
            ).clip(lower_bound=0)
        )
        .filter(pl.col("net_cnt").round(6) > 0)
        .with_columns(
            net_amount=(pl.col("det_item_fee_sumamt") * pl.col("net_cnt") / pl.col("cnt"))
            .round(0)
            .cast(pl.Int64)
        )
        .drop("later_units")
    )
    return pl.concat([untouched, touched], how="vertical").drop("refunded")


def netted_in_memory(fee_lines: pl.DataFrame) -> pl.LazyFrame:
    """net_of_refunds of lines in memory, sharing their columns rather than copying them.

    net_cnt and net_amount are computed once per line (null for refund lines and lines
    cancelled entirely), beside the lines' own columns; each plan reading the result keeps
    the charged lines of the columns it reads. A netted copy of ten million lines held 2 GB.
    """
    netted = (
        net_of_refunds(fee_lines.lazy().with_row_index("line_row"))
        .select("line_row", "net_cnt", "net_amount")
        .collect()
    )

    def per_line(values: pl.Series) -> pl.Series:
        nulls = pl.Series(values.name, dtype=values.dtype).extend_constant(None, fee_lines.height)
        return nulls.scatter(netted["line_row"], values)

    return (
        fee_lines.with_columns(
            fee_day=pl.col("fee_ocur_time").dt.date(),
            net_cnt=per_line(netted["net_cnt"]),
            net_amount=per_line(netted["net_amount"]),
        )
        .lazy()
        .filter(pl.col("net_cnt").is_not_null())
    )


def net_of_refunds_of(fee_lines: pl.LazyFrame, items: pl.LazyFrame) -> pl.LazyFrame:
    """net_of_refunds for the lines of some items only (items: a frame with med_list_codg).

    The same as netting every line and keeping those items, since the item is part of the
    refund key; but the netting, a join on four keys, then runs on the few lines of those
    items rather than on all of them."""
    chosen = items.select("med_list_codg").unique()
    return net_of_refunds(fee_lines.join(chosen, on="med_list_codg", how="semi"))


def yuan(fen: pl.Expr) -> pl.Expr:
    """Fen as yuan for evidence (a JSON number such as 12.5)."""
    # polars divides through the reciprocal (251 / 100 -> 2.5100000000000002): round back.
    return (fen / 100).round(2)


def time_text(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime(TIME_TEXT)
