"""EXCESSIVE_COST 过高费用: a settlement far above what its peers cost."""

from __future__ import annotations

import polars as pl

from screening.rules import base

RULE = base.Rule(
    code="EXCESSIVE_COST",
    name_zh="过高费用",
    name_en="Excessive cost",
    scope="settlement",
    reads=("settlements", "institutions"),
    sev_deg=3,
    thresholds=(
        base.Threshold(
            name="percentile",
            default=99.0,
            minimum=90.0,
            maximum=99.9,
            label_zh="同组费用百分位",
            label_en="Percentile of the peer group's cost",
        ),
        base.Threshold(
            name="min_peers",
            default=30,
            minimum=5,
            maximum=10_000,
            label_zh="同组结算数下限",
            label_en="Fewest settlements in a peer group",
        ),
        base.Threshold(
            name="min_ratio_to_median",
            default=3.0,
            minimum=1.0,
            maximum=50.0,
            label_zh="相对同组中位数倍数下限",
            label_en="Fewest times the peer group's median",
        ),
    ),
    # The percentile needs a quarter of history even when a run covers one day.
    lookback_days=90,
)

PEER_GROUP = ("hosp_level", "med_type", "category")


def find(
    *,
    settlements: pl.LazyFrame,
    institutions: pl.LazyFrame,
    percentile: float = 99.0,
    min_peers: int = 30,
    min_ratio_to_median: float = 3.0,
) -> pl.LazyFrame:
    """Settlements above their peer group's percentile and min_ratio_to_median × its median."""
    cost = pl.col("medfee_sumamt")
    grouped = (
        settlements.filter(~pl.col("refd_setl_flag").fill_null(False), cost.is_not_null())
        .with_columns(category=pl.col("dise_codg").str.slice(0, 3).str.to_uppercase())
        .filter(pl.col("category").is_not_null())
        .join(institutions.select("fixmedins_code", "hosp_level"), on="fixmedins_code", how="left")
        .with_columns(
            peers=pl.len().over(PEER_GROUP),
            cost_limit=cost.quantile(percentile / 100, "linear").over(PEER_GROUP),
            median=cost.median().over(PEER_GROUP),
        )
    )
    found = grouped.filter(
        pl.col("peers") >= min_peers,
        cost > pl.col("cost_limit"),
        cost >= pl.col("median") * min_ratio_to_median,
    )
    return base.findings(
        found.with_columns(
            dr_code=pl.col("atddr_no"),
            subject_key=pl.col("setl_id"),
            event_time=pl.col("endtime"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=(cost - pl.col("cost_limit")).round(0).cast(pl.Int64),
            evidence=_evidence(percentile, min_ratio_to_median),
        )
    )


def _evidence(percentile: float, min_ratio_to_median: float) -> pl.Expr:
    return pl.struct(
        *PEER_GROUP,
        "peers",
        medfee_sumamt_yuan=pl.col("medfee_sumamt") / 100,
        percentile=pl.lit(percentile),
        cost_limit_yuan=(pl.col("cost_limit") / 100).round(2),
        median_yuan=(pl.col("median") / 100).round(2),
        ratio_to_median=(pl.col("medfee_sumamt") / pl.col("median")).round(2),
        min_ratio_to_median=pl.lit(min_ratio_to_median),
    ).struct.json_encode()
