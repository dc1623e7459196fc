"""DUP_EXAM 重复检查: an exam or lab repeated for the same person within its window."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from screening.rules import base, lines

RULE = base.Rule(
    code="DUP_EXAM",
    name_zh="重复检查",
    name_en="Repeated examination",
    scope="fee_line",
    reads=("fee_lines", "catalog"),
    sev_deg=2,
    thresholds=(
        base.Threshold(
            name="default_window_days",
            default=0,
            minimum=0,
            maximum=365,
            label_zh="目录未设重复检查间隔的检查化验项目的默认间隔天数(0 不检查)",
            label_en="Window for exams the catalog gives none (0: only catalog windows)",
        ),
    ),
    realtime=True,
    nets_refunds=True,
    lookback_days=365,
)

_ITEM = ("psn_no", "med_list_codg")


def applies(frames: Mapping[str, pl.DataFrame]) -> bool:
    """A repeat needs an exam item charged twice to a person (base.py: what applies
    promises)."""
    fee_lines = frames["fee_lines"]
    charged: set[tuple[str, ...]] = set()
    for kind, cnt, *item in fee_lines.select("med_chrgitm_type", "cnt", *_ITEM).iter_rows():
        if kind in lines.EXAM_TYPES and cnt is not None and cnt > 0:
            if tuple(item) in charged:
                return True
            charged.add(tuple(item))
    return False


def find(
    *, fee_lines: pl.LazyFrame, catalog: pl.LazyFrame, default_window_days: int = 0
) -> pl.LazyFrame:
    """The first line of each day an exam is charged 1..W-1 days after its previous day."""
    fallback = pl.lit(default_window_days if default_window_days > 0 else None, dtype=pl.Int32)
    windows = catalog.filter(pl.col("med_chrgitm_type").is_in(lines.EXAM_TYPES)).select(
        "med_list_codg",
        window_days=pl.col("repeat_window_days").fill_null(fallback),
    )
    exams = (
        lines.net_of_refunds(fee_lines.filter(pl.col("med_chrgitm_type").is_in(lines.EXAM_TYPES)))
        .join(windows.filter(pl.col("window_days") > 0), on="med_list_codg", how="inner")
        .sort(*_ITEM, "fee_ocur_time", "feedetl_sn")
    )
    # One row per person, item and day: same-day repeats are DUP_CHARGE's business.
    exam_days = exams.group_by(*_ITEM, "fee_day", maintain_order=True).agg(
        pl.all().exclude(*_ITEM, "fee_day").first()
    )
    same_item = pl.all_horizontal(pl.col(key) == pl.col(key).shift(1) for key in _ITEM)
    paired = exam_days.with_columns(
        previous_feedetl_sn=pl.col("feedetl_sn").shift(1),
        previous_time=pl.col("fee_ocur_time").shift(1),
        previous_fixmedins_code=pl.col("fixmedins_code").shift(1),
        gap_days=pl.when(same_item).then(
            (pl.col("fee_day") - pl.col("fee_day").shift(1)).dt.total_days()
        ),
    )
    found = paired.filter(pl.col("gap_days").is_between(1, pl.col("window_days") - 1))
    return base.findings(
        found.with_columns(
            dr_code=pl.col("bilg_dr_codg"),
            subject_key=pl.col("feedetl_sn"),
            event_time=pl.col("fee_ocur_time"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=pl.col("net_amount"),
            evidence=pl.struct(
                pl.col("med_list_codg"),
                pl.col("gap_days"),
                pl.col("window_days"),
                pl.col("previous_feedetl_sn"),
                pl.col("previous_fixmedins_code"),
                fee_ocur_time=lines.time_text("fee_ocur_time"),
                previous_time=lines.time_text("previous_time"),
            ).struct.json_encode(),
        )
    )
