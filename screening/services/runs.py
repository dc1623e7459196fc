"""Screening runs: start, partitions claimed and run by workers, one finishing step.

A run is split into partitions by ranges of person numbers, because most rules follow one
person across institutions (repeat exams, overlapping stays, frequent visits). Population
rules (percentiles, peer models) need everyone at once, so they run in the finishing step.
Partitions join through the database, not through Celery chords, so eager mode and real
workers behave the same (see house-style.md 1.7).
"""

from __future__ import annotations

import itertools
import time
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from medins.models import Institution, Person
from screening import sources, tasks
from screening.models import ScreeningPartition, ScreeningRun
from screening.rules import ALL_RULES
from screening.services.config import rule_config_in_force
from screening.services.flags import flag_rows, flags_upsert
from screening.services.population import run_population_rules, screen_run_frames

# Longer than the slowest partition `make bench` measured (a few million lines: well under a
# minute); a claim older than this was abandoned by a dead worker and may be taken again.
PARTITION_LEASE = timedelta(minutes=20)
POPULATION_RULES = frozenset(
    {"EXCESSIVE_COST", "LOW_STANDARD_ADMISSION", "PEER_ANOMALY", "PRACTITIONER_ANOMALY"}
)
MODEL_RULES = frozenset({"PEER_ANOMALY", "PRACTITIONER_ANOMALY"})


class ScreeningError(ValueError):
    """A run that cannot start as asked; the message says why."""


def _rules_for(kind: str, config: dict[str, Any]) -> list[Any]:
    """The enabled rules of a run; the daily review leaves the monthly models out."""
    chosen = []
    for module in ALL_RULES:
        code = module.RULE.code
        if not config.get(code, {}).get("enabled", True):
            continue
        if kind == ScreeningRun.Kind.DAILY and code in MODEL_RULES:
            continue
        chosen.append(module)
    return chosen


def _person_bounds(parts: int) -> list[tuple[str, str]]:
    """Split person numbers into `parts` contiguous ranges of about equal size."""
    total = Person.objects.count()
    if parts <= 1 or total < parts * 2:
        return [("", "")]
    step = total // parts
    ordered = Person.objects.order_by("psn_no").values_list("psn_no", flat=True)
    cuts = [ordered[step * index] for index in range(1, parts)]
    edges = ["", *cuts, ""]
    return list(itertools.pairwise(edges))


def _partition_count() -> int:
    persons = Person.objects.count()
    per_part = settings.SCREENING_PERSONS_PER_PARTITION
    return max(1, min(settings.SCREENING_MAX_PARTITIONS, -(-persons // per_part)))


@transaction.atomic
def screening_run_start(
    *,
    window_start: date,
    window_end: date,
    at: datetime,
    kind: str = ScreeningRun.Kind.MANUAL,
    institutions: list[str] | None = None,
    divisions: list[str] | None = None,
    started_by: Any = None,
    partitions: int | None = None,
    queue: bool = True,
) -> ScreeningRun:
    """Record the run with the configuration in force; queue its partitions after commit."""
    if window_end < window_start:
        raise ScreeningError(f"The window ends ({window_end}) before it starts ({window_start}).")
    unknown = set(institutions or ()) - set(
        Institution.objects.filter(code__in=institutions or ()).values_list("code", flat=True)
    )
    if unknown:
        raise ScreeningError(f"Unknown institutions: {', '.join(sorted(unknown))}.")
    scope = {"institutions": sorted(institutions or ()), "divisions": sorted(divisions or ())}
    run = ScreeningRun.objects.create(
        kind=kind,
        window_start=window_start,
        window_end=window_end,
        scope=scope,
        config=rule_config_in_force(at=at),
        started_by=started_by,
        created_at=at,
        status=ScreeningRun.Status.RUNNING,
    )
    bounds = _person_bounds(partitions or _partition_count())
    ScreeningPartition.objects.bulk_create(
        ScreeningPartition(run=run, number=number, psn_from=low, psn_to=high)
        for number, (low, high) in enumerate(bounds)
    )
    run.partitions_total = len(bounds)
    run.save(update_fields=["partitions_total"])
    if queue:  # else the caller runs the partitions itself (the terminal's eager mode)
        transaction.on_commit(lambda: screening_run_queue(run_id=run.pk))
    return run


def screening_run_queue(*, run_id: int) -> int:
    """Queue every partition not done yet (start, or resume after a dead worker)."""
    pending = ScreeningPartition.objects.filter(run_id=run_id).exclude(
        status=ScreeningPartition.Status.DONE
    )
    ids = list(pending.values_list("pk", flat=True))
    for partition_id in ids:
        tasks.screening_partition_run.delay(partition_id=partition_id)
    if not ids:
        _run_finish_if_last(run_id)
    return len(ids)


def _claim(partition_id: int) -> bool:
    now = timezone.now()
    claimable = Q(status=ScreeningPartition.Status.PENDING) | Q(
        status=ScreeningPartition.Status.RUNNING, claimed_at__lt=now - PARTITION_LEASE
    )
    claimed = ScreeningPartition.objects.filter(claimable, pk=partition_id).update(
        status=ScreeningPartition.Status.RUNNING, claimed_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1  # 0: done already, or a live worker holds it


def screening_partition_run(*, partition_id: int) -> None:
    """Screen one partition; a second delivery of the same message does nothing."""
    if not _claim(partition_id):
        return
    partition = ScreeningPartition.objects.select_related("run").get(pk=partition_id)
    run = partition.run
    rules = [m for m in _rules_for(run.kind, run.config) if m.RULE.code not in POPULATION_RULES]
    timings: dict[str, float] = {}
    started = time.perf_counter()
    part = sources.window_slice(
        window_start=run.window_start,
        window_end=run.window_end,
        lookback_days=max((m.RULE.lookback_days for m in rules), default=0),
        psn_from=partition.psn_from,
        psn_to=partition.psn_to,
    )
    frames = sources.read_frames(
        {name for m in rules for name in m.RULE.reads}, part, catalog_day=run.window_end
    )
    timings["read"] = time.perf_counter() - started
    result = screen_run_frames(run, rules, frames)
    flags = _in_scope(result.flags, run.scope)
    timings["compute"] = time.perf_counter() - started - timings["read"]
    with transaction.atomic():
        flags_upsert(flag_rows(flags, run_id=run.pk, detected_at=run.created_at))
        ScreeningPartition.objects.filter(pk=partition_id).update(
            status=ScreeningPartition.Status.DONE,
            counts=_counts(flags),
            timings={**timings, "write": time.perf_counter() - started - sum(timings.values())},
        )
        ScreeningRun.objects.filter(pk=run.pk).update(partitions_done=F("partitions_done") + 1)
    _run_finish_if_last(run.pk)


def _in_scope(flags: Any, scope: dict[str, list[str]]) -> Any:
    import polars as pl

    if scope.get("institutions"):
        flags = flags.filter(pl.col("fixmedins_code").is_in(scope["institutions"]))
    if scope.get("divisions"):
        codes = Institution.objects.filter(_division_q(scope["divisions"])).values_list(
            "code", flat=True
        )
        flags = flags.filter(pl.col("fixmedins_code").is_in(list(codes)))
    return flags


def _division_q(prefixes: list[str]) -> Q:
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(division_code__startswith=prefix.rstrip("0") or prefix)
    return query


def _counts(flags: Any) -> dict[str, int]:
    return dict(flags.group_by("rule_code").len().iter_rows()) if flags.height else {}


def _run_finish_if_last(run_id: int) -> None:
    unfinished = ScreeningPartition.objects.filter(run=OuterRef("pk")).exclude(
        status=ScreeningPartition.Status.DONE
    )
    won = (
        ScreeningRun.objects.filter(pk=run_id, status=ScreeningRun.Status.RUNNING)
        .exclude(Exists(unfinished))
        .update(status=ScreeningRun.Status.FINISHING)
    )
    if won:  # the status condition lets exactly one partition move the run on
        transaction.on_commit(lambda: tasks.screening_run_finish.delay(run_id=run_id))


def screening_run_finish(*, run_id: int, at: datetime) -> None:
    """Population rules, scores and triage over the whole scope; then the run is done."""
    run = ScreeningRun.objects.get(pk=run_id)
    if run.status != ScreeningRun.Status.FINISHING:
        return
    rules = [m for m in _rules_for(run.kind, run.config) if m.RULE.code in POPULATION_RULES]
    timings = run_population_rules(run=run, rules=rules, in_scope=_in_scope)
    counts: dict[str, int] = {}
    for partition in run.partitions.all():
        for code, count in partition.counts.items():
            counts[code] = counts.get(code, 0) + count
    for code, count in timings.pop("counts", {}).items():
        counts[code] = counts.get(code, 0) + count
    ScreeningRun.objects.filter(pk=run_id, status=ScreeningRun.Status.FINISHING).update(
        status=ScreeningRun.Status.DONE,
        counts=counts,
        finished_at=at,
        timings={**_partition_timings(run), **timings},
    )


def _partition_timings(run: ScreeningRun) -> dict[str, float]:
    totals: dict[str, float] = {}
    for partition in run.partitions.all():
        for step, seconds in partition.timings.items():
            totals[step] = round(totals.get(step, 0.0) + seconds, 3)
    return totals


def screening_run_scheduled(*, kind: str, at: datetime) -> ScreeningRun:
    """日审核: yesterday, fast rules; 月筛查: last month, with the anomaly models."""
    today = timezone.localdate(at)
    if kind == ScreeningRun.Kind.DAILY:
        start = end = today - timedelta(days=1)
    else:
        end = today.replace(day=1) - timedelta(days=1)
        start = end.replace(day=1)
    return screening_run_start(window_start=start, window_end=end, at=at, kind=kind)


def screening_runs_resume(*, at: datetime) -> int:
    """Re-queue the unfinished partitions of runs whose workers died; returns how many."""
    expired = Q(status=ScreeningPartition.Status.PENDING, run__created_at__lt=at - PARTITION_LEASE)
    expired |= Q(status=ScreeningPartition.Status.RUNNING, claimed_at__lt=at - PARTITION_LEASE)
    stuck_runs = (
        ScreeningPartition.objects.filter(expired, run__status=ScreeningRun.Status.RUNNING)
        .values_list("run_id", flat=True)
        .order_by()  # Meta.ordering would put "number" in the DISTINCT: each run once
        .distinct()
    )
    # Taken before re-queueing, so a run those partitions move on is not finished twice.
    stuck_finishing = list(
        ScreeningRun.objects.filter(
            status=ScreeningRun.Status.FINISHING, created_at__lt=at - PARTITION_LEASE
        ).values_list("pk", flat=True)
    )
    queued = sum(screening_run_queue(run_id=run_id) for run_id in list(stuck_runs))
    for run_id in stuck_finishing:
        tasks.screening_run_finish.delay(run_id=run_id)
    return queued + len(stuck_finishing)
