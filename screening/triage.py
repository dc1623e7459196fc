"""Triage: one score per flagged settlement, so the queue puts the likeliest recoverable
money first.

For each flag:
    likelihood = min(1, precision(rule) × severity_weight(sev_deg) × (0.5 + institution_risk))
where precision is the rule's confirmed share of decided flags (0.5 while nothing is decided),
severity_weight is 1 for 明确违规 (1), 0.75 for 高度可疑 (2) and 0.5 for 可疑 (3), and
institution_risk is the institution's anomaly risk_score in 0..1 (0.5 when unscored), so the
riskiest institution counts up to 1.5×, the cleanest 0.5×.

Flags on the same settlement are one item of work: its likelihood is 1 − Π(1 − likelihood)
(any one of them confirmed is enough) and its money is the largest amount at risk among them
(the same yuan can be in doubt under several rules; one recovery brings it back once). Flags
without a settlement (institution, practitioner or person level) stand alone.

    triage_score = likelihood × (amount in yuan + 1)

the expected money recovered by auditing it; the extra yuan lets flags with no amount at risk
still rank by their likelihood.
"""

from __future__ import annotations

import polars as pl

NO_DECISIONS_PRECISION = 0.5  # prior for a rule no auditor has judged yet
SEVERITY_WEIGHT = {1: 1.0, 2: 0.75, 3: 0.5}
UNSCORED_RISK = 0.5


def _institution_risk(flags: pl.DataFrame, scores: pl.DataFrame | None) -> pl.DataFrame:
    if scores is None or scores.is_empty():
        return flags.with_columns(institution_risk=pl.lit(UNSCORED_RISK))
    risk = scores.select(
        pl.col("fixmedins_code").cast(pl.String),
        pl.col("risk_score").cast(pl.Float64).alias("institution_risk"),
    ).unique("fixmedins_code", keep="first")
    return flags.join(risk, on="fixmedins_code", how="left").with_columns(
        pl.col("institution_risk").fill_null(UNSCORED_RISK).clip(0.0, 1.0)
    )


def _likelihood(rule_precision: dict[str, float]) -> pl.Expr:
    precision = pl.col("rule_code").replace_strict(
        rule_precision, default=NO_DECISIONS_PRECISION, return_dtype=pl.Float64
    )
    severity = pl.col("sev_deg").replace_strict(
        SEVERITY_WEIGHT, default=SEVERITY_WEIGHT[3], return_dtype=pl.Float64
    )
    return (precision * severity * (0.5 + pl.col("institution_risk"))).clip(0.0, 1.0)


def triage_scores(
    flags: pl.DataFrame,
    *,
    rule_precision: dict[str, float],
    institution_scores: pl.DataFrame | None,
) -> pl.DataFrame:
    """The flags with `likelihood` and `triage_score` (expected yuan), highest score first.

    Reads flag_id, rule_code, setl_id, fixmedins_code, sev_deg and amount_at_risk (fen)."""
    settlement = pl.col("setl_id").cast(pl.String)
    work_item = (
        pl.when(settlement.is_null() | (settlement == ""))
        .then(pl.concat_str(pl.lit("flag:"), "flag_id"))
        .otherwise(pl.concat_str(pl.lit("setl:"), settlement))
    )
    scored = (
        _institution_risk(flags, institution_scores)
        .with_columns(work_item=work_item, likelihood=_likelihood(rule_precision))
        .with_columns(
            item_likelihood=1 - (1 - pl.col("likelihood")).product().over("work_item"),
            item_amount=pl.col("amount_at_risk").fill_null(0).max().over("work_item"),
        )
        .with_columns(
            triage_score=(pl.col("item_likelihood") * (pl.col("item_amount") / 100 + 1)).round(4)
        )
    )
    return scored.sort(["triage_score", "flag_id"], descending=[True, False]).drop(
        "work_item", "item_likelihood", "item_amount", "institution_risk"
    )
