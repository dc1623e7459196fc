"""Run the rule base over frames: configured thresholds in, one frame of flags out.

Pure: no database, no clock (detected_at is passed in). Sources (files, SQLite, PostgreSQL)
produce the frames; the callers store or export the flags.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.utils.translation import gettext as _

from screening.frames import empty
from screening.rules import lines
from screening.rules.base import FINDING_SCHEMA, Rule, Threshold

SHANGHAI = ZoneInfo("Asia/Shanghai")

FLAG_SCHEMA: dict[str, pl.DataType] = {
    "flag_id": pl.String,
    "rule_code": pl.String,
    **FINDING_SCHEMA,
    "detected_at": pl.Datetime("us"),  # Shanghai wall clock, like event_time
}


ONE_BY_ONE_ABOVE = 1_000_000  # fee lines above which the rules' plans run one after another
# Fee lines below which polars' optimizer is skipped: on a pre-check's few hundred rows its
# passes cost more than they save (9 plans: 21 ms of CPU unoptimized against 25 optimized).
UNOPTIMIZED_BELOW = 20_000


class ScreeningConfigError(ValueError):
    """A rule configuration the engine refuses; the message names the rule and threshold."""


@dataclass(frozen=True)
class ScreenResult:
    flags: pl.DataFrame  # FLAG_SCHEMA
    counts: dict[str, int]  # rule_code -> flags in the window (every rule that ran)
    # "total" always (netting, plans and collection); "net_refunds" when lines were netted;
    # one entry per rule_code when the rules were timed one by one.
    timings: dict[str, float] = field(default_factory=dict)


def screen_frames(
    frames: Mapping[str, pl.LazyFrame],
    *,
    rules: Iterable[ModuleType],
    config: Mapping[str, Mapping[str, Any]] | None = None,
    window_start: date,
    window_end: date,
    detected_at: datetime,
    per_rule_timings: bool = False,
    engine: str = "auto",
) -> ScreenResult:
    """Flags of every enabled rule whose event day lies in [window_start, window_end].

    By default the rules' plans run together (shared inputs scanned once), or one after
    another above ONE_BY_ONE_ABOVE fee lines, to bound memory. With per_rule_timings each
    rule is collected on its own and timed; pass frames that are already in memory then,
    or every rule re-reads its sources. `engine` is polars' (the
    pre-check's frames of a few hundred rows run faster in memory than streamed). Raises
    ScreeningConfigError for an unknown threshold or one outside its bounds.
    """
    config = config or {}
    enabled = enabled_rules(rules, config)
    started = time.perf_counter()
    count = _count(frames["fee_lines"]) if "fee_lines" in frames else 0
    large, small = count > ONE_BY_ONE_ABOVE, count < UNOPTIMIZED_BELOW
    charged = _charged_lines(frames, enabled, engine, in_memory=large or small)
    timings: dict[str, float] = {}
    if (large or small) and charged is not None:
        timings["net_refunds"] = time.perf_counter() - started
    optimizations = pl.QueryOptFlags.none() if small else pl.QueryOptFlags()
    in_window = event_in_window(window_start, window_end)
    plans = {
        code: plan.filter(in_window)
        for code, plan in rule_plans(frames, charged, enabled, config).items()
    }
    # Plans collected together run side by side and hold their intermediates at once (12.8
    # GB on ten million lines against 8.5 GB one after the other); small inputs are quicker
    # together.
    if per_rule_timings or large:
        collected = []
        for code, plan in plans.items():
            rule_started = time.perf_counter()
            collected.append(plan.collect(engine=engine, optimizations=optimizations))
            timings[code] = time.perf_counter() - rule_started
    else:
        collected = pl.collect_all(list(plans.values()), engine=engine, optimizations=optimizations)
    timings["total"] = time.perf_counter() - started
    return screen_result(dict(zip(plans, collected, strict=True)), detected_at, timings)


def rule_plans(
    frames: Mapping[str, pl.LazyFrame],
    charged: pl.LazyFrame | None,
    enabled: list[ModuleType],
    config: Mapping[str, Mapping[str, Any]],
) -> dict[str, pl.LazyFrame]:
    """Each enabled rule's findings as flags (any day): its configured thresholds and
    severity, the netted lines for the rules that net refunds."""
    plans = {}
    for module in enabled:
        rule: Rule = module.RULE
        entry = config.get(rule.code, {})
        thresholds = resolve_thresholds(rule, entry.get("thresholds") or {})
        inputs = {name: frames[name] if name in frames else empty(name) for name in rule.reads}
        if rule.nets_refunds and charged is not None:
            inputs["fee_lines"] = charged
        found = module.find(**inputs, **thresholds)
        plans[rule.code] = _flags(found, rule, _severity(rule, entry.get("sev_deg")))
    return plans


def enabled_rules(
    rules: Iterable[ModuleType], config: Mapping[str, Mapping[str, Any]]
) -> list[ModuleType]:
    return [module for module in rules if config.get(module.RULE.code, {}).get("enabled", True)]


def event_in_window(window_start: date, window_end: date) -> pl.Expr:
    return pl.col("event_time").dt.date().is_between(window_start, window_end)


def screen_result(
    collected: Mapping[str, pl.DataFrame], detected_at: datetime, timings: dict[str, float]
) -> ScreenResult:
    """The rules' flags in the window (by rule code) as one frame, stamped detected_at."""
    counts = {code: frame.height for code, frame in collected.items()}
    frames = list(collected.values())
    flags = pl.concat(frames) if frames else None
    return ScreenResult(flags=stamped(flags, detected_at), counts=counts, timings=timings)


def stamped(flags: pl.DataFrame | None, detected_at: datetime) -> pl.DataFrame:
    """The rules' flags (None: no rule ran) in FLAG_SCHEMA, stamped detected_at."""
    if flags is None:
        flags = pl.DataFrame(schema=FLAG_SCHEMA)
    return flags.select(stamp(detected_at))


def stamp(detected_at: datetime) -> list[pl.Expr]:
    """The columns of FLAG_SCHEMA, detected_at the given moment's Shanghai wall clock."""
    wall_clock = detected_at.astimezone(SHANGHAI).replace(tzinfo=None)
    # As microseconds: polars makes a literal of a datetime object slowly (a fifth of a
    # pre-check run's work after its plans).
    micros = (wall_clock - datetime(1970, 1, 1)) // timedelta(microseconds=1)  # noqa: DTZ001
    moment = pl.lit(micros, dtype=pl.Int64).cast(pl.Datetime("us")).alias("detected_at")
    return [moment if name == "detected_at" else pl.col(name) for name in FLAG_SCHEMA]


def _count(frame: pl.LazyFrame) -> int:
    return frame.select(pl.len()).collect().item()


def _charged_lines(
    frames: Mapping[str, pl.LazyFrame], rules: list[ModuleType], engine: str, *, in_memory: bool
) -> pl.LazyFrame | None:
    """The fee lines net of refunds, computed once for every rule that nets them (seven
    rules would otherwise repeat the four-key refund join over all lines). In memory for
    large and for small inputs: unoptimized plans share nothing, and a rule's plan nets at
    every use of the lines (a pre-check's rules: 21 ms of CPU against 24 netting in the
    plans). In between, in the plans, which run together and share it."""
    if "fee_lines" not in frames or not any(module.RULE.nets_refunds for module in rules):
        return None
    if not in_memory:
        return lines.net_of_refunds(frames["fee_lines"])
    return lines.netted_in_memory(frames["fee_lines"].collect(engine=engine))


def resolve_thresholds(rule: Rule, configured: Mapping[str, Any]) -> dict[str, Any]:
    """The rule's defaults overlaid by configured values, each checked against its bounds."""
    declared = {threshold.name: threshold for threshold in rule.thresholds}
    values = rule.defaults()
    for name, value in configured.items():
        if name not in declared:
            raise ScreeningConfigError(
                _("Rule %(code)s has no threshold %(name)s.") % {"code": rule.code, "name": name}
            )
        values[name] = _checked(rule, declared[name], value)
    return values


def _checked(rule: Rule, threshold: Threshold, value: Any) -> float | int | str:
    whole = isinstance(threshold.default, int)
    names = {"name": threshold.name, "code": rule.code}
    if isinstance(threshold.default, str):
        # A list-valued threshold (e.g. ICD-10 categories): text, no bounds to check.
        if not isinstance(value, str):
            raise ScreeningConfigError(
                _("Threshold %(name)s of %(code)s must be like %(default)r.")
                % {**names, "default": threshold.default}
            )
        return value
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (whole and value != int(value))
    ):
        raise ScreeningConfigError(
            _("Threshold %(name)s of %(code)s must be like %(default)r.")
            % {**names, "default": threshold.default}
        )
    if not threshold.minimum <= value <= threshold.maximum:
        raise ScreeningConfigError(
            _("Threshold %(name)s of %(code)s must lie between %(low)s and %(high)s.")
            % {**names, "low": threshold.minimum, "high": threshold.maximum}
        )
    return int(value) if whole else float(value)


def _severity(rule: Rule, sev_deg: Any) -> int | None:
    if sev_deg is not None and sev_deg not in (1, 2, 3):
        raise ScreeningConfigError(
            _("Severity must be 1, 2 or 3, not %(value)s.") % {"value": sev_deg}
        )
    return sev_deg


def _flags(found: pl.LazyFrame, rule: Rule, sev_deg: int | None) -> pl.LazyFrame:
    severity = pl.col("sev_deg")
    if sev_deg is not None:
        # The override replaces the rule's default severity; a finding the rule graded
        # differently on purpose (e.g. an indication-only breach) keeps its own grade.
        severity = pl.when(severity == rule.sev_deg).then(pl.lit(sev_deg)).otherwise(severity)
    return found.with_columns(
        flag_id=pl.lit(f"{rule.code}:") + pl.col("subject_key"),
        rule_code=pl.lit(rule.code),
        sev_deg=severity.cast(pl.Int8),
    )
