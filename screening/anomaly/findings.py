"""Scored units → findings, shared by PEER_ANOMALY and PRACTITIONER_ANOMALY."""

from __future__ import annotations

import polars as pl

from screening.anomaly.features import COST_FEATURES
from screening.anomaly.scoring import model_top


def month_text() -> pl.Expr:
    return pl.col("month").dt.strftime("%Y-%m")


def excess_cost() -> pl.Expr:
    """Fen: for visits and for stays, (cost per encounter − the peers' median) × encounters,
    each never below zero (a cheap setting does not offset a dear one)."""
    excesses = [
        ((pl.col(name) - pl.col(f"peer_{name}")) * pl.col(count)).clip(lower_bound=0).fill_null(0)
        for name, count in COST_FEATURES.items()
    ]
    return (pl.sum_horizontal(excesses) * 100).round(0).cast(pl.Int64)


def anomaly_findings(
    scored: pl.DataFrame,
    *,
    subject_key: pl.Expr,
    context: dict[str, pl.Expr],
    sev_deg: int,
    z_threshold: float,
    model_top_share: float,
    z_floor: float,
) -> pl.LazyFrame:
    """Units with a robust z above z_threshold, or in the model's top share with a robust z
    above z_floor (so the model alone never flags the natural top of clean data); the rule
    passes the result through base.findings."""
    in_model_top = pl.col("model_rank") <= model_top(model_top_share, scored.height)
    flagged = scored.lazy().filter(
        (pl.col("max_z") > z_threshold) | (in_model_top & (pl.col("max_z") > z_floor))
    )
    driving = pl.col("drivers").list.filter(pl.element().struct.field("z") > z_floor)
    evidence = pl.struct(
        **context,
        encounters=pl.col("encounters"),
        visits=pl.col("visits"),
        admissions=pl.col("admissions"),
        cost_per_visit_yuan=pl.col("cost_per_visit").round(2),
        peer_median_cost_per_visit_yuan=pl.col("peer_cost_per_visit").round(2),
        cost_per_stay_yuan=pl.col("cost_per_stay").round(2),
        peer_median_cost_per_stay_yuan=pl.col("peer_cost_per_stay").round(2),
        excess_cost_yuan=(excess_cost() / 100).round(2),
        z_threshold=pl.lit(z_threshold),
        z_floor=pl.lit(z_floor),
        model_score=pl.col("model_score").round(4),
        model_rank=pl.col("model_rank"),
        model_top=in_model_top,
        features=driving,
    ).struct.json_encode()
    return flagged.with_columns(
        subject_key=subject_key,
        event_time=pl.col("month").cast(pl.Datetime("us")),
        sev_deg=pl.lit(sev_deg),
        amount_at_risk=excess_cost(),
        evidence=evidence,
    )
