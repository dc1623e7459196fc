"""The registry of one generated city: divisions, institutions, practitioners, anomaly picks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from medins.generator import names

DEPTS = ("A03", "A04", "A05", "A06", "A07", "A10", "A12", "A19", "A21", "A50")
PRIMARY_DEPTS = ("A03", "A07", "A12", "A50")  # what a community health centre offers
GRADES = {1: ("08", "09", "14", "11"), 2: ("05", "05", "06", "13"), 3: ("02", "02", "03", "12")}
BEDS = {0: (0, 0), 1: (10, 60), 2: (150, 600), 3: (800, 3000)}
PHARMACY_CHAINS = ("漱玉平民大药房", "立健药店", "燕喜堂医药", "宏济堂药店", "老百姓大药房")
LEVEL2_NAMES = ("人民医院", "中医医院", "第二人民医院", "妇幼保健院", "中西医结合医院", "骨科医院")


@dataclass(frozen=True)
class Registry:
    divisions: pl.DataFrame
    institutions: pl.DataFrame
    practitioners: pl.DataFrame
    inst_level: np.ndarray  # routing level 1/2/3, 0 for pharmacies
    inst_grade_level: np.ndarray  # level as the rules see it (0: none, e.g. 11 无等级)
    inst_county: np.ndarray
    doctor_start: np.ndarray  # [institution, dept] -> first practitioner index
    doctor_count: np.ndarray  # [institution, dept] -> how many (0: no such department)
    by_county: dict[int, dict[int, np.ndarray]]  # county -> level -> institution indices
    peer_anomalies: tuple[tuple[int, int], ...]  # (institution, dept index) inflated
    practitioner_anomalies: np.ndarray  # practitioner indices with inflated orders

    @property
    def inst_codes(self) -> np.ndarray:
        return self.institutions.get_column("fixmedins_code").to_numpy()

    @property
    def dr_codes(self) -> np.ndarray:
        return self.practitioners.get_column("dr_code").to_numpy()


def build_registry(*, seed: int, persons: int, rate: float) -> Registry:
    """Institutions and staff sized to the population; the same seed gives the same city."""
    rng = np.random.default_rng([seed, 0x4E6])
    divisions = _divisions(rng)
    levels, counties = _institution_plan(rng, persons)
    institutions = _institutions(rng, levels, counties)
    grade_level = np.array(
        [_grade_level(grade) for grade in institutions.get_column("hosp_lv").to_list()]
    )
    practitioners, start, count, dr_inst = _practitioners(rng, institutions, levels, persons)
    by_county = {
        county: {
            level: np.flatnonzero((counties == county) & (levels == level)) for level in range(4)
        }
        for county in range(len(names.COUNTIES))
    }
    peers = _pick_peer_anomalies(rng, levels, start, count, rate)
    doctors = _pick_practitioner_anomalies(rng, practitioners, dr_inst, levels, peers, rate)
    return Registry(
        divisions,
        institutions,
        practitioners,
        levels,
        grade_level,
        counties,
        start,
        count,
        by_county,
        peers,
        doctors,
    )


def _grade_level(grade: str | None) -> int:
    from medins.models import HOSPITAL_LEVEL_BY_CODE

    return HOSPITAL_LEVEL_BY_CODE.get(grade or "", 0)


def _divisions(rng: np.random.Generator) -> pl.DataFrame:
    rows = [(names.PROVINCE[0], names.PROVINCE[1], None), (names.CITY[0], names.CITY[1], "370000")]
    for county, county_name, _share in names.COUNTIES:
        rows.append((county, county_name, names.CITY[0]))
        is_district = county in names.DISTRICTS
        stems = rng.choice(len(names.TOWN_STEMS), size=int(rng.integers(4, 8)), replace=False)
        for town_no, stem in enumerate(stems, start=1):
            town = f"{county}{town_no:03d}"
            suffix = "街道" if is_district or town_no == 1 else "镇"
            rows.append((town, names.TOWN_STEMS[stem] + suffix, county))
            villages = rng.choice(
                len(names.VILLAGE_STEMS), size=int(rng.integers(3, 7)), replace=False
            )
            for village_no, village in enumerate(villages, start=1):
                kind = "社区" if suffix == "街道" else "村"
                rows.append((f"{town}{village_no:03d}", names.VILLAGE_STEMS[village] + kind, town))
    return pl.DataFrame(rows, schema=["admdvs", "admdvs_name", "prnt_admdvs"], orient="row")


def _institution_plan(rng: np.random.Generator, persons: int) -> tuple[np.ndarray, np.ndarray]:
    """Routing level and county of each institution: few level 3, many level 1 and pharmacies."""
    shares = np.array([share for _code, _name, share in names.COUNTIES])
    shares = shares / shares.sum()
    n_counties = len(shares)
    plan = {3: max(5, persons // 300_000), 2: max(12, persons // 60_000)}
    plan[1] = max(36, persons // 3_000)
    plan[0] = max(20, persons // 4_000)
    levels, counties = [], []
    for level in (3, 2, 1, 0):
        if level == 3:  # the big hospitals sit in the central districts
            district = [i for i, c in enumerate(names.COUNTIES) if c[0] in names.DISTRICTS]
            where = rng.choice(district, size=plan[3])
        else:
            extra = rng.multinomial(plan[level] - n_counties, shares)
            where = np.repeat(np.arange(n_counties), 1 + extra)
        levels.append(np.full(len(where), level))
        counties.append(np.sort(where))
    return np.concatenate(levels), np.concatenate(counties)


def _institutions(
    rng: np.random.Generator, levels: np.ndarray, counties: np.ndarray
) -> pl.DataFrame:
    rows = []
    serial: dict[tuple[str, int], int] = {}
    for index, (level, county) in enumerate(zip(levels, counties, strict=True)):
        code6, county_name, _share = names.COUNTIES[county]
        letter = "P" if level == 0 else "H"
        serial[letter, county] = serial.get((letter, county), 0) + 1
        code = f"{letter}{code6}{serial[letter, county]:05d}"
        grade = "" if level == 0 else str(rng.choice(GRADES[level]))
        low, high = BEDS[level]
        beds = int(rng.integers(low, high + 1)) if level else 0
        rows.append(
            (
                code,
                _inst_name(level, county_name, index, grade),
                "2" if level == 0 else "1",
                grade or None,
                code6,
                beds,
            )
        )
    return pl.DataFrame(
        rows,
        schema=[
            "fixmedins_code",
            "fixmedins_name",
            "fixmedins_type",
            "hosp_lv",
            "admdvs",
            "open_bed_cnt",
        ],
        orient="row",
    )


def _inst_name(level: int, county_name: str, index: int, grade: str) -> str:
    if level == 3:
        base = names.HOSPITAL_NAMES_L3[index % len(names.HOSPITAL_NAMES_L3)]
        return base if index < len(names.HOSPITAL_NAMES_L3) else f"{base}{county_name}院区"
    if level == 2:
        return f"济南市{county_name}{LEVEL2_NAMES[index % len(LEVEL2_NAMES)]}"
    if level == 1:
        stem = names.TOWN_STEMS[index % len(names.TOWN_STEMS)]
        if grade == "11":
            return f"{county_name}{stem}{names.SURNAMES[index % 40]}氏诊所"
        return f"{county_name}{stem}社区卫生服务中心"
    chain = PHARMACY_CHAINS[index % len(PHARMACY_CHAINS)]
    return f"{chain}({county_name}{names.TOWN_STEMS[index % len(names.TOWN_STEMS)]}店)"


def _practitioners(
    rng: np.random.Generator, institutions: pl.DataFrame, levels: np.ndarray, persons: int
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    scale = float(np.clip(persons / 100_000, 0.3, 5.0))
    per_dept = {3: max(2, round(6 * scale)), 2: max(2, round(3 * scale)), 1: max(1, round(scale))}
    start = np.zeros((len(levels), len(DEPTS)), dtype=np.int64)
    count = np.zeros((len(levels), len(DEPTS)), dtype=np.int64)
    rows: list[tuple] = []
    owners: list[int] = []
    codes = institutions.get_column("fixmedins_code").to_list()
    for inst, level in enumerate(levels):
        county = codes[inst][1:7]
        if level == 0:
            for _ in range(2):
                rows.append((f"D{county}{len(rows):06d}", _person_name(rng), codes[inst], "", "3"))
            start[inst, :] = len(rows) - 2  # a pharmacy's purchases go through its pharmacists
            count[inst, 0] = 2
            owners.extend([inst] * (len(rows) - len(owners)))
            continue
        depts = PRIMARY_DEPTS if level == 1 else DEPTS
        for dept in depts:
            d = DEPTS.index(dept)
            start[inst, d], count[inst, d] = len(rows), per_dept[level]
            for _ in range(per_dept[level]):
                rows.append(
                    (f"D{county}{len(rows):06d}", _person_name(rng), codes[inst], dept, "1")
                )
            if level > 1:  # nurses are registered too, though they order nothing here
                rows.append(
                    (f"D{county}{len(rows):06d}", _person_name(rng), codes[inst], dept, "2")
                )
        owners.extend([inst] * (len(rows) - len(owners)))
    frame = pl.DataFrame(
        rows,
        schema=["dr_code", "dr_name", "fixmedins_code", "dept_codg", "prac_type"],
        orient="row",
    )
    return frame, start, count, np.array(owners)


def _person_name(rng: np.random.Generator) -> str:
    weights = np.array(names.SURNAME_WEIGHTS)
    surname = names.SURNAMES[rng.choice(len(names.SURNAMES), p=weights / weights.sum())]
    chars = names.MALE_CHARS if rng.random() < 0.5 else names.FEMALE_CHARS
    given = "".join(rng.choice(chars, size=int(rng.integers(1, 3))))
    return surname + given


def _pick_peer_anomalies(
    rng: np.random.Generator, levels: np.ndarray, start: np.ndarray, count: np.ndarray, rate: float
) -> tuple[tuple[int, int], ...]:
    """A few level-1/2 institutions whose internal medicine orders far more per encounter."""
    eligible = np.flatnonzero(np.isin(levels, (1, 2)) & (count[:, DEPTS.index("A03")] > 0))
    wanted = min(len(eligible) // 6, max(3, round(rate * len(eligible))))
    chosen = np.sort(rng.choice(eligible, size=wanted, replace=False))
    return tuple((int(inst), DEPTS.index("A03")) for inst in chosen)


def _pick_practitioner_anomalies(
    rng: np.random.Generator,
    practitioners: pl.DataFrame,
    dr_inst: np.ndarray,
    levels: np.ndarray,
    peers: tuple[tuple[int, int], ...],
    rate: float,
) -> np.ndarray:
    """A few internists at level-2/3 hospitals (not the anomalous ones) who over-order.

    Internal medicine, as for the anomalous institutions: a physician of a small department
    sees a handful of patients a month, too few for any monthly rate to tell them from
    their peers, so a truth row there would measure the generator, not the screening."""
    inflated = [inst for inst, _dept in peers]
    physician = practitioners.get_column("prac_type").to_numpy() == "1"
    internist = practitioners.get_column("dept_codg").to_numpy() == "A03"
    eligible = np.flatnonzero(
        physician & internist & (levels[dr_inst] >= 2) & ~np.isin(dr_inst, inflated)
    )
    wanted = min(len(eligible) // 6, max(3, round(rate * len(eligible))))
    return np.sort(rng.choice(eligible, size=wanted, replace=False))
