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


def levels_off(z_floor: float) -> pl.Expr:
    """How many of a unit's levels (costs, items, shares, stays; growth left out) lie above
    z_floor.

    Growth alone is more patients, which a new ward or a colleague's leave explains, so it
    makes a finding only beside a level that is off too. And on clean data a single level a
    little beyond 3.5 comes by chance (a dozen features × thousands of units); billing more
    per encounter moves several at once (cost, items, the share of exams), so by default a
    finding needs two (min_features)."""
    off = (pl.element().struct.field("feature") != "growth") & (
        pl.element().struct.field("z") > z_floor
    )
    return pl.col("drivers").list.eval(off.sum()).list.first().fill_null(0)


def anomaly_findings(
    scored: pl.DataFrame,
    *,
    subject_key: pl.Expr,
    context: dict[str, pl.Expr],
    sev_deg: int,
    z_threshold: float,
    model_top_share: float,
    z_floor: float,
    min_features: int,
) -> pl.LazyFrame:
    """Units with a robust z above z_threshold or in the model's top share, with at least
    min_features levels above z_floor (so the model alone never flags the natural top of
    clean data); the rule passes the result through base.findings."""
    in_model_top = pl.col("model_rank") <= model_top(model_top_share, scored.height)
    outlier = (pl.col("max_z") > z_threshold) | in_model_top
    flagged = scored.lazy().filter(outlier & (levels_off(z_floor) >= max(min_features, 1)))
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
        min_features=pl.lit(min_features),
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
