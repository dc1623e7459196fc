"""FREQUENT_VISITS: persons who see doctors too often, and persons right at the limits."""

from __future__ import annotations

import numpy as np
import polars as pl

from medins.generator.casemix import CATEGORY_INDEX, INPATIENT
from medins.generator.inject import Injector
from medins.generator.inject.stays import _visit

VISITS_30D, VISITS_7D = 9, 4  # one over each of FREQUENT_VISITS' limits (8 and 3)
COLD = CATEGORY_INDEX["J06"]  # a primary-care diagnosis: no department forces another level


def inject(job: Injector, encounters: pl.DataFrame) -> list[pl.DataFrame]:
    has_stay = np.zeros(len(job.persons.age), dtype=bool)
    has_stay[encounters.filter(pl.col("setting") == INPATIENT).get_column("psn").to_numpy()] = True
    mask = (job.persons.age >= 18) & (job.persons.age <= 70) & ~has_stay
    out: list[pl.DataFrame] = []
    n = job.how_many(len(job.persons.age))
    for k, psn in enumerate(job.take(mask, 2 * n).tolist()):
        near = k % 4 >= 2
        if k % 2 == 0:
            out += _month(job, psn, VISITS_30D - near, near=near)
        else:
            out += _week(job, psn, VISITS_7D - near, near=near)
    return out


def _month(job: Injector, psn: int, count: int, *, near: bool) -> list[pl.DataFrame]:
    """`count` visits on different days within 30 days, rotating over three institutions."""
    span = min(30, job.run.period.days - 1)
    first = int(job.rng.integers(0, job.run.period.days - span))
    days = first + np.sort(job.rng.choice(span, size=count, replace=False))
    visits = [_visit(job, psn, day=int(d), level=1 + i % 3, cat=COLD) for i, d in enumerate(days)]
    job.record("FREQUENT_VISITS", near=near, psn=psn, tag=visits[-1][0])
    return [frame for _tag, frame in visits]


def _week(job: Injector, psn: int, count: int, *, near: bool) -> list[pl.DataFrame]:
    """`count` visits at the same community centre within 7 days."""
    first = int(job.rng.integers(0, job.run.period.days - 8))
    step = 6 // (count - 1)
    visits = [_visit(job, psn, day=first + i * step, level=1, cat=COLD) for i in range(count)]
    job.record("FREQUENT_VISITS", near=near, psn=psn, tag=visits[-1][0])
    return [frame for _tag, frame in visits]
