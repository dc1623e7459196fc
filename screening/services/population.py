"""The finishing step of a run: population rules, anomaly scores and triage scores."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Count, Q

from screening import engine, sources
from screening.anomaly import features
from screening.models import Flag, ScreeningRun, SubjectScore
from screening.services.flags import flag_rows, flags_upsert, triage_update

SCORE_FRAMES = frozenset({"fee_lines", "settlements", "institutions", "practitioners", "persons"})


def run_population_rules(
    *, run: ScreeningRun, rules: list[Any], in_scope: Callable[..., pl.DataFrame]
) -> dict[str, Any]:
    """Run the rules that need everyone; store scores; re-rank the run's flags."""
    started = time.perf_counter()
    scoring = run.kind != ScreeningRun.Kind.DAILY
    needed = {name for module in rules for name in module.RULE.reads}
    if scoring:
        needed |= SCORE_FRAMES
    part = sources.window_slice(
        window_start=run.window_start,
        window_end=run.window_end,
        lookback_days=max((m.RULE.lookback_days for m in rules), default=0),
    )
    frames = sources.read_frames(needed, part, catalog_day=run.window_end) if needed else {}
    read = time.perf_counter() - started
    with features.computed_once():
        result, institution_scores = _screened(run, rules, frames, scoring)
    flags = in_scope(result.flags, run.scope) if result else None
    compute = time.perf_counter() - started - read
    with transaction.atomic():
        if flags is not None:
            flags_upsert(flag_rows(flags, run_id=run.pk, detected_at=run.created_at))
        triage_update(
            run_id=run.pk, rule_precision=rule_precision(), institution_scores=institution_scores
        )
    counts = dict(flags.group_by("rule_code").len().iter_rows()) if flags is not None else {}
    return {
        "counts": counts,
        "population_read": round(read, 3),
        "population_compute": round(compute, 3),
        "population_write": round(time.perf_counter() - started - read - compute, 3),
    }


def rule_precision() -> dict[str, float]:
    """Each judged rule's confirmed precision so far, for triage (screening/triage.py).

    The audit app's measure when it is installed: confirmed / (confirmed + dismissed as a
    false positive; a policy exception or a data error says nothing about the rule). Rules
    no auditor has judged are left out, so triage gives them its prior."""
    try:
        from screening.audit.selectors import rule_confirmed_precision
    except ImportError:
        return _precision_from_statuses()
    return {code: share for code, share in rule_confirmed_precision().items() if share is not None}


def _precision_from_statuses() -> dict[str, float]:
    """Without the audit app: confirmed / (confirmed + dismissed), whatever the reason."""
    judged = Flag.objects.values("rule_code").annotate(
        confirmed=Count("pk", filter=Q(status=Flag.Status.CONFIRMED)),
        dismissed=Count("pk", filter=Q(status=Flag.Status.DISMISSED)),
    )
    return {
        row["rule_code"]: row["confirmed"] / (row["confirmed"] + row["dismissed"])
        for row in judged
        if row["confirmed"] + row["dismissed"]
    }


def _scores_store(run: ScreeningRun, frames: dict[str, pl.LazyFrame]) -> pl.DataFrame | None:
    try:
        from screening import anomaly
    except ImportError:
        return None
    institution_scores = anomaly.score_institutions(frames, run.window_start, run.window_end)
    practitioner_scores = anomaly.score_practitioners(frames, run.window_start, run.window_end)
    SubjectScore.objects.filter(run=run).delete()
    SubjectScore.objects.bulk_create(
        [
            *_score_objects(
                run, SubjectScore.Kind.INSTITUTION, institution_scores, "fixmedins_code"
            ),
            *_score_objects(run, SubjectScore.Kind.PRACTITIONER, practitioner_scores, "dr_code"),
        ],
        batch_size=2000,
    )
    return institution_scores


def _score_objects(run: ScreeningRun, kind: str, scores: pl.DataFrame, key: str) -> list:
    import json

    return [
        SubjectScore(
            run=run,
            kind=kind,
            subject_code=row[key],
            risk_score=float(row["risk_score"]),
            rank=int(row["rank"]),
            top_features=json.loads(row["top_features"])
            if isinstance(row["top_features"], str)
            else row["top_features"],
        )
        for row in scores.iter_rows(named=True)
    ]


def screen_run_frames(
    run: ScreeningRun, rules: list[Any], frames: dict[str, pl.LazyFrame]
) -> engine.ScreenResult:
    """The run's rules over frames, with the configuration and window the run recorded."""
    return engine.screen_frames(
        frames,
        rules=rules,
        config=run.config,
        window_start=run.window_start,
        window_end=run.window_end,
        detected_at=run.created_at,
    )


def _screened(
    run: ScreeningRun, rules: list[Any], frames: dict[str, pl.LazyFrame], scoring: bool
) -> tuple[engine.ScreenResult | None, pl.DataFrame | None]:
    """The population rules' flags and the stored scores; the model features computed once."""
    result = screen_run_frames(run, rules, frames) if rules else None
    return result, _scores_store(run, frames) if scoring else None
