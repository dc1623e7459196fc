"""EXCLUSIVE_ITEMS 分解收费/互斥项目: a component charged beside the bundle that includes it."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from screening.rules import base, lines

RULE = base.Rule(
    code="EXCLUSIVE_ITEMS",
    name_zh="分解收费/互斥项目",
    name_en="Component billed with its bundle",
    scope="fee_line",
    reads=("fee_lines", "catalog"),
    sev_deg=1,
    thresholds=(
        base.Threshold(
            name="same_day_only",
            default=0,
            minimum=0,
            maximum=1,
            label_zh="仅当打包项目与其包含项目同日收费时才提示(1 是, 0 同次就诊即提示)",
            label_en="Only when bundle and component fall on the same day (1 yes, 0 any day)",
        ),
    ),
    realtime=True,
    nets_refunds=True,
    lookback_days=30,
)


_BUNDLE = pl.col("includes_codes").str.strip_chars() != ""  # a catalog item that includes others


def applies(frames: Mapping[str, pl.DataFrame]) -> bool:
    """A finding needs a bundle item in the catalog (base.py: what applies promises)."""
    return bool(frames["catalog"].select(_BUNDLE.any()).item())


def find(*, fee_lines: pl.LazyFrame, catalog: pl.LazyFrame, same_day_only: int = 0) -> pl.LazyFrame:
    """Each component line of an encounter in which a bundle including it is also charged."""
    pairs = (
        catalog.filter(_BUNDLE)
        .select(
            bundle_codg=pl.col("med_list_codg"),
            med_list_codg=pl.col("includes_codes").str.split("|"),
        )
        .explode("med_list_codg")
        .with_columns(pl.col("med_list_codg").str.strip_chars())
        .filter(pl.col("med_list_codg") != "")
        .unique()
    )
    charged = lines.net_of_refunds(fee_lines)
    bundles = charged.join(
        pairs.select(med_list_codg=pl.col("bundle_codg")).unique(), on="med_list_codg", how="semi"
    ).select(
        "mdtrt_id",
        bundle_codg=pl.col("med_list_codg"),
        bundle_feedetl_sn=pl.col("feedetl_sn"),
        bundle_time=pl.col("fee_ocur_time"),
        bundle_day=pl.col("fee_day"),
    )
    components = charged.join(pairs, on="med_list_codg", how="inner").join(
        bundles, on=["mdtrt_id", "bundle_codg"], how="inner"
    )
    if same_day_only:
        components = components.filter(pl.col("fee_day") == pl.col("bundle_day"))
    # A component inside several bundles (or a bundle charged twice) is still one finding.
    found = components.sort("feedetl_sn", "bundle_time", "bundle_feedetl_sn").unique(
        "feedetl_sn", keep="first"
    )
    return base.findings(
        found.with_columns(
            dr_code=pl.col("bilg_dr_codg"),
            subject_key=pl.col("feedetl_sn"),
            event_time=pl.col("fee_ocur_time"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=pl.col("net_amount"),
            evidence=pl.struct(
                pl.col("mdtrt_id"),
                pl.col("med_list_codg"),
                pl.col("bundle_codg"),
                pl.col("bundle_feedetl_sn"),
                fee_ocur_time=lines.time_text("fee_ocur_time"),
                bundle_time=lines.time_text("bundle_time"),
            ).struct.json_encode(),
        )
    )
