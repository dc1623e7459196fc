"""Insured persons of one chunk: ages, sexes, valid resident IDs, insurance, chronic disease."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from medins.generator import names
from medins.generator.casemix import CATEGORIES, CATEGORY_INDEX, CHRONIC_CODES
from medins.generator.registry import Registry

# Share of each five-year age band (0-4 … 90+), China's 2020 census, roughly.
AGE_BANDS = np.array(
    [5.7, 6.5, 6.3, 5.4, 5.3, 6.4, 8.6, 7.0, 6.5, 8.1, 8.6, 7.3, 5.2, 5.6, 3.9, 2.4, 1.5, 0.8, 0.3]
)
# Prevalence of each chronic condition in CHRONIC_CODES by age band 30-44, 45-64, 65+.
PREVALENCE = {
    "I10": (0.05, 0.20, 0.35),
    "E11": (0.03, 0.09, 0.15),
    "I25": (0.0, 0.03, 0.08),
    "J44": (0.0, 0.02, 0.06),
    "I63": (0.0, 0.01, 0.04),
    "N40": (0.0, 0.04, 0.10),
}
_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2))
_CHECK = np.array(list("10X98765432"))
_EPOCH = np.datetime64("1900-01-01")


@dataclass
class Persons:
    """One chunk's persons as parallel arrays; `frame` is the persons.csv part."""

    frame: pl.DataFrame
    sex: np.ndarray  # 1 men, 2 women
    birth: np.ndarray  # datetime64[D]
    age: np.ndarray  # whole years at the start of the period
    chronic: np.ndarray  # category index of the condition they visit for, -1 none
    comorbid: list[tuple[str, ...]]  # diagnosis codes of their other chronic conditions
    home: np.ndarray  # [person, level 0..3] -> institution (0 is the pharmacy)
    insutype: np.ndarray


class CertnoSequencer:
    """Hands out the ID's sequence digits so that no two persons share an ID, chunk after chunk."""

    def __init__(self) -> None:
        self.used = np.zeros((len(names.COUNTIES), 80_000), dtype=np.int32)

    def take(self, county: np.ndarray, day: np.ndarray) -> np.ndarray:
        key = county * self.used.shape[1] + day
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        first = np.r_[True, sorted_key[1:] != sorted_key[:-1]]
        group_start = np.maximum.accumulate(np.where(first, np.arange(len(key)), 0))
        rank = np.empty(len(key), dtype=np.int64)
        rank[order] = np.arange(len(key)) - group_start
        flat = self.used.reshape(-1)
        result = flat[key] + rank
        np.add.at(flat, key, 1)
        if result.max(initial=0) >= 500:
            raise ValueError("too many persons born on one day in one county for 3-digit IDs")
        return result


def make_persons(
    rng: np.random.Generator,
    registry: Registry,
    sequencer: CertnoSequencer,
    *,
    first: int,
    count: int,
    start: date,
) -> Persons:
    """`count` persons numbered from `first`; their IDs agree with sex and birth date."""
    band = rng.choice(len(AGE_BANDS), size=count, p=AGE_BANDS / AGE_BANDS.sum())
    age = np.minimum(band * 5 + rng.integers(0, 5, count), 99)
    sex = np.where(rng.random(count) < np.where(age < 60, 0.51, 0.46), 1, 2)
    birth = np.datetime64(start) - (age * 365 + rng.integers(1, 365, count)).astype(
        "timedelta64[D]"
    )
    shares = np.array([share for _c, _n, share in names.COUNTIES])
    county = rng.choice(len(shares), size=count, p=shares / shares.sum())
    serial = sequencer.take(county, (birth - _EPOCH).astype(np.int64))
    certno = _certnos(county, birth, serial * 2 + (sex == 1))
    employee = rng.random(count) < np.where(
        (age >= 18) & (age < 60), 0.45, np.where(age >= 60, 0.35, 0)
    )
    chronic, comorbid = _chronic(rng, age, sex)
    frame = pl.DataFrame(
        {
            "psn_no": [f"3701{index:014d}" for index in range(first, first + count)],
            "certno": certno,
            "psn_name": _names(rng, sex),
            "gend": sex.astype(str),
            "brdy": birth.astype("datetime64[D]").astype(str),
            "insutype": np.where(employee, "310", "390"),
            "psn_type": _person_types(age, employee),
            "insuplc_admdvs": np.array([c for c, _n, _s in names.COUNTIES])[county],
        }
    )
    return Persons(
        frame,
        sex,
        birth,
        age,
        chronic,
        comorbid,
        _homes(rng, registry, county),
        np.where(employee, "310", "390"),
    )


def _certnos(county: np.ndarray, birth: np.ndarray, sequence: np.ndarray) -> list[str]:
    codes = np.array([int(c) for c, _n, _s in names.COUNTIES], dtype=np.int64)[county]
    ymd = birth.astype(str)
    ymd_int = np.char.replace(ymd, "-", "").astype(np.int64)
    number = codes * 10**11 + ymd_int * 1000 + sequence
    digits = (number[:, None] // 10 ** np.arange(16, -1, -1)) % 10
    check = _CHECK[(digits * _WEIGHTS).sum(axis=1) % 11]
    return [f"{n:017d}{c}" for n, c in zip(number.tolist(), check.tolist(), strict=True)]


def _names(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    weights = np.array(names.SURNAME_WEIGHTS)
    surname = np.array(names.SURNAMES)[
        rng.choice(len(weights), len(sex), p=weights / weights.sum())
    ]
    pool = np.where(sex[:, None] == 1, np.array(names.MALE_CHARS), np.array(names.FEMALE_CHARS))
    picks = rng.integers(0, pool.shape[1], (len(sex), 2))
    first = np.take_along_axis(pool, picks[:, :1], axis=1)[:, 0]
    second = np.where(
        rng.random(len(sex)) < 0.7, np.take_along_axis(pool, picks[:, 1:], 1)[:, 0], ""
    )
    return np.char.add(np.char.add(surname, first), second)


def _person_types(age: np.ndarray, employee: np.ndarray) -> np.ndarray:
    resident = np.select([age == 0, age <= 6, age < 18], ["1401", "1402", "1403"], "1501")
    return np.where(employee, np.where(age >= 60, "1201", "1101"), resident)


def _chronic(rng: np.random.Generator, age: np.ndarray, sex: np.ndarray):
    band = np.select([age >= 65, age >= 45, age >= 30], [2, 1, 0], -1)
    has = np.zeros((len(age), len(CHRONIC_CODES)), dtype=bool)
    for column, code in enumerate(CHRONIC_CODES):
        rates = np.r_[PREVALENCE[code], 0.0][band]  # band -1 reads the trailing 0
        has[:, column] = rng.random(len(age)) < rates
        if code == "N40":
            has[:, column] &= sex == 1
    primary = np.where(has.any(axis=1), has.argmax(axis=1), -1)
    category = np.array([CATEGORY_INDEX[code] for code in CHRONIC_CODES])
    chronic = np.where(primary >= 0, category[np.maximum(primary, 0)], -1)
    first_codes = [CATEGORIES[CATEGORY_INDEX[code]].codes[0] for code in CHRONIC_CODES]
    comorbid = [
        tuple(first_codes[c] for c in np.flatnonzero(row) if c != p)[:2]
        for row, p in zip(has, primary, strict=True)
    ]
    return chronic, comorbid


def _homes(rng: np.random.Generator, registry: Registry, county: np.ndarray) -> np.ndarray:
    """Each person's pharmacy and level-1/2 institution near home, and a level-3 hospital."""
    home = np.zeros((len(county), 4), dtype=np.int64)
    for level in range(4):
        city = np.flatnonzero(registry.inst_level == level)
        for c in np.unique(county):
            local = registry.by_county[int(c)][level] if level < 3 else city
            options = local if len(local) else city
            where = np.flatnonzero(county == c)
            home[where, level] = options[rng.integers(0, len(options), len(where))]
    return home
