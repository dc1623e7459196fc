"""DUP_CHARGE 重复收费: an item charged twice at one moment, or beyond its daily limit."""

from __future__ import annotations

import polars as pl

from screening.rules import base, lines

RULE = base.Rule(
    code="DUP_CHARGE",
    name_zh="重复收费",
    name_en="Duplicate charge",
    scope="fee_line",
    reads=("fee_lines", "catalog"),
    sev_deg=1,
    thresholds=(
        base.Threshold(
            name="same_moment_seconds",
            default=0,
            minimum=0,
            maximum=600,
            label_zh="视为同一时刻重复收费的间隔秒数",
            label_en="Seconds apart that still count as the same moment",
        ),
    ),
    realtime=True,
    nets_refunds=True,
)

_DAY_KEY = ("psn_no", "fixmedins_code", "med_list_codg", "fee_day")


def find(
    *, fee_lines: pl.LazyFrame, catalog: pl.LazyFrame, same_moment_seconds: int = 0
) -> pl.LazyFrame:
    """(a) every repeat of an item at the same moment; (b) the line crossing max_daily_cnt."""
    limits = catalog.select("med_list_codg", "max_daily_cnt")
    charged = lines.net_of_refunds(fee_lines)
    # One integer per person-item-day makes the candidate pass cheap (0.45 -> 0.20 s on 1M
    # lines). The exact pass below compares the real keys; a 64-bit collision is ~1e-5 likely
    # at 10M lines and could at worst merge two days' candidacy.
    day_hash = pl.struct(_DAY_KEY).hash().alias("day_hash")
    narrow = charged.select(day_hash, "fee_ocur_time", "net_cnt", "med_list_codg").join(
        limits, on="med_list_codg", how="left"
    )
    # Only the candidates' lines are widened to every column (all lines held 2 GB at 10M).
    ordered = (
        charged.with_columns(day_hash)
        .join(_candidate_days(narrow, same_moment_seconds), on="day_hash", how="semi")
        .join(limits, on="med_list_codg", how="left")
        .sort(*_DAY_KEY, "fee_ocur_time", "feedetl_sn")
    )
    marked = _mark(ordered, same_moment_seconds)
    found = marked.filter(pl.col("is_repeat") | pl.col("crosses_limit"))
    return base.findings(
        found.with_columns(
            dr_code=pl.col("bilg_dr_codg"),
            subject_key=pl.col("feedetl_sn"),
            event_time=pl.col("fee_ocur_time"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=pl.max_horizontal(
                pl.when(pl.col("is_repeat")).then(pl.col("net_amount")),
                pl.when(pl.col("crosses_limit")).then(pl.col("excess_fen")),
            ),
            evidence=_evidence(same_moment_seconds),
        )
    )


def _candidate_days(charged: pl.LazyFrame, same_moment_seconds: int) -> pl.LazyFrame:
    # A cheap pass over a few integer columns finds the person-item-days that can hold a
    # finding, so that only those few lines are sorted: days with two charges at one
    # moment (or two charges at all, when moments may lie apart), and days of items with a
    # daily limit whose units exceed it.
    # Read twice below: cached, it is planned and run once even unoptimized (the pre-check).
    narrow = charged.select("day_hash", "fee_ocur_time", "net_cnt", "max_daily_cnt").cache()
    # Two lines of one day at one moment share day_hash ^ hash(time); others rarely do, and
    # those few the exact pass clears.
    moment = pl.col("day_hash")
    if same_moment_seconds == 0:
        moment = moment ^ pl.col("fee_ocur_time").hash()
    repeats = narrow.filter(moment.is_duplicated()).select("day_hash")
    over_limit = (
        narrow.filter(pl.col("max_daily_cnt").is_not_null())
        .group_by("day_hash")
        .agg(over=(pl.col("net_cnt").sum() - pl.col("max_daily_cnt").first()).round(6) > 0)
        .filter("over")
        .select("day_hash")
    )
    return pl.concat([repeats, over_limit]).unique()


def _mark(ordered: pl.LazyFrame, same_moment_seconds: int) -> pl.LazyFrame:
    # Sorted by person, institution, item, day and time: the row before is the previous
    # charge of the same item that day whenever the keys match.
    same_day = pl.all_horizontal(pl.col(key) == pl.col(key).shift(1) for key in _DAY_KEY)
    gap = (pl.col("fee_ocur_time") - pl.col("fee_ocur_time").shift(1)).dt.total_seconds()
    is_repeat = (same_day & (gap <= same_moment_seconds)).fill_null(False)
    limit = pl.col("max_daily_cnt")
    units_after = pl.col("units_before") + pl.col("net_cnt")
    return (
        ordered.with_columns(is_repeat=is_repeat)
        .with_columns(
            # The first line of a run of repeats is the original charge the others repeat.
            original_feedetl_sn=pl.when(~pl.col("is_repeat"))
            .then(pl.col("feedetl_sn"))
            .forward_fill(),
            original_time=pl.when(~pl.col("is_repeat"))
            .then(pl.col("fee_ocur_time"))
            .forward_fill(),
            units_before=pl.col("net_cnt").cum_sum().over(_DAY_KEY) - pl.col("net_cnt"),
            day_units=pl.col("net_cnt").sum().over(_DAY_KEY),
        )
        .with_columns(
            crosses_limit=(
                ((pl.col("day_units") - limit).round(6) > 0)
                & (pl.col("units_before").round(6) <= limit)
                & (units_after.round(6) > limit)
            ).fill_null(False),
            excess_fen=((pl.col("day_units") - limit) * pl.col("pric")).round(0).cast(pl.Int64),
        )
    )


def _evidence(same_moment_seconds: int) -> pl.Expr:
    repeat = pl.col("is_repeat")
    crosses = pl.col("crosses_limit")
    return pl.struct(
        pl.col("med_list_codg"),
        fee_ocur_time=lines.time_text("fee_ocur_time"),
        cnt=pl.col("net_cnt"),
        pric_yuan=lines.yuan(pl.col("pric")),
        same_moment_as=pl.when(repeat).then(pl.col("original_feedetl_sn")),
        same_moment_time=pl.when(repeat).then(lines.time_text("original_time")),
        same_moment_seconds=pl.lit(same_moment_seconds),
        max_daily_cnt=pl.col("max_daily_cnt"),
        day_units=pl.col("day_units"),
        fee_day=pl.col("fee_day").dt.strftime("%Y-%m-%d"),
        reasons=pl.concat_list(
            pl.when(repeat).then(pl.lit("same_moment")),
            pl.when(crosses).then(pl.lit("daily_limit")),
        ).list.drop_nulls(),
    ).struct.json_encode()
