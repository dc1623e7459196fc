"""LOW_STANDARD_ADMISSION 低标准入院: a short stay that outpatient care could have handled."""

from __future__ import annotations

import polars as pl

from screening.rules import base

OUTPATIENT_MANAGEABLE = "J00|J02|J03|J06|J20|K29|K30|A09|I10|E11|M54|R51|H10|L30"

RULE = base.Rule(
    code="LOW_STANDARD_ADMISSION",
    name_zh="低标准入院",
    name_en="Low-standard admission",
    scope="settlement",
    reads=("settlements", "fee_lines"),
    sev_deg=3,
    thresholds=(
        base.Threshold(
            name="max_stay_days",
            default=2,
            minimum=0,
            maximum=7,
            label_zh="短住院天数上限",
            label_en="Most days of a short stay",
        ),
        base.Threshold(
            name="min_exam_share",
            default=0.8,
            minimum=0.5,
            maximum=1.0,
            label_zh="检查化验费用占比下限",
            label_en="Least share of examinations and labs in the charges",
        ),
        base.Threshold(
            name="outpatient_categories",
            default=OUTPATIENT_MANAGEABLE,
            minimum=0,
            maximum=0,
            label_zh="门诊可治疗诊断类目（ICD-10 前三位，以 | 分隔）",
            label_en="Outpatient-manageable ICD-10 categories, |-separated",
        ),
        base.Threshold(
            name="cost_percentile",
            default=10.0,
            minimum=1.0,
            maximum=50.0,
            label_zh="本机构住院费用百分位",
            label_en="Percentile of the institution's stay costs",
        ),
    ),
    lookback_days=30,  # the institution's percentile needs a month of stays
)

EXAM_TYPES = ("03", "04")  # 检查费, 化验费


def find(
    *,
    settlements: pl.LazyFrame,
    fee_lines: pl.LazyFrame,
    max_stay_days: int = 2,
    min_exam_share: float = 0.8,
    outpatient_categories: str = OUTPATIENT_MANAGEABLE,
    cost_percentile: float = 10.0,
) -> pl.LazyFrame:
    """Short stays mostly of exams, or of an outpatient-manageable diagnosis and cheap."""
    categories = [code.strip().upper() for code in outpatient_categories.split("|") if code.strip()]
    cost = pl.col("medfee_sumamt")
    short = (
        settlements.filter(
            pl.col("med_type").is_in(["21", "22"]), ~pl.col("refd_setl_flag").fill_null(False)
        )
        .with_columns(
            cost_limit=cost.quantile(cost_percentile / 100, "linear").over("fixmedins_code"),
            stay_days=(pl.col("endtime").dt.date() - pl.col("begntime").dt.date()).dt.total_days(),
            category=pl.col("dise_codg").str.slice(0, 3).str.to_uppercase(),
        )
        .filter(pl.col("stay_days") <= max_stay_days)
    )
    charges = _charges(fee_lines, short.select("mdtrt_id"))
    marked = short.join(charges, on="mdtrt_id", how="left").with_columns(
        exam_share=pl.when(pl.col("fee_amount") > 0).then(
            pl.col("exam_amount") / pl.col("fee_amount")
        ),
        outpatient_manageable=pl.col("category").is_in(categories),
    )
    mostly_exams = (pl.col("exam_share") >= min_exam_share).fill_null(False)
    cheap_and_minor = (pl.col("outpatient_manageable") & (cost < pl.col("cost_limit"))).fill_null(
        False
    )
    found = marked.filter(mostly_exams | cheap_and_minor).with_columns(
        mostly_exams=mostly_exams, cheap_and_minor=cheap_and_minor
    )
    return base.findings(
        found.with_columns(
            dr_code=pl.col("atddr_no"),
            subject_key=pl.col("setl_id"),
            event_time=pl.col("endtime"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=pl.col("hifp_pay"),
            evidence=_evidence(min_exam_share, cost_percentile),
        )
    )


def _charges(fee_lines: pl.LazyFrame, stays: pl.LazyFrame) -> pl.LazyFrame:
    """Net line amounts and exam/lab amounts per encounter (refund lines are negative)."""
    amount = pl.col("det_item_fee_sumamt")
    return (
        fee_lines.join(stays, on="mdtrt_id", how="semi")
        .group_by("mdtrt_id")
        .agg(
            fee_amount=amount.sum(),
            exam_amount=amount.filter(pl.col("med_chrgitm_type").is_in(EXAM_TYPES)).sum(),
        )
    )


def _evidence(min_exam_share: float, cost_percentile: float) -> pl.Expr:
    return pl.struct(
        "stay_days",
        "category",
        "mostly_exams",
        "cheap_and_minor",
        exam_amount_yuan=pl.col("exam_amount") / 100,
        fee_amount_yuan=pl.col("fee_amount") / 100,
        exam_share=pl.col("exam_share").round(3),
        min_exam_share=pl.lit(min_exam_share),
        outpatient_manageable=pl.col("outpatient_manageable"),
        medfee_sumamt_yuan=pl.col("medfee_sumamt") / 100,
        cost_limit_yuan=(pl.col("cost_limit") / 100).round(2),
        cost_percentile=pl.lit(cost_percentile),
    ).struct.json_encode()
