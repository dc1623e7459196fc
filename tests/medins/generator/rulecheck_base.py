"""Loading a generated batch for the plain-polars rule checks, and what they share."""

from __future__ import annotations

from pathlib import Path

import polars as pl

OUTPATIENT_MANAGEABLE = [
    "J00",
    "J02",
    "J03",
    "J06",
    "J20",
    "K29",
    "K30",
    "A09",
    "I10",
    "E11",
    "M54",
    "R51",
    "H10",
    "L30",
]
INPATIENT = pl.col("med_type").str.starts_with("2")
LEVELS = {
    **dict.fromkeys(("01", "02", "03", "04", "12"), 3),
    **dict.fromkeys(("05", "06", "07", "13"), 2),
    **dict.fromkeys(("08", "09", "10", "14"), 1),
}


def fen(name: str) -> pl.Expr:
    return (pl.col(name).cast(pl.Float64) * 100).round().cast(pl.Int64)


def when(name: str) -> pl.Expr:
    return pl.col(name).str.to_datetime("%Y-%m-%d %H:%M:%S")


def load(folder: Path) -> dict[str, pl.DataFrame]:
    read = {
        name: pl.read_csv(folder / f"{name}.csv", infer_schema=False)
        for name in (
            "institutions",
            "persons",
            "catalog",
            "settlements",
            "diagnoses",
            "fee_details",
            "bed_checks",
            "truth",
            "near_misses",
            "practitioners",
            "divisions",
        )
    }
    read["institutions"] = read["institutions"].with_columns(
        level=pl.col("hosp_lv").replace_strict(LEVELS, default=0, return_dtype=pl.Int32)
    )
    read["persons"] = read["persons"].with_columns(brdy=pl.col("brdy").str.to_date())
    ints = (
        "lmt_min_age",
        "lmt_max_age",
        "lmt_min_hosp_lv",
        "max_pay_days",
        "max_daily_cnt",
        "max_supply_days",
        "repeat_window_days",
    )
    read["catalog"] = read["catalog"].with_columns(
        *(pl.col(c).cast(pl.Int32) for c in ints), cap=fen("pric_uplmt_amt")
    )
    read["settlements"] = read["settlements"].with_columns(
        begntime=when("begntime"),
        endtime=when("endtime"),
        total=fen("medfee_sumamt"),
        **{
            c: fen(c)
            for c in ("fulamt_ownpay_amt", "inscp_scp_amt", "hifp_pay", "acct_pay", "psn_cash_pay")
        },
    )
    read["fee_details"] = (
        read["fee_details"]
        .with_columns(
            fee_ocur_time=when("fee_ocur_time"),
            cnt=pl.col("cnt").cast(pl.Int64),
            pric=fen("pric"),
            amount=fen("det_item_fee_sumamt"),
            prd_days=pl.col("prd_days").cast(pl.Int32),
        )
        .with_columns(day=pl.col("fee_ocur_time").dt.date())
    )
    return read


def _lines(b: dict[str, pl.DataFrame]) -> pl.DataFrame:
    setl = b["settlements"].select("setl_id", "med_type", "begntime", "endtime", "dise_codg")
    return (
        b["fee_details"]
        .join(setl, on="setl_id")
        .join(b["catalog"], on="med_list_codg", how="left", suffix="_cat")
    )


def _all_codes(b) -> pl.DataFrame:
    return pl.concat(
        [
            b["settlements"].select("mdtrt_id", code="dise_codg"),
            b["diagnoses"].select("mdtrt_id", code="diag_code"),
        ]
    ).with_columns(code=pl.col("code").str.replace(".", "", literal=True).str.to_uppercase())
