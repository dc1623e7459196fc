"""The rules of docs/rules-interpretation.md in plain polars, to check a generated batch.

Independent of screening/rules on purpose: the generator's tests must not lean on the code
they are meant to feed. Each function returns the keys of the findings of one rule.
"""

from __future__ import annotations

import polars as pl

from tests.medins.generator.rulecheck_base import INPATIENT, _all_codes, _lines, load
from tests.medins.generator.rulecheck_stays import (
    bed_blocking,
    diag_mismatch,
    excessive_cost,
    frequent_visits,
    low_standard_admission,
    overlapping_stays,
    split_admission,
)

__all__ = ["load"]


def dup_charge(b) -> set[str]:
    lines = _lines(b).sort("feedetl_sn")
    same = ("psn_no", "fixmedins_code", "med_list_codg")
    moment = lines.filter(pl.int_range(pl.len()).over(*same, "fee_ocur_time") > 0)
    units = lines.with_columns(
        units=pl.col("cnt").cum_sum().over(*same, "day", order_by="feedetl_sn")
    )
    over = units.filter(
        (pl.col("units") > pl.col("max_daily_cnt"))
        & (pl.col("units") - pl.col("cnt") <= pl.col("max_daily_cnt"))
    )
    return set(moment["feedetl_sn"]) | set(over["feedetl_sn"])


def dup_exam(b) -> set[str]:
    lines = _lines(b).filter(
        pl.col("med_chrgitm_type").is_in(["03", "04"]) & pl.col("repeat_window_days").is_not_null()
    )
    gap = (
        pl.col("day")
        - pl.col("day").shift(1).over("psn_no", "med_list_codg", order_by="fee_ocur_time")
    ).dt.total_days()
    found = lines.with_columns(gap=gap).filter(
        (pl.col("gap") >= 1) & (pl.col("gap") < pl.col("repeat_window_days"))
    )
    return set(found["feedetl_sn"])


def exclusive_items(b) -> set[str]:
    lines = _lines(b)
    bundles = (
        lines.filter(pl.col("includes_codes").is_not_null())
        .select("mdtrt_id", part=pl.col("includes_codes").str.split("|"))
        .explode("part")
    )
    return set(
        lines.join(bundles, left_on=["mdtrt_id", "med_list_codg"], right_on=["mdtrt_id", "part"])[
            "feedetl_sn"
        ]
    )


def over_price(b) -> set[str]:
    return set(_lines(b).filter(pl.col("pric") > pl.col("cap"))["feedetl_sn"])


def over_scope_drug(b) -> set[str]:
    lines = (
        _lines(b)
        .join(b["persons"].select("psn_no", "gend", "brdy"), on="psn_no")
        .join(b["institutions"].select("fixmedins_code", "level"), on="fixmedins_code")
    )
    age = (
        pl.col("day").dt.year()
        - pl.col("brdy").dt.year()
        - (
            (pl.col("day").dt.month().cast(pl.Int32) * 100 + pl.col("day").dt.day())
            < (pl.col("brdy").dt.month().cast(pl.Int32) * 100 + pl.col("brdy").dt.day())
        ).cast(pl.Int32)
    )
    lines = lines.with_columns(
        age=age, rank=pl.col("day").rank("dense").over("mdtrt_id", "med_list_codg")
    )
    broken = lines.filter(
        (pl.col("lmt_gend").is_not_null() & (pl.col("lmt_gend") != pl.col("gend")))
        | (pl.col("age") < pl.col("lmt_min_age")).fill_null(False)
        | (pl.col("age") > pl.col("lmt_max_age")).fill_null(False)
        | ((pl.col("lmt_inpatient_only") == "1") & ~INPATIENT).fill_null(False)
        | (pl.col("level") < pl.col("lmt_min_hosp_lv")).fill_null(False)
        | (pl.col("rank") > pl.col("max_pay_days")).fill_null(False)
    )
    limited = (
        lines.filter(pl.col("lmt_dise_prefixes").is_not_null())
        .select("feedetl_sn", "mdtrt_id", prefix=pl.col("lmt_dise_prefixes").str.split("|"))
        .explode("prefix")
    )
    matched = limited.join(_all_codes(b), on="mdtrt_id").filter(
        pl.col("code").str.starts_with(pl.col("prefix"))
    )
    unindicated = set(limited["feedetl_sn"]) - set(matched["feedetl_sn"])
    return set(broken["feedetl_sn"]) | unindicated


def excess_quantity(b) -> set[str]:
    lines = _lines(b).filter(
        pl.col("med_type").is_in(["11", "13", "14", "41"])
        & pl.col("prd_days").is_not_null()
        & pl.col("med_chrgitm_type").is_in(["09", "10", "11"])
    )
    limit = pl.coalesce(
        "max_supply_days", pl.when(pl.col("med_type") == "14").then(30).otherwise(7)
    )
    single = set(lines.filter(pl.col("prd_days") > limit)["feedetl_sn"])
    rolling = (
        _lines(b)
        .filter(pl.col("prd_days").is_not_null())
        .sort("psn_no", "med_list_codg", "day")
        .with_columns(
            supply=pl.col("prd_days")
            .rolling_sum_by("day", window_size="90d")
            .over("psn_no", "med_list_codg")
        )
    )
    return single | (set(rolling.filter(pl.col("supply") > 120)["feedetl_sn"]) - single)


def fee_outside_stay(b) -> set[str]:
    lines = _lines(b).filter(INPATIENT)
    return set(
        lines.filter(
            (pl.col("day") < pl.col("begntime").dt.date())
            | (pl.col("day") > pl.col("endtime").dt.date())
        )["feedetl_sn"]
    )


RULES = {
    "DUP_CHARGE": dup_charge,
    "DUP_EXAM": dup_exam,
    "EXCLUSIVE_ITEMS": exclusive_items,
    "OVER_PRICE": over_price,
    "OVER_SCOPE_DRUG": over_scope_drug,
    "EXCESS_QUANTITY": excess_quantity,
    "SPLIT_ADMISSION": split_admission,
    "BED_BLOCKING": bed_blocking,
    "LOW_STANDARD_ADMISSION": low_standard_admission,
    "OVERLAPPING_STAYS": overlapping_stays,
    "FEE_OUTSIDE_STAY": fee_outside_stay,
    "DIAG_MISMATCH": diag_mismatch,
    "FREQUENT_VISITS": frequent_visits,
    "EXCESSIVE_COST": excessive_cost,
}
KEY = {
    "DUP_CHARGE": "feedetl_sn",
    "DUP_EXAM": "feedetl_sn",
    "EXCLUSIVE_ITEMS": "feedetl_sn",
    "OVER_PRICE": "feedetl_sn",
    "OVER_SCOPE_DRUG": "feedetl_sn",
    "EXCESS_QUANTITY": "feedetl_sn",
    "FEE_OUTSIDE_STAY": "feedetl_sn",
    "FREQUENT_VISITS": "psn_no",
}


def key_of(rule: str) -> str:
    return KEY.get(rule, "setl_id")
