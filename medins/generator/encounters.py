"""Encounters of one chunk (the future settlements), and the pruning that keeps them clear.

Times are whole seconds from the start of the period, wall clock Asia/Shanghai; a day is
`t // 86400`. Pruning drops candidates rather than moving them, so that what stays can only
be further from a rule's limit than what was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from medins.generator.casemix import (
    ACUTE,
    CATEGORIES,
    CATEGORY_INDEX,
    CHRONIC,
    EMERGENCY,
    INPATIENT,
    PHARMACY,
    SETTINGS,
)
from medins.generator.persons import Persons
from medins.generator.registry import DEPTS, PRIMARY_DEPTS, Registry

DAY = 86_400
HOUR = 3_600
OUTPATIENT = ("11", "13", "14")
MED_TYPE = {ACUTE: "11", EMERGENCY: "13", CHRONIC: "14", PHARMACY: "41"}
FALLBACK = {ACUTE: "J06", EMERGENCY: "S01", PHARMACY: "J06", INPATIENT: "J18", CHRONIC: "I10"}
MIN_LEVEL = {"I21": 3}  # a PCI is a level-3 procedure
STAY_GAP_DAYS = 16  # clean stays of one person are further apart than SPLIT_ADMISSION's 15
MAX_VISITS_30D, MAX_VISITS_7D = 6, 2  # well under FREQUENT_VISITS' 8 and 3
_WEIGHTS = {s: np.array([c.weights.get(s, 0.0) for c in CATEGORIES]) for s in SETTINGS}
_SEX = np.array([c.sex for c in CATEGORIES])
_MIN_AGE = np.array([c.min_age for c in CATEGORIES])
_MAX_AGE = np.array([c.max_age for c in CATEGORIES])
_LOS = np.array([c.los for c in CATEGORIES])
_DEPT = np.array([DEPTS.index(c.dept) for c in CATEGORIES])


@dataclass(frozen=True)
class Period:
    start: date
    days: int


def candidate_encounters(
    rng: np.random.Generator, persons: Persons, registry: Registry, period: Period
) -> pl.DataFrame:
    """Draw every person's encounters for the period, then prune them clear of the rules."""
    months = period.days / 30.4
    age, n = persons.age, len(persons.age)
    parts = [_chronic_visits(rng, persons, registry, period)]
    rates = {
        ACUTE: np.select([age <= 6, age < 18, age < 45, age < 65], [0.6, 0.25, 0.2, 0.3], 0.45),
        EMERGENCY: np.full(n, 0.02),
        PHARMACY: np.where(age < 14, 0.12, 0.25),
        INPATIENT: np.select([age < 5, age < 45, age < 65], [0.012, 0.006, 0.012], 0.03),
    }
    for setting, rate in rates.items():
        counts = rng.poisson(rate * months)
        psn = np.repeat(np.arange(n), counts)
        cat = draw_categories(rng, setting, persons, psn)
        los = _length_of_stay(rng, cat) if setting == INPATIENT else np.zeros(len(psn), np.int64)
        day = rng.integers(0, np.maximum(period.days - los - 1, 1))
        keep = day + los < period.days - 1
        level = _levels(rng, setting, cat[keep])
        inst = route(registry, persons, psn[keep], level, setting, cat[keep])
        parts.append(
            assemble(
                rng,
                registry,
                persons,
                psn=psn[keep],
                setting=setting,
                cat=cat[keep],
                inst=inst,
                day=day[keep],
                los=los[keep],
            )
        )
    return prune(pl.concat(parts))


def draw_categories(
    rng: np.random.Generator, setting: str, persons: Persons, psn: np.ndarray
) -> np.ndarray:
    """Categories by the setting's case mix; one impossible for the person becomes the fallback."""
    weights = _WEIGHTS[setting]
    cat = rng.choice(len(weights), size=len(psn), p=weights / weights.sum())
    sex, age = persons.sex[psn], persons.age[psn]
    bad = ((_SEX[cat] != 0) & (_SEX[cat] != sex)) | (age < _MIN_AGE[cat]) | (age > _MAX_AGE[cat])
    return np.where(bad, CATEGORY_INDEX[FALLBACK[setting]], cat)


def _length_of_stay(rng: np.random.Generator, cat: np.ndarray) -> np.ndarray:
    day_surgery = np.array([c.inpatient_type == "28" for c in CATEGORIES])[cat]
    los = np.maximum(_LOS[cat] + rng.integers(-1, 3, len(cat)), 3)
    return np.where(day_surgery, rng.integers(0, 2, len(cat)), los)


def _levels(rng: np.random.Generator, setting: str, cat: np.ndarray) -> np.ndarray:
    shares = {
        ACUTE: (0.55, 0.30, 0.15),
        EMERGENCY: (0, 0.6, 0.4),
        INPATIENT: (0, 0.5, 0.5),
        PHARMACY: (1, 0, 0),
    }[setting]
    level = rng.choice([1, 2, 3], size=len(cat), p=shares)
    floor = np.array([MIN_LEVEL.get(c.code3, 1) for c in CATEGORIES])[cat]
    return np.maximum(level, floor)


def route(
    registry: Registry,
    persons: Persons,
    psn: np.ndarray,
    level: np.ndarray,
    setting: str,
    cat: np.ndarray,
) -> np.ndarray:
    """The person's own institution of that level; a department level 1 lacks goes to level 2."""
    if setting == PHARMACY:
        return persons.home[psn, 0]
    primary = np.isin(_DEPT[cat], [DEPTS.index(d) for d in PRIMARY_DEPTS])
    level = np.where((level == 1) & ~primary, 2, level)
    return persons.home[psn, level]


def assemble(
    rng: np.random.Generator,
    registry: Registry,
    persons: Persons,
    *,
    psn: np.ndarray,
    setting: str,
    cat: np.ndarray,
    inst: np.ndarray,
    day: np.ndarray,
    los: np.ndarray,
) -> pl.DataFrame:
    """Encounter rows: department, attending practitioner, diagnosis code and times."""
    n = len(psn)
    dept = np.full(n, DEPTS.index("A21")) if setting == EMERGENCY else _DEPT[cat]
    if setting == PHARMACY:
        dept = np.zeros(n, dtype=np.int64)
    start, count = registry.doctor_start[inst, dept], registry.doctor_count[inst, dept]
    dr = start + (rng.random(n) * np.maximum(count, 1)).astype(np.int64)
    variant = rng.integers(0, 2, n)
    codes = np.array([c.codes[0] for c in CATEGORIES]), np.array([c.codes[-1] for c in CATEGORIES])
    diag = np.where(variant == 0, codes[0][cat], codes[1][cat])
    if setting == INPATIENT:
        med_type = np.array([c.inpatient_type for c in CATEGORIES])[cat]
        t0 = day * DAY + rng.integers(8 * HOUR, 11 * HOUR, n)
        t1 = np.where(
            los == 0, t0 + 6 * HOUR, (day + los) * DAY + rng.integers(8 * HOUR, 11 * HOUR, n)
        )
    else:
        med_type = np.full(n, MED_TYPE[setting])
        t0 = day * DAY + rng.integers(8 * HOUR, 17 * HOUR, n)
        t1 = t0 + (300 if setting == PHARMACY else rng.integers(600, 5400, n))
    return pl.DataFrame(
        {
            "psn": psn.astype(np.int32),
            "setting": np.full(n, setting),
            "med_type": med_type,
            "inst": inst.astype(np.int32),
            "dept": dept.astype(np.int8),
            "dr": dr.astype(np.int32),
            "cat": cat.astype(np.int16),
            "diag": diag,
            "t0": t0.astype(np.int64),
            "t1": np.broadcast_to(t1, n).astype(np.int64),
            "prot": np.zeros(n, dtype=bool),
        }
    )


def _chronic_visits(
    rng: np.random.Generator, persons: Persons, registry: Registry, period: Period
) -> pl.DataFrame:
    """Monthly visits (every 28-35 days) at one institution for each chronic patient."""
    patients = np.flatnonzero(persons.chronic >= 0)
    slots = period.days // 28 + 1
    gaps = rng.integers(28, 36, (len(patients), slots))
    gaps[:, 0] = rng.integers(0, 28, len(patients))
    day = np.cumsum(gaps, axis=1)
    psn = np.repeat(patients, slots).reshape(len(patients), slots)
    inside = day < period.days - 1
    psn, day = psn[inside], day[inside]
    cat = persons.chronic[psn]
    level = np.where(rng.random(len(patients)) < 0.7, 1, 2)  # one place per patient
    by_patient = dict(zip(patients.tolist(), level.tolist(), strict=True))
    level = np.array([by_patient[p] for p in psn.tolist()], dtype=np.int64)
    inst = route(registry, persons, psn, level, CHRONIC, cat)
    return assemble(
        rng,
        registry,
        persons,
        psn=psn,
        setting=CHRONIC,
        cat=cat,
        inst=inst,
        day=day,
        los=np.zeros(len(psn), np.int64),
    )


def prune(encounters: pl.DataFrame) -> pl.DataFrame:
    """Keep stays apart, nothing else during or next to a stay, one visit a day, few visits."""
    frame = encounters.with_columns(day=pl.col("t0") // DAY, end_day=pl.col("t1") // DAY)
    stays = frame.filter(pl.col("setting") == INPATIENT).sort("psn", "t0")
    stays = stays.filter(
        (pl.col("day") - pl.col("end_day").cum_max().shift(1).over("psn")).fill_null(STAY_GAP_DAYS)
        >= STAY_GAP_DAYS
    )
    others = frame.filter(pl.col("setting") != INPATIENT).sort("psn", "day", "t0")
    windows = stays.select("psn", lo=pl.col("day") - 1, hi=pl.col("end_day") + 1).sort("psn", "lo")
    others = (
        others.sort("day")
        .join_asof(
            windows.sort("lo"), left_on="day", right_on="lo", by="psn", check_sortedness=False
        )
        .filter(pl.col("hi").is_null() | (pl.col("day") > pl.col("hi")))
        .drop("lo", "hi")
        .sort("psn", "day", "t0")
        .unique(["psn", "day"], keep="first", maintain_order=True)
    )
    ordered = pl.concat([stays, _limit_visits(others)]).sort("psn", "t0", "t1", "setting", "inst")
    return ordered.drop("day", "end_day")


def _limit_visits(others: pl.DataFrame) -> pl.DataFrame:
    outpatient = pl.col("med_type").is_in(OUTPATIENT)
    date = pl.date(2000, 1, 1) + pl.duration(days=pl.col("day"))
    frame = others.with_columns(date=date, one=outpatient.cast(pl.Int32))
    frame = frame.sort("psn", "date").with_columns(
        in_30=pl.col("one").rolling_sum_by("date", window_size="30d").over("psn")
    )
    frame = frame.sort("psn", "inst", "date").with_columns(
        in_7=pl.col("one").rolling_sum_by("date", window_size="7d").over("psn", "inst")
    )
    keep = ~outpatient | ((pl.col("in_30") <= MAX_VISITS_30D) & (pl.col("in_7") <= MAX_VISITS_7D))
    return frame.filter(keep).drop("date", "one", "in_30", "in_7")
