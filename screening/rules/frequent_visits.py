"""FREQUENT_VISITS 频繁就医: more outpatient visits in a rolling window than care explains."""

from __future__ import annotations

import polars as pl

from screening.rules import base, lines

RULE = base.Rule(
    code="FREQUENT_VISITS",
    name_zh="频繁就医",
    name_en="Frequent visits",
    scope="person",
    reads=("settlements",),
    sev_deg=3,
    thresholds=(
        base.Threshold(
            name="max_visits",
            default=8,
            minimum=1,
            maximum=100,
            label_zh="滚动窗口内门诊就诊次数上限（任意机构）",
            label_en="Most outpatient visits in the rolling window (any institution)",
        ),
        base.Threshold(
            name="window_days",
            default=30,
            minimum=1,
            maximum=365,
            label_zh="滚动窗口天数（任意机构）",
            label_en="Days of the rolling window (any institution)",
        ),
        base.Threshold(
            name="max_institution_visits",
            default=3,
            minimum=1,
            maximum=100,
            label_zh="滚动窗口内同一机构门诊就诊次数上限",
            label_en="Most outpatient visits at one institution in its rolling window",
        ),
        base.Threshold(
            name="institution_window_days",
            default=7,
            minimum=1,
            maximum=365,
            label_zh="同一机构滚动窗口天数",
            label_en="Days of the rolling window at one institution",
        ),
    ),
    # The month's first crossing needs the month so far plus a window before it.
    lookback_days=60,
)

_DAY_SPAN = 1_000_000  # more days than any date here counts since 1970: packs (group, day)


def find(
    *,
    settlements: pl.LazyFrame,
    max_visits: int = 8,
    window_days: int = 30,
    max_institution_visits: int = 3,
    institution_window_days: int = 7,
) -> pl.LazyFrame:
    """Per person (and institution) and month, the first visit beyond the window's limit."""
    visits = settlements.filter(
        pl.col("med_type").is_in(lines.OUTPATIENT_TYPES),
        ~pl.col("refd_setl_flag").fill_null(False),
    ).select(
        "setl_id",
        "psn_no",
        "fixmedins_code",
        "atddr_no",
        "begntime",
        "medfee_sumamt",
        day=pl.col("begntime").dt.date().cast(pl.Int32),
    )
    return pl.concat(
        [
            _branch(visits, ("psn_no",), "any", max_visits, window_days),
            _branch(
                visits,
                ("psn_no", "fixmedins_code"),
                "institution",
                max_institution_visits,
                institution_window_days,
            ),
        ]
    )


def _branch(
    visits: pl.LazyFrame, keys: tuple[str, ...], branch: str, limit: int, days: int
) -> pl.LazyFrame:
    wanted = dict.fromkeys((*keys, "setl_id", "day", "begntime", "fixmedins_code", "atddr_no"))
    crossings = _crossings(visits, keys, limit, days).select(*wanted, "month")
    window = _window(crossings, visits, keys, limit, days)
    institution = pl.col("fixmedins_code") if branch == "institution" else pl.lit("")
    return base.findings(
        crossings.join(window, on="setl_id").with_columns(
            dr_code=pl.col("atddr_no"),
            subject_key=pl.concat_str(
                pl.col("psn_no"), pl.lit(branch), institution, pl.col("month"), separator="|"
            ),
            event_time=pl.col("begntime"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=pl.col("beyond_limit_amount"),
            evidence=_evidence(branch, limit, days),
        )
    )


def _crossings(visits: pl.LazyFrame, keys: tuple[str, ...], limit: int, days: int) -> pl.LazyFrame:
    """Visits whose window (days ending on their day) holds more than limit visits so far."""
    new_group = pl.any_horizontal(pl.col(key) != pl.col(key).shift(1) for key in keys)
    ordered = visits.sort(*keys, "begntime", "setl_id").with_columns(
        row=pl.int_range(pl.len(), dtype=pl.Int64),
        packed=new_group.fill_null(True).cum_sum().cast(pl.Int64) * _DAY_SPAN + pl.col("day"),
    )
    # Sorted by group then time, so `packed` ascends: the first row of the window is where
    # (group, day - days + 1) would be inserted. No Python loop, no per-person window.
    first_in_window = pl.col("packed").search_sorted(pl.col("packed") - (days - 1), side="left")
    return (
        ordered.with_columns(so_far=pl.col("row") - first_in_window.cast(pl.Int64) + 1)
        .filter(pl.col("so_far") > limit)
        .with_columns(month=pl.col("begntime").dt.strftime("%Y-%m"))
        .unique([*keys, "month"], keep="first", maintain_order=True)
    )


def _window(
    crossings: pl.LazyFrame, visits: pl.LazyFrame, keys: tuple[str, ...], limit: int, days: int
) -> pl.LazyFrame:
    """Every visit of each crossing's window, and the cost of those beyond the limit."""
    members = visits.select(
        *keys,
        "day",
        visit_setl_id="setl_id",
        visit_fixmedins_code="fixmedins_code",
        visit_begntime="begntime",
        visit_cost="medfee_sumamt",
    )
    in_window = pl.col("day_right").is_between(pl.col("day") - (days - 1), pl.col("day"))
    in_time_order = ("visit_begntime", "visit_setl_id")
    return (
        crossings.select(*keys, "setl_id", "day")
        .join(members, on=keys, suffix="_right")
        .filter(in_window)
        .group_by("setl_id")
        .agg(
            visits_in_window=pl.len(),
            beyond_limit_amount=pl.col("visit_cost").sort_by(in_time_order).slice(limit).sum(),
            visits=pl.struct(
                setl_id="visit_setl_id",
                fixmedins_code="visit_fixmedins_code",
                begntime=lines.time_text("visit_begntime"),
            ).sort_by(in_time_order),
        )
    )


def _evidence(branch: str, limit: int, days: int) -> pl.Expr:
    def day_text(day: pl.Expr) -> pl.Expr:
        return day.cast(pl.Date).dt.strftime("%Y-%m-%d")

    return pl.struct(
        branch=pl.lit(branch),
        limit=pl.lit(limit),
        window_days=pl.lit(days),
        window_from=day_text(pl.col("day") - (days - 1)),
        window_to=day_text(pl.col("day")),
        visits_in_window=pl.col("visits_in_window"),
        beyond_limit_yuan=pl.col("beyond_limit_amount") / 100,
        visits=pl.col("visits"),
    ).struct.json_encode()
