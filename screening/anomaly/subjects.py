"""The score exports: every institution and practitioner with activity in a window, ranked.

A subject's risk score is that of its riskiest unit in the window (an institution's riskiest
department-month, a practitioner's riskiest month): one department far from its peers is what
an auditor should look at, and averaging it with clean departments would hide it. The models
are fit on the window's months only; the month before is read for growth.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from screening.anomaly import features, scoring
from screening.frames import empty

TOP_FEATURES = 3  # the drivers listed per subject in the export
CONTEXT_NAMES = {"dept": "department"}


def _frames(frames: dict[str, pl.LazyFrame], names: tuple[str, ...]) -> dict[str, pl.LazyFrame]:
    return {name: frames[name] if name in frames else empty(name) for name in names}


def _in_window(window_start: date, window_end: date) -> pl.Expr:
    return pl.col("month").is_between(window_start.replace(day=1), window_end)


def _top_features(best: pl.DataFrame, subject: str, context: tuple[str, ...]) -> pl.DataFrame:
    """subject → JSON list of its top drivers, each with the unit it comes from."""
    drivers = (
        best.select(subject, *context, pl.col("drivers").list.head(TOP_FEATURES))
        .explode("drivers")
        .filter(pl.col("drivers").is_not_null())
        .unnest("drivers")
        .with_columns(pl.col("month").dt.strftime("%Y-%m"))
    )
    named = [pl.col(column).alias(CONTEXT_NAMES.get(column, column)) for column in context]
    encoded = pl.struct(
        "feature", "value", "peer_median", "z", "peers", *named
    ).struct.json_encode()
    return drivers.group_by(subject, maintain_order=True).agg(
        top_features=pl.concat_str(pl.lit("["), encoded.str.join(","), pl.lit("]"))
    )


def _ranked(
    scored: pl.DataFrame,
    subject: str,
    context: tuple[str, ...],
    window_start: date,
    window_end: date,
) -> pl.DataFrame:
    best = scored.sort(
        ["risk_score", subject, *context], descending=[True, False, *([False] * len(context))]
    ).unique(subject, keep="first", maintain_order=True)
    return (
        best.join(_top_features(best, subject, context), on=subject, how="left")
        .with_row_index("rank", offset=1)
        .select(
            subject,
            pl.lit(window_start).alias("window_start"),
            pl.lit(window_end).alias("window_end"),
            pl.col("risk_score").round(6),
            pl.col("rank").cast(pl.Int64),
            pl.col("top_features").fill_null("[]"),
        )
    )


def score_institutions(
    frames: dict[str, pl.LazyFrame], window_start: date, window_end: date
) -> pl.DataFrame:
    """institution_scores.csv rows (interchange.md), rank 1 = riskiest; deterministic."""
    units = features.institution_features(
        **_frames(frames, ("fee_lines", "settlements", "institutions", "persons"))
    ).filter(_in_window(window_start, window_end))
    scored = scoring.score_units(units, scoring.INSTITUTION)
    return _ranked(scored, "fixmedins_code", ("dept", "month"), window_start, window_end)


def score_practitioners(
    frames: dict[str, pl.LazyFrame], window_start: date, window_end: date
) -> pl.DataFrame:
    """practitioner_scores.csv rows (interchange.md), keyed by dr_code; deterministic."""
    names = ("fee_lines", "settlements", "institutions", "practitioners", "persons")
    units = features.practitioner_features(**_frames(frames, names)).filter(
        _in_window(window_start, window_end)
    )
    scored = scoring.score_units(units, scoring.PRACTITIONER)
    return _ranked(scored, "dr_code", ("month",), window_start, window_end)
