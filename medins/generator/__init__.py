"""The synthetic province: an interchange batch that looks like Jinan, with known irregularities.

`generate_province` streams persons in fixed-size chunks, each from its own seed (the run's
seed and the chunk's number), so the output is the same bytes for the same arguments and memory
stays bounded however many persons are asked for.
"""

from __future__ import annotations

import calendar
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from tqdm import tqdm

from medins.generator.catalog import build_catalog
from medins.generator.chunk import Run, generate_chunk
from medins.generator.encounters import Period
from medins.generator.persons import CertnoSequencer
from medins.generator.registry import build_registry
from medins.generator.subjects import anomaly_truth
from medins.generator.write import SIDE_FILES, BatchWriter
from medins.interchange import FILES

# Persons x months per chunk: ~700k fee lines (measured 2.9 lines per person-month), which
# polars handles fast while the process stays near 1 GB however long the period is.
CHUNK_PERSON_MONTHS = 240_000
DEFAULT_RATE = 0.002
MAX_MONTHS = 36


@dataclass(frozen=True)
class GenerationSummary:
    out: Path
    rows: dict[str, int]  # per file name
    injected: dict[str, int]  # truth rows per rule_code
    near_misses: dict[str, int] = field(default_factory=dict)


def generate_province(
    *,
    out: Path,
    persons: int,
    months: int,
    seed: int,
    rate: float = DEFAULT_RATE,
    start: date | None = None,
    file_format: str = "csv",
    progress: bool | None = None,
) -> GenerationSummary:
    """Write a batch to `out` (files replaced); raises ValueError on arguments it cannot use."""
    start = start or date(2025, 1, 1)
    _check(persons=persons, months=months, rate=rate, file_format=file_format)
    period = Period(start=start, days=(_add_months(start, months) - start).days)
    registry = build_registry(seed=seed, persons=persons, rate=rate)
    catalog = build_catalog(seed)
    run = Run(seed, rate, period, catalog, registry, CertnoSequencer())
    _clear(out)
    writer = BatchWriter(out, file_format)
    rows: Counter[str] = Counter()
    injected: Counter[str] = Counter()
    near: Counter[str] = Counter()
    try:
        for name, frame in _registry_files(registry, catalog, start).items():
            writer.write(name, frame)
            rows[name] += frame.height
        show = sys.stderr.isatty() if progress is None else progress
        with tqdm(total=persons, unit=" persons", disable=not show) as bar:
            chunk = max(1_000, CHUNK_PERSON_MONTHS // months)
            for index, first in enumerate(range(0, persons, chunk)):
                count = min(chunk, persons - first)
                for name, frame in generate_chunk(
                    run, index=index, first=first, count=count
                ).items():
                    writer.write(name, frame)
                    rows[name] += frame.height
                    _count(
                        injected if name == "truth" else near if name == "near_misses" else None,
                        frame,
                    )
                bar.update(count)
        anomalies = anomaly_truth(registry)
        writer.write("truth", anomalies)
        _count(injected, anomalies)
        rows["truth"] += anomalies.height
    finally:
        writer.close()
    return GenerationSummary(
        out, dict(rows), dict(sorted(injected.items())), dict(sorted(near.items()))
    )


def _check(*, persons: int, months: int, rate: float, file_format: str) -> None:
    if persons < 1:
        raise ValueError(f"persons must be at least 1, got {persons}")
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be between 1 and {MAX_MONTHS}, got {months}")
    if not 0 <= rate < 0.1:
        raise ValueError(f"rate must be at least 0 and below 0.1, got {rate}")
    if file_format not in ("csv", "parquet"):
        raise ValueError(f"format must be csv or parquet, got {file_format!r}")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _clear(out: Path) -> None:
    """Remove the files a previous run left, in either format, so no stale file mixes in."""
    for name in (*(spec.name for spec in FILES), *SIDE_FILES):
        for suffix in (".csv", ".parquet"):
            (out / f"{name}{suffix}").unlink(missing_ok=True)


def _registry_files(registry, catalog, start: date) -> dict[str, pl.DataFrame]:
    items = catalog.items.with_columns(
        pric_uplmt_amt=pl.when(pl.col("pric_uplmt_amt").is_not_null()).then(
            pl.format(
                "{}.{}",
                pl.col("pric_uplmt_amt") // 100,
                (pl.col("pric_uplmt_amt") % 100).cast(pl.String).str.zfill(2),
            )
        ),
        lmt_inpatient_only=pl.when(pl.col("lmt_inpatient_only")).then(pl.lit("1")),
        effective_from=pl.lit(f"{start.year - 1}-01-01"),
    )
    text = {name: pl.col(name).cast(pl.String) for name in items.columns}
    return {
        "divisions": registry.divisions,
        "institutions": registry.institutions.with_columns(pl.col("open_bed_cnt").cast(pl.String)),
        "practitioners": registry.practitioners,
        "catalog": items.select(text.values()),
    }


def _count(counter: Counter | None, frame: pl.DataFrame) -> None:
    if counter is not None and frame.height:
        counter.update(dict(frame.group_by("rule_code").len().iter_rows()))
