"""flags.csv and the score files for a stored run, written by the same writers as
screen_batch (screening/files.py), so both paths give the same files (interchange.md)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import connection

from screening import files, sources
from screening.models import ScreeningRun, SubjectScore

SCORE_FILES = {
    SubjectScore.Kind.INSTITUTION: ("institution_scores.csv", "fixmedins_code"),
    SubjectScore.Kind.PRACTITIONER: ("practitioner_scores.csv", "dr_code"),
}


def _flags_sql() -> str:
    postgres = connection.vendor == "postgresql"
    fen = "bigint" if postgres else "INTEGER"
    detected = (
        f"(detected_at AT TIME ZONE '{settings.TIME_ZONE}')"
        if postgres
        else "CAST(detected_at AS TEXT)"
    )
    return (
        "SELECT flag_id, rule_code, setl_id, feedetl_sn, psn_no, fixmedins_code, sev_deg, "
        f"CAST(ROUND(amount_at_risk * 100) AS {fen}) AS amount_at_risk, "
        f"{detected} AS detected_at, CAST(evidence AS TEXT) AS evidence "
        "FROM screening_flag WHERE last_run_id = %s"
    )


def run_flags(*, run: ScreeningRun) -> pl.DataFrame:
    """The flags the run found (their last run), amounts in fen, Shanghai wall-clock times."""
    rows = sources.read_sql(_flags_sql(), [run.pk])
    text = dict.fromkeys(("flag_id", "rule_code", "setl_id", "feedetl_sn"), pl.String)
    schema = {
        **text,
        "psn_no": pl.String,
        "fixmedins_code": pl.String,
        "sev_deg": pl.Int64,
        "amount_at_risk": pl.Int64,
        "evidence": pl.String,
    }
    if rows.is_empty():
        return pl.DataFrame(schema={**schema, "detected_at": pl.Datetime("us")})
    detected = pl.col("detected_at")
    if rows.schema["detected_at"] == pl.String:  # SQLite: UTC text
        detected = sources.utc_text_to_local("detected_at")
    return rows.with_columns(
        *(pl.col(name).cast(dtype) for name, dtype in schema.items()),
        detected.cast(pl.Datetime("us")).alias("detected_at"),
    ).with_columns(
        # Empty text is how the table stores "none"; the export leaves those cells empty.
        pl.col("setl_id", "feedetl_sn", "psn_no", "fixmedins_code").replace("", None)
    )


def run_scores(*, run: ScreeningRun, kind: str) -> pl.DataFrame:
    """One kind of the run's anomaly scores in the shape files.write_scores takes."""
    key = SCORE_FILES[kind][1]
    scores = SubjectScore.objects.filter(run=run, kind=kind).order_by("rank")
    return pl.DataFrame(
        [
            (
                score.subject_code,
                run.window_start,
                run.window_end,
                score.risk_score,
                score.rank,
                json.dumps(score.top_features, ensure_ascii=False, separators=(",", ":")),
            )
            for score in scores
        ],
        schema={
            key: pl.String,
            "window_start": pl.Date,
            "window_end": pl.Date,
            "risk_score": pl.Float64,
            "rank": pl.UInt32,
            "top_features": pl.String,
        },
        orient="row",
    )


def export_flags(*, run: ScreeningRun, out: str | Path) -> int:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return files.write_flags(run_flags(run=run), out / "flags.csv")


def export_scores(*, run: ScreeningRun, out: str | Path) -> dict[str, int]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind, (name, key) in SCORE_FILES.items():
        written[name] = files.write_scores(run_scores(run=run, kind=kind), key, out / name)
    return written
