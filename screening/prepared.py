"""The rules' plans built once, then run over many small inputs: the pre-check's engine.

screen_frames builds every rule's plan for the frames it is given; on a pre-check's few
hundred rows building the nine plans costs a third of running them. Here the plans are
built once per rule configuration over placeholder sources (polars IO sources that read
whatever frames the current run has bound) and each run binds its frames and collects. The
same rule modules, thresholds and flag columns as screen_frames (tests/screening/
test_prepared.py compares the two); the way screen_frames runs small inputs: refunds netted
in memory first, plans unoptimized, the window applied to what they found.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from types import ModuleType
from typing import Any

import polars as pl
from polars.io.plugins import register_io_source

from screening.engine import (
    ScreenResult,
    enabled_rules,
    event_in_window,
    rule_plans,
    screen_result,
)
from screening.frames import SCHEMAS
from screening.rules import lines

UNOPTIMIZED = pl.QueryOptFlags.none()
CHARGED = "charged_lines"  # the placeholder of the fee lines net of refunds


class PreparedRules:
    """`run(frames, ...)` is screen_frames(frames, rules=rules, config=config, ...) for
    frames in memory, with the plans built here once. Runs take turns (one set of bound
    frames). For rules whose `find` only builds a plan: the model rules, which fit their
    models on the frames as they build, are refused."""

    def __init__(
        self, rules: Iterable[ModuleType], config: Mapping[str, Mapping[str, Any]]
    ) -> None:
        self._bound: dict[str, pl.DataFrame] = {}
        self._lock = threading.Lock()
        enabled = enabled_rules(rules, config)
        names = {name for module in enabled for name in module.RULE.reads}
        sources = {name: self._source(name, SCHEMAS[name]) for name in names}
        self._nets = "fee_lines" in names and any(module.RULE.nets_refunds for module in enabled)
        charged = self._source(CHARGED, _netted_schema()) if self._nets else None
        self._plans = rule_plans(sources, charged, enabled, config)

    def run(
        self,
        frames: Mapping[str, pl.DataFrame],
        *,
        window_start: date,
        window_end: date,
        detected_at: datetime,
    ) -> ScreenResult:
        """Flags of every enabled rule whose event day lies in [window_start, window_end]."""
        started = time.perf_counter()
        bound = {name: frames.get(name, _empty(name)) for name in SCHEMAS}
        if self._nets:
            bound[CHARGED] = lines.netted_in_memory(bound["fee_lines"]).collect()
        with self._lock:
            self._bound = bound
            try:
                found = pl.collect_all(
                    list(self._plans.values()), engine="in-memory", optimizations=UNOPTIMIZED
                )
            finally:
                self._bound = {}
        in_window = event_in_window(window_start, window_end)
        collected = {
            code: frame.filter(in_window) for code, frame in zip(self._plans, found, strict=True)
        }
        return screen_result(collected, detected_at, {"total": time.perf_counter() - started})

    def _source(self, name: str, schema: Mapping[str, pl.DataType]) -> pl.LazyFrame:
        def read(
            with_columns: list[str] | None,
            predicate: pl.Expr | None,
            n_rows: int | None,
            batch_size: int | None,
        ) -> Iterator[pl.DataFrame]:
            frame = self._bound.get(name)
            if frame is None:
                raise RuntimeError(
                    f"{name} was read while the rules' plans were built: a rule that collects "
                    "(the model rules fit their models) runs through screen_frames instead"
                )
            if with_columns is not None:
                frame = frame.select(with_columns)
            if predicate is not None:
                frame = frame.filter(predicate)
            yield frame if n_rows is None else frame.head(n_rows)

        return register_io_source(read, schema=dict(schema), explain_name=name)


def _netted_schema() -> dict[str, pl.DataType]:
    return dict(lines.netted_in_memory(_empty("fee_lines")).collect_schema())


def _empty(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[name])
