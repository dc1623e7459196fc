"""SPLIT_ADMISSION 分解住院: a readmission for the same condition soon after a discharge."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from screening.rules import base

RULE = base.Rule(
    code="SPLIT_ADMISSION",
    name_zh="分解住院",
    name_en="Split admission",
    scope="settlement_pair",
    reads=("settlements",),
    sev_deg=2,
    thresholds=(
        base.Threshold(
            name="max_gap_days",
            default=15,
            minimum=0,
            maximum=90,
            label_zh="出院后再入院间隔天数上限",
            label_en="Most days from a discharge to the readmission",
        ),
    ),
    lookback_days=15,
)

_STAY = ("psn_no", "fixmedins_code", "category")
_TIME_TEXT = "%Y-%m-%d %H:%M:%S"


def applies(frames: Mapping[str, pl.DataFrame]) -> bool:
    """A readmission needs two stays (base.py: what applies promises)."""
    return base.inpatient_stay_count(frames["settlements"]) >= 2


def find(*, settlements: pl.LazyFrame, max_gap_days: int = 15) -> pl.LazyFrame:
    """Each readmission at the same institution, same ICD-10 category, 0..N days after."""
    stays = (
        base.inpatient_stays(settlements)
        .with_columns(category=pl.col("dise_codg").str.slice(0, 3).str.to_uppercase())
        .filter(pl.col("category").is_not_null())
        .sort(*_STAY, "begntime", "setl_id")
    )
    # Sorted by person, institution and category: the row before is the previous stay of the
    # same condition there whenever the keys match. A stay of another condition in between
    # does not hide the pair.
    same_keys = pl.all_horizontal(pl.col(key) == pl.col(key).shift(1) for key in _STAY)
    paired = stays.with_columns(
        previous_setl_id=pl.col("setl_id").shift(1),
        previous_begntime=pl.col("begntime").shift(1),
        previous_endtime=pl.col("endtime").shift(1),
        previous_dise_codg=pl.col("dise_codg").shift(1),
        is_pair=same_keys.fill_null(False),
    ).with_columns(
        gap_days=(
            pl.col("begntime").dt.date() - pl.col("previous_endtime").dt.date()
        ).dt.total_days()
    )
    found = paired.filter(pl.col("is_pair"), pl.col("gap_days").is_between(0, max_gap_days))
    return base.findings(
        found.with_columns(
            dr_code=pl.col("atddr_no"),
            subject_key=pl.col("setl_id"),
            event_time=pl.col("endtime"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=pl.col("hifp_pay"),
            evidence=_evidence(max_gap_days),
        )
    )


def _evidence(max_gap_days: int) -> pl.Expr:
    return pl.struct(
        pl.col("category"),
        pl.col("dise_codg"),
        pl.col("gap_days"),
        max_gap_days=pl.lit(max_gap_days),
        admitted_at=pl.col("begntime").dt.strftime(_TIME_TEXT),
        previous_setl_id=pl.col("previous_setl_id"),
        previous_dise_codg=pl.col("previous_dise_codg"),
        previous_admitted_at=pl.col("previous_begntime").dt.strftime(_TIME_TEXT),
        previous_discharged_at=pl.col("previous_endtime").dt.strftime(_TIME_TEXT),
    ).struct.json_encode()
