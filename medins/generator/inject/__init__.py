"""Irregularities for every rule, injected into a chunk, with their truth and near misses.

Encounter-level injections (stays, visits) build whole timelines for persons taken out of the
clean population; line-level ones change or add single lines of clean encounters. A person or
encounter serves one injection only, so that each injected record breaks the rule it is
written for and no other by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from medins.generator.persons import Persons

if TYPE_CHECKING:
    from medins.generator.chunk import Run

MIN_PER_RULE = 6  # injected in the first chunk whatever the rate, so small batches have some
FINDING_SCHEMA = {
    "rule_code": pl.String,
    "tag": pl.Int64,  # an injected encounter, before encounters are numbered
    "enc": pl.Int64,
    "line": pl.Int64,
    "psn": pl.Int32,
    "inst": pl.Int32,
    "dr": pl.Int32,
}


@dataclass
class Injector:
    rng: np.random.Generator
    run: Run
    persons: Persons
    chunk: int
    truth: list[dict] = field(default_factory=list)
    near: list[dict] = field(default_factory=list)
    shapes: dict[int, str] = field(default_factory=dict)  # tag -> how its lines are reshaped
    next_tag: int = 0

    def __post_init__(self) -> None:
        self.used = np.zeros(len(self.persons.age), dtype=bool)

    def how_many(self, eligible: int) -> int:
        drawn = int(self.rng.binomial(eligible, self.run.rate)) if eligible else 0
        return max(drawn, MIN_PER_RULE) if self.chunk == 0 else drawn

    def take(self, mask: np.ndarray, n: int) -> np.ndarray:
        """Up to n persons meeting `mask` that no injection has used yet; marks them used."""
        chosen = self.rng.permutation(np.flatnonzero(mask & ~self.used))[:n]
        self.used[chosen] = True
        return np.sort(chosen)

    def tag(self) -> int:
        self.next_tag += 1
        return self.next_tag - 1

    def record(self, rule: str, *, near: bool = False, **keys: int) -> None:
        (self.near if near else self.truth).append({"rule_code": rule, **keys})

    def findings(self, encounters: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        tags = encounters.filter(pl.col("tag") >= 0).select("tag", tag_enc="enc")
        return tuple(
            pl.DataFrame(rows, schema=FINDING_SCHEMA)
            .join(tags, on="tag", how="left", maintain_order="left")
            .with_columns(enc=pl.coalesce("enc", "tag_enc"))
            .drop("tag", "tag_enc")
            for rows in (self.truth, self.near)
        )


def inject_encounters(job: Injector, encounters: pl.DataFrame) -> pl.DataFrame:
    """Add the timelines of SPLIT/OVERLAPPING/BED_BLOCKING(a)/LOW_STANDARD/FREQUENT persons."""
    from medins.generator.inject import stays, visits

    added = [*stays.inject(job, encounters), *visits.inject(job, encounters)]
    taken = pl.Series(np.flatnonzero(job.used).astype(np.int32))
    kept = encounters.filter(~pl.col("psn").is_in(taken.implode()))
    return pl.concat([kept, *added], how="vertical_relaxed")


def inject_lines(job: Injector, encounters, lines, diagnoses, checks):
    """Change and add lines, diagnoses and bed checks for the line- and settlement-level rules."""
    from medins.generator.inject import fees, scope
    from medins.generator.inject.edits import Edits

    edits = Edits.start(job, encounters, lines, diagnoses, checks)
    scope.shape_low_standard(edits)
    for inject in (*fees.INJECTIONS, *scope.INJECTIONS):
        inject(edits)
    return edits.apply()
