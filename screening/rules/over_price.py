"""OVER_PRICE 超标准收费: a unit price above the catalog's price cap."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from screening.rules import base, lines

RULE = base.Rule(
    code="OVER_PRICE",
    name_zh="超标准收费",
    name_en="Price above the cap",
    scope="fee_line",
    reads=("fee_lines", "catalog"),
    sev_deg=1,
    thresholds=(
        base.Threshold(
            name="tolerance_fen",
            default=0,
            minimum=0,
            maximum=10_000,
            label_zh="单价超出限价的容差(分)",
            label_en="Fen a unit price may exceed its cap by",
        ),
    ),
    realtime=True,
    nets_refunds=True,
)


def applies(frames: Mapping[str, pl.DataFrame]) -> bool:
    """A finding is a charged line priced above its cap, tolerance or not (base.py: what
    applies promises); netting refunds changes no line's price."""
    catalog, fee_lines = frames["catalog"], frames["fee_lines"]
    lowest: dict[str, int] = {}  # per code, the lowest cap of its versions
    for code, cap in zip(catalog["med_list_codg"], catalog["pric_uplmt_amt"], strict=True):
        if cap is not None and (code not in lowest or cap < lowest[code]):
            lowest[code] = cap
    if not lowest:
        return False
    rows = fee_lines.select("med_list_codg", "pric", "cnt").iter_rows()
    return any(
        cnt is not None and cnt > 0 and pric is not None and pric > lowest.get(code, pric)
        for code, pric, cnt in rows
    )


def find(*, fee_lines: pl.LazyFrame, catalog: pl.LazyFrame, tolerance_fen: int = 0) -> pl.LazyFrame:
    """Each charged line whose pric is above pric_uplmt_amt (plus the tolerance)."""
    caps = catalog.select("med_list_codg", "pric_uplmt_amt").filter(
        pl.col("pric_uplmt_amt").is_not_null()
    )
    found = (
        lines.net_of_refunds_of(fee_lines, caps)
        .join(caps, on="med_list_codg", how="inner")
        .filter(pl.col("pric") > pl.col("pric_uplmt_amt") + tolerance_fen)
        .with_columns(over_fen=pl.col("pric") - pl.col("pric_uplmt_amt"))
    )
    return base.findings(
        found.with_columns(
            dr_code=pl.col("bilg_dr_codg"),
            subject_key=pl.col("feedetl_sn"),
            event_time=pl.col("fee_ocur_time"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=(pl.col("over_fen") * pl.col("net_cnt")).round(0).cast(pl.Int64),
            evidence=pl.struct(
                pl.col("med_list_codg"),
                fee_ocur_time=lines.time_text("fee_ocur_time"),
                pric_yuan=lines.yuan(pl.col("pric")),
                pric_uplmt_amt_yuan=lines.yuan(pl.col("pric_uplmt_amt")),
                cnt=pl.col("net_cnt"),
                over_per_unit_yuan=lines.yuan(pl.col("over_fen")),
                tolerance_yuan=pl.lit(tolerance_fen / 100),
            ).struct.json_encode(),
        )
    )
