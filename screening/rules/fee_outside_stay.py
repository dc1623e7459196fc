"""FEE_OUTSIDE_STAY 计费日期与住院时间不符: an inpatient charge dated outside the stay."""

from __future__ import annotations

import polars as pl

from screening.rules import base, lines

RULE = base.Rule(
    code="FEE_OUTSIDE_STAY",
    name_zh="计费日期与住院时间不符",
    name_en="Charge outside the stay",
    scope="fee_line",
    reads=("fee_lines", "settlements"),
    sev_deg=1,
    nets_refunds=True,
    thresholds=(
        base.Threshold(
            name="grace_days",
            default=0,
            minimum=0,
            maximum=7,
            label_zh="入院日前或出院日后允许的计费天数",
            label_en="Days before admission or after discharge still accepted",
        ),
    ),
)


def find(
    *, fee_lines: pl.LazyFrame, settlements: pl.LazyFrame, grace_days: int = 0
) -> pl.LazyFrame:
    """Each charged line of an inpatient stay whose day is outside admission..discharge day."""
    stays = base.inpatient_stays(settlements).select(
        "setl_id",
        "begntime",
        "endtime",
        admission_day=pl.col("begntime").dt.date(),
        discharge_day=pl.col("endtime").dt.date(),
    )
    dated = (
        lines.net_of_refunds(fee_lines)
        .join(stays, on="setl_id", how="inner")
        .with_columns(
            days_before=(pl.col("admission_day") - pl.col("fee_day")).dt.total_days(),
            days_after=(pl.col("fee_day") - pl.col("discharge_day")).dt.total_days(),
        )
        .with_columns(days_outside=pl.max_horizontal("days_before", "days_after"))
    )
    found = dated.filter(pl.col("days_outside") > grace_days)
    return base.findings(
        found.with_columns(
            dr_code=pl.col("bilg_dr_codg"),
            subject_key=pl.col("feedetl_sn"),
            event_time=pl.col("fee_ocur_time"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=pl.col("net_amount"),
            evidence=pl.struct(
                pl.col("med_list_codg"),
                pl.col("days_outside"),
                fee_ocur_time=lines.time_text("fee_ocur_time"),
                admitted_at=lines.time_text("begntime"),
                discharged_at=lines.time_text("endtime"),
                side=pl.when(pl.col("days_before") > 0)
                .then(pl.lit("before_admission"))
                .otherwise(pl.lit("after_discharge")),
                grace_days=pl.lit(grace_days),
            ).struct.json_encode(),
        )
    )
