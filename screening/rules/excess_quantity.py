"""EXCESS_QUANTITY 超量开药: too many days of supply on one line, or over a rolling window."""

from __future__ import annotations

import polars as pl

from screening.rules import base, lines

RULE = base.Rule(
    code="EXCESS_QUANTITY",
    name_zh="超量开药",
    name_en="Excess quantity",
    scope="fee_line",
    reads=("fee_lines", "catalog", "settlements"),
    sev_deg=2,
    thresholds=(
        base.Threshold(
            name="chronic_supply_days",
            default=30,
            minimum=1,
            maximum=180,
            label_zh="门诊慢特病单次处方最多用药天数(目录未设时)",
            label_en="Most days of supply per line for chronic care (no catalog limit)",
        ),
        base.Threshold(
            name="other_supply_days",
            default=7,
            minimum=1,
            maximum=180,
            label_zh="其他门诊和药店单次处方最多用药天数(目录未设时)",
            label_en="Most days of supply per line otherwise (no catalog limit)",
        ),
        base.Threshold(
            name="window_days",
            default=90,
            minimum=1,
            maximum=365,
            label_zh="累计用药天数的滚动窗口(天)",
            label_en="Rolling window for the cumulative supply (days)",
        ),
        base.Threshold(
            name="max_window_supply_days",
            default=120,
            minimum=1,
            maximum=730,
            label_zh="滚动窗口内同一药品累计用药天数上限",
            label_en="Most cumulative days of supply of one drug in the window",
        ),
    ),
    realtime=True,
    nets_refunds=True,
    lookback_days=90,
)

_DRUG = ("psn_no", "med_list_codg")


def find(
    *,
    fee_lines: pl.LazyFrame,
    catalog: pl.LazyFrame,
    settlements: pl.LazyFrame,
    chronic_supply_days: int = 30,
    other_supply_days: int = 7,
    window_days: int = 90,
    max_window_supply_days: int = 120,
) -> pl.LazyFrame:
    """(a) an outpatient/pharmacy line over its supply limit; (b) else over the window total."""
    # Read three times below: cached, planned and run once even unoptimized (the pre-check).
    judged = _drug_lines(
        fee_lines, catalog, settlements, chronic_supply_days, other_supply_days
    ).cache()
    over_line = (pl.col("prd_days") > pl.col("supply_limit")).fill_null(False)
    # Only a person's drug with more supply in all than the window allows can cross it:
    # the rolling pass runs on those few.
    heavy = judged.group_by(_DRUG).agg(total=pl.col("prd_days").sum())
    windowed = _with_window_supply(
        judged.join(heavy.filter(pl.col("total") > max_window_supply_days), on=_DRUG, how="semi"),
        window_days,
    ).with_columns(window_excess=pl.col("window_supply_days") - max_window_supply_days)
    found = pl.concat(
        [
            judged.filter(over_line).with_columns(
                branch=pl.lit("line"), excess_days=pl.col("prd_days") - pl.col("supply_limit")
            ),
            windowed.filter(pl.col("window_excess") > 0, ~over_line).with_columns(
                branch=pl.lit("window"),
                excess_days=pl.min_horizontal("window_excess", "prd_days"),
            ),
        ],
        how="diagonal_relaxed",
    )
    return base.findings(
        found.with_columns(
            dr_code=pl.col("bilg_dr_codg"),
            subject_key=pl.col("feedetl_sn"),
            event_time=pl.col("fee_ocur_time"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=(pl.col("net_amount") * pl.col("excess_days") / pl.col("prd_days"))
            .round(0)
            .cast(pl.Int64),
            evidence=_evidence(window_days, max_window_supply_days),
        )
    )


def _drug_lines(
    fee_lines: pl.LazyFrame,
    catalog: pl.LazyFrame,
    settlements: pl.LazyFrame,
    chronic_supply_days: int,
    other_supply_days: int,
) -> pl.LazyFrame:
    """Charged drug lines with days of supply, each with its supply_limit (null: none)."""
    encounters = settlements.filter(~pl.col("refd_setl_flag").fill_null(False))
    limit = (
        pl.when(pl.col("max_supply_days").is_not_null())
        .then(pl.col("max_supply_days"))
        .when(pl.col("med_type") == lines.CHRONIC_TYPE)
        .then(chronic_supply_days)
        .otherwise(other_supply_days)
    )
    out_of_hospital = pl.col("med_type").is_in([*lines.OUTPATIENT_TYPES, lines.PHARMACY_TYPE])
    return (
        lines.net_of_refunds(fee_lines.filter(pl.col("med_chrgitm_type").is_in(lines.DRUG_TYPES)))
        .filter(pl.col("prd_days") > 0)
        .join(catalog.select("med_list_codg", "max_supply_days"), on="med_list_codg", how="left")
        .join(encounters.select("setl_id", "med_type"), on="setl_id", how="left")
        .with_columns(supply_limit=pl.when(out_of_hospital).then(limit))
    )


def _with_window_supply(drugs: pl.LazyFrame, window_days: int) -> pl.LazyFrame:
    """Add window_supply_days: this drug's days of supply in the window ending on the line.

    Lines of earlier days in the window count in full; lines of the same day count up to
    and including this one (in time order), so the line that crosses is the one found.
    """
    # One sorted pass: the k-th line of a day sits at that day's midnight + k microseconds,
    # and a window one second short of window_days, closed on the right, then holds exactly
    # the window's earlier days in full and this day's lines up to this one.
    position = pl.int_range(pl.len()).over(*_DRUG, "fee_day")
    moment = pl.col("fee_day").cast(pl.Datetime("us")) + pl.duration(microseconds=position)
    span = f"{window_days - 1}d23h59m59s"
    return (
        drugs.sort(*_DRUG, "fee_ocur_time", "feedetl_sn")
        .with_columns(moment=moment)
        .with_columns(
            window_supply_days=pl.col("prd_days")
            .rolling_sum_by("moment", window_size=span)
            .over(_DRUG)
        )
        .drop("moment")
    )


def _evidence(window_days: int, max_window_supply_days: int) -> pl.Expr:
    return pl.struct(
        pl.col("branch"),
        pl.col("med_list_codg"),
        pl.col("med_type"),
        pl.col("prd_days"),
        pl.col("supply_limit"),
        pl.col("max_supply_days"),
        pl.col("window_supply_days"),
        pl.col("excess_days"),
        window_days=pl.lit(window_days),
        max_window_supply_days=pl.lit(max_window_supply_days),
        fee_ocur_time=lines.time_text("fee_ocur_time"),
    ).struct.json_encode()
