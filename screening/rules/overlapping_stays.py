"""OVERLAPPING_STAYS 同时住院: one person in hospital at two institutions at once."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from screening.rules import base

RULE = base.Rule(
    code="OVERLAPPING_STAYS",
    name_zh="同时住院",
    name_en="Overlapping stays",
    scope="settlement_pair",
    reads=("settlements",),
    sev_deg=1,
    thresholds=(
        base.Threshold(
            name="min_overlap_hours",
            default=24,
            minimum=1,
            maximum=240,
            label_zh="两次住院重叠小时数下限",
            label_en="Fewest hours two stays overlap",
        ),
    ),
    lookback_days=60,  # the earlier stay may have begun well before the later one
)

_TIME_TEXT = "%Y-%m-%d %H:%M:%S"
_OTHER = ("setl_id", "fixmedins_code", "begntime", "endtime")


def applies(frames: Mapping[str, pl.DataFrame]) -> bool:
    """A pair needs two stays (base.py: what applies promises)."""
    return base.inpatient_stay_count(frames["settlements"]) >= 2


def find(*, settlements: pl.LazyFrame, min_overlap_hours: int = 24) -> pl.LazyFrame:
    """The later admission of each pair of stays elsewhere overlapping min_overlap_hours."""
    stays = base.inpatient_stays(settlements)
    earlier = stays.select("psn_no", *(pl.col(name).alias(f"other_{name}") for name in _OTHER))
    overlap = pl.min_horizontal("endtime", "other_endtime") - pl.max_horizontal(
        "begntime", "other_begntime"
    )
    # Stays per person are few, so an equi-join on the person then a filter stays small.
    pairs = (
        stays.join(earlier, on="psn_no")
        .filter(
            pl.col("fixmedins_code") != pl.col("other_fixmedins_code"),
            _is_later(),
        )
        .with_columns(overlap=overlap)
        .filter(pl.col("overlap") >= pl.duration(hours=min_overlap_hours))
    )
    # One finding per later stay, naming the stay it overlaps most.
    later = (
        pairs.sort("overlap", "other_setl_id", descending=[True, False])
        .group_by("setl_id", maintain_order=True)
        .agg(pl.all().first(), overlapping_stays=pl.len())
    )
    return base.findings(
        later.with_columns(
            dr_code=pl.col("atddr_no"),
            subject_key=pl.col("setl_id"),
            event_time=pl.col("endtime"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=pl.col("hifp_pay"),
            evidence=_evidence(min_overlap_hours),
        )
    )


def _is_later() -> pl.Expr:
    # Admission order, with the settlement id breaking ties so that one of a pair is later.
    same_time = pl.col("begntime") == pl.col("other_begntime")
    return (pl.col("begntime") > pl.col("other_begntime")) | (
        same_time & (pl.col("setl_id") > pl.col("other_setl_id"))
    )


def _evidence(min_overlap_hours: int) -> pl.Expr:
    return pl.struct(
        admitted_at=pl.col("begntime").dt.strftime(_TIME_TEXT),
        discharged_at=pl.col("endtime").dt.strftime(_TIME_TEXT),
        other_setl_id=pl.col("other_setl_id"),
        other_fixmedins_code=pl.col("other_fixmedins_code"),
        other_admitted_at=pl.col("other_begntime").dt.strftime(_TIME_TEXT),
        other_discharged_at=pl.col("other_endtime").dt.strftime(_TIME_TEXT),
        overlap_hours=(pl.col("overlap").dt.total_minutes() / 60).round(1),
        min_overlap_hours=pl.lit(min_overlap_hours),
        overlapping_stays=pl.col("overlapping_stays"),
    ).struct.json_encode()
