"""Whole-stay injections: split admissions, overlapping stays, absent inpatients, short stays."""

from __future__ import annotations

import numpy as np
import polars as pl

from medins.generator.casemix import ACUTE, CATEGORY_INDEX, INPATIENT
from medins.generator.encounters import DAY, HOUR, assemble, draw_categories, route
from medins.generator.inject import Injector

MEDICAL = ("J18", "I63", "J44", "I25")  # adult medical stays, none on the outpatient list
MANAGEABLE = "E11"  # on the outpatient-manageable list, and admitted now and then
NEAR_GAP = 16  # one day past SPLIT_ADMISSION's 15


def inject(job: Injector, encounters: pl.DataFrame) -> list[pl.DataFrame]:
    stays = int((encounters.get_column("setting") == INPATIENT).sum())
    adults = job.persons.age >= 45
    out: list[pl.DataFrame] = []
    for make in (_split, _overlapping, _away, _short):
        out.extend(make(job, job.take(adults, job.how_many(stays))))
    return out


def _stay(
    job: Injector, psn: int, *, cat: int, inst: int, day: int, los: int, hour: int | None = None
) -> tuple[int, pl.DataFrame]:
    frame = assemble(
        job.rng,
        job.run.registry,
        job.persons,
        psn=np.array([psn]),
        setting=INPATIENT,
        cat=np.array([cat]),
        inst=np.array([inst]),
        day=np.array([day]),
        los=np.array([los]),
    )
    if hour is not None:
        frame = frame.with_columns(t0=pl.lit(day * DAY + hour * HOUR, pl.Int64))
    tag = job.tag()
    return tag, frame.with_columns(
        med_type=pl.lit("21"), tag=pl.lit(tag, pl.Int64), prot=pl.lit(True)
    )


def _visit(
    job: Injector, psn: int, *, day: int, level: int, cat: int | None = None
) -> tuple[int, pl.DataFrame]:
    psns = np.array([psn])
    cats = (
        np.array([cat]) if cat is not None else draw_categories(job.rng, ACUTE, job.persons, psns)
    )
    inst = route(job.run.registry, job.persons, psns, np.array([level]), ACUTE, cats)
    frame = assemble(
        job.rng,
        job.run.registry,
        job.persons,
        psn=psns,
        setting=ACUTE,
        cat=cats,
        inst=inst,
        day=np.array([day]),
        los=np.array([0]),
    )
    tag = job.tag()
    return tag, frame.with_columns(tag=pl.lit(tag, pl.Int64), prot=pl.lit(True))


def _medical(job: Injector) -> int:
    return CATEGORY_INDEX[MEDICAL[int(job.rng.integers(len(MEDICAL)))]]


def _start(job: Injector, length: int) -> int | None:
    room = job.run.period.days - 2 - length
    return int(job.rng.integers(0, room + 1)) if room >= 0 else None


def _split(job: Injector, persons: np.ndarray) -> list[pl.DataFrame]:
    """Readmitted 0..15 days after discharge, same hospital and category.

    Every other person then moves the same day to another hospital (a transfer, not a split)
    and is readmitted there 16 days after that discharge: two near misses.
    """
    out = []
    for k, psn in enumerate(persons.tolist()):
        gap = int(job.rng.integers(0, 16))
        tail = 3 + NEAR_GAP + 3 if k % 2 == 0 else 0
        first = _start(job, 4 + gap + 3 + tail)
        if first is None:
            continue
        home, other, cat = job.persons.home[psn, 2], job.persons.home[psn, 3], _medical(job)
        _, stay = _stay(job, psn, cat=cat, inst=home, day=first, los=4)
        again_day = first + 4 + gap
        tag, again = _stay(job, psn, cat=cat, inst=home, day=again_day, los=3)
        out += [stay, again]
        job.record("SPLIT_ADMISSION", tag=tag)
        if tail:
            moved, transfer = _stay(
                job, psn, cat=cat, inst=other, day=again_day + 3, los=3, hour=14
            )
            later, back = _stay(job, psn, cat=cat, inst=other, day=again_day + 6 + NEAR_GAP, los=3)
            out += [transfer, back]
            job.record("OVERLAPPING_STAYS", near=True, tag=moved)
            job.record("SPLIT_ADMISSION", near=True, tag=later)
    return out


def _overlapping(job: Injector, persons: np.ndarray) -> list[pl.DataFrame]:
    """Admitted to a second hospital the afternoon of the first admission, both for days."""
    out = []
    for psn in persons.tolist():
        day = _start(job, 5)
        if day is None:
            continue
        _, first = _stay(
            job, psn, cat=_medical(job), inst=job.persons.home[psn, 2], day=day, los=5, hour=8
        )
        tag, second = _stay(
            job, psn, cat=_medical(job), inst=job.persons.home[psn, 3], day=day, los=4, hour=15
        )
        out += [first, second]
        job.record("OVERLAPPING_STAYS", tag=tag)
    return out


def _away(job: Injector, persons: np.ndarray) -> list[pl.DataFrame]:
    """An outpatient visit elsewhere in the middle of a stay; on the discharge day: near miss."""
    out = []
    for k, psn in enumerate(persons.tolist()):
        day = _start(job, 5)
        if day is None:
            continue
        tag, stay = _stay(
            job, psn, cat=_medical(job), inst=job.persons.home[psn, 3], day=day, los=5
        )
        near = k % 3 == 2
        _, visit = _visit(job, psn, day=day + (5 if near else int(job.rng.integers(1, 5))), level=1)
        out += [stay, visit]
        job.record("BED_BLOCKING", near=near, tag=tag)
    return out


def _short(job: Injector, persons: np.ndarray) -> list[pl.DataFrame]:
    """Stays of 1-2 days that are mostly tests, or cheap stays for a manageable diagnosis.

    A third are near misses: the same test-heavy stay, but three days long.
    """
    out = []
    for k, psn in enumerate(persons.tolist()):
        shape = ("exam", "cheap", "near")[k % 3]
        los = 3 if shape == "near" else int(job.rng.integers(1, 3))
        day = _start(job, los)
        if day is None:
            continue
        cat = CATEGORY_INDEX[MANAGEABLE] if shape == "cheap" else _medical(job)
        tag, stay = _stay(job, psn, cat=cat, inst=job.persons.home[psn, 3], day=day, los=los)
        out.append(stay)
        job.shapes[tag] = "cheap" if shape == "cheap" else "exam"
        job.record("LOW_STANDARD_ADMISSION", near=shape == "near", tag=tag)
    return out
