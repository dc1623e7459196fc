"""Irregularities for every rule, injected into a chunk, with their truth and near misses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from medins.generator.persons import Persons

if TYPE_CHECKING:
    from medins.generator.chunk import Run

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
    truth: list[pl.DataFrame] = field(default_factory=list)
    near: list[pl.DataFrame] = field(default_factory=list)

    def findings(self, encounters: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        tags = encounters.filter(pl.col("tag") >= 0).select("tag", tag_enc="enc")
        return tuple(
            pl.concat([pl.DataFrame(schema=FINDING_SCHEMA), *rows], how="vertical_relaxed")
            .join(tags, on="tag", how="left")
            .with_columns(enc=pl.coalesce("enc", "tag_enc"))
            .drop("tag", "tag_enc")
            for rows in (self.truth, self.near)
        )


def inject_encounters(job: Injector, encounters: pl.DataFrame) -> pl.DataFrame:
    return encounters


def inject_lines(job: Injector, encounters, lines, diagnoses, checks):
    return lines, diagnoses, checks
