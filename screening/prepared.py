"""The rules' plans built once, then run over many small inputs: the pre-check's engine.

screen_frames builds every rule's plan for the frames it is given; on a pre-check's few
hundred rows building the nine plans costs a third of running them. Here the plans are
built once per rule configuration over placeholder sources (polars IO sources that read
whatever frames the current run has bound) and each run binds its frames and collects. The
same rule modules, thresholds and flag columns as screen_frames (tests/screening/
test_prepared.py compares the two); the way screen_frames runs small inputs: refunds netted
once, plans unoptimized, the window applied to what they found. A run is one collection:
the union of the plans of the rules that apply to its frames (a rule's `applies`,
screening/rules/base.py), over cached sources and cached netting, each read once.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
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
    stamp,
    stamped,
)
from screening.frames import SCHEMAS
from screening.rules import lines

UNOPTIMIZED = pl.QueryOptFlags.none()
EMPTY = {name: pl.DataFrame(schema=schema) for name, schema in SCHEMAS.items()}


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
        nets = "fee_lines" in names and any(module.RULE.nets_refunds for module in enabled)
        # The lines net of refunds, cached: netted once per run, not at every use of them.
        charged = lines.net_of_refunds(sources["fee_lines"]).cache() if nets else None
        self._plans = rule_plans(sources, charged, enabled, config)
        self._applies = {
            module.RULE.code: module.applies for module in enabled if hasattr(module, "applies")
        }
        # One plan of the rules that apply (their flags share one schema), by which apply:
        # every step on a run's few rows costs a hand-over to polars' threads.
        self._unions: dict[tuple[str, ...], pl.LazyFrame] = {}

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
        with self._lock:
            self._bound = {name: frames.get(name, EMPTY[name]) for name in SCHEMAS}
            try:
                union = self._union(self.applying(self._bound))
                if union is None:
                    flags = stamped(None, detected_at)
                else:
                    # The window and the stamp on top of the plans: one collection in all,
                    # run on polars' own thread (background) rather than from this one: its
                    # steps then stay on that thread instead of each being handed to it and
                    # back (some 15 % of the collection's CPU and 20 % of its time here).
                    # polars calls background collection unstable: pyproject pins polars
                    # < 2.2, and tests/screening/test_prepared.py checks the results.
                    in_window = union.filter(event_in_window(window_start, window_end))
                    query = in_window.select(stamp(detected_at)).collect(
                        engine="in-memory", optimizations=UNOPTIMIZED, background=True
                    )
                    flags = query.fetch_blocking()
            finally:
                self._bound = {}
        counts = dict.fromkeys(self._plans, 0)
        counts.update(Counter(flags["rule_code"].to_list()))
        timings = {"total": time.perf_counter() - started}
        return ScreenResult(flags=flags, counts=counts, timings=timings)

    def applying(self, frames: Mapping[str, pl.DataFrame]) -> tuple[str, ...]:
        """The codes of the enabled rules that may find something in these frames."""
        return tuple(
            code for code in self._plans if code not in self._applies or self._applies[code](frames)
        )

    def _union(self, codes: tuple[str, ...]) -> pl.LazyFrame | None:
        if not codes:
            return None
        union = self._unions.get(codes)
        if union is None:
            union = self._unions[codes] = pl.concat([self._plans[code] for code in codes])
        return union

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

        # Cached: every use of the source in a run's plans reads one copy, not its own (the
        # nine plans read their seven sources 36 times: a fifth of a lone claim's CPU).
        return register_io_source(read, schema=dict(schema), explain_name=name).cache()
