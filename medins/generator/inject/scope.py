"""Injections about who may be charged what: scope limits, diagnoses, bed checks, costs."""

from __future__ import annotations

import numpy as np
import polars as pl

from medins.generator.casemix import INPATIENT
from medins.generator.encounters import DAY, HOUR
from medins.generator.inject.edits import Edits
from medins.generator.inject.fees import VISITS, _of

MINUTE = 60
# Tests a one-day stay can be filled with: none has a repeat window the fresh person could hit.
EXAMS = (
    "us_abdomen",
    "lab_cardiac",
    "xray_chest",
    "ecg",
    "lab_cbc",
    "lab_liver",
    "lab_renal",
    "lab_urine",
    "lab_bloodgas",
    "us_urology",
    "ct_chest",
    "ct_abdomen",
    "mri_head",
)
KEEP_IN_SHORT = {
    "exam": ("bed_", "nursing_"),
    "cheap": ("bed_", "nursing_", "consult_ip", "fluids"),
}
COSTLY_FACTOR = 6  # an injected excessive cost is this many times its group's median
GROUP_PER_INJECTION = 150  # peers per injected settlement, so each stays above the group's p99


def shape_low_standard(edits: Edits) -> None:
    """Short stays become test-heavy (≥ 80 % exams) or cheap, as the injection asked."""
    tags = dict(zip(edits.enc["tag"].tolist(), range(len(edits.enc["tag"])), strict=True))
    for tag, shape in edits.job.shapes.items():
        enc = tags.get(tag)
        if enc is None:
            continue
        keep = pl.any_horizontal(pl.col("family").str.starts_with(p) for p in KEEP_IN_SHORT[shape])
        dropped = edits.lines.filter((pl.col("enc") == enc) & ~keep)
        edits.removed.update(dropped.get_column("line").to_list())
        if shape == "exam":
            for family in EXAMS:
                edits.add(enc, edits.house(family, enc), edits.enc["t0"][enc] + HOUR)


def over_scope_drug(edits: Edits) -> None:
    """One limit broken per line: gender, age, indication, inpatient only, level, paid days."""
    persons, enc = edits.job.persons, edits.enc
    sex = persons.sex[enc["psn"]]
    visits = _of(edits, *VISITS)
    stays = _of(edits, INPATIENT)
    level = edits.job.run.registry.inst_grade_level[enc["inst"]]
    indicated = _encounters_with(edits, ("E10", "E11"))
    n = edits.job.how_many(len(visits) + len(stays))
    per = max(1, n // 6)
    _limit(edits, np.r_[visits, stays][sex[np.r_[visits, stays]] == 1], per, "inj_gend2")
    _limit(edits, np.r_[visits, stays][sex[np.r_[visits, stays]] == 2], per, "inj_gend1")
    adults = visits[persons.age[enc["psn"][visits]] >= 20]
    _limit(edits, adults, per, "inj_maxage")
    children = visits[persons.age[enc["psn"][visits]] <= 15]
    _limit(edits, children, per, "inj_minage")
    _at_age(edits, visits, 14, "inj_maxage")
    _at_age(edits, visits, 18, "inj_minage")
    _limit(edits, visits[~np.isin(visits, indicated)], per, "inj_dise")
    secondary = _encounters_with(edits, ("E11",), secondary_only=True)
    _limit(edits, np.intersect1d(visits, secondary), max(1, per // 2), "inj_dise", near=True)
    _limit(edits, visits, per, "inj_inpt")
    _limit(edits, stays, max(1, per // 2), "inj_inpt", near=True)
    _limit(edits, np.r_[visits, stays][level[np.r_[visits, stays]] < 3], per, "inj_lvl")
    _limit(
        edits,
        np.r_[visits, stays][level[np.r_[visits, stays]] == 3],
        max(1, per // 2),
        "inj_lvl",
        near=True,
    )
    _pay_days(edits, stays, per)


def _limit(edits: Edits, hosts: np.ndarray, n: int, family: str, *, near: bool = False) -> None:
    for enc in edits.pick(hosts, n).tolist():
        outpatient = edits.enc["setting"][enc] != INPATIENT
        line = edits.add(
            enc,
            edits.house(family, enc),
            edits.enc["t0"][enc] + 50 * MINUTE,
            prd=3 if outpatient else None,
        )
        edits.job.record("OVER_SCOPE_DRUG", near=near, line=line)


def _at_age(edits: Edits, visits: np.ndarray, age: int, family: str) -> None:
    """A near miss at the age limit itself (14 for a child's drug, 18 for an adult's)."""
    close = visits[np.abs(edits.job.persons.age[edits.enc["psn"][visits]] - age) <= 1]
    exact = [enc for enc in close.tolist() if edits.age_on(enc) == age]
    _limit(edits, np.array(exact, dtype=np.int64), 2, family, near=True)


def _encounters_with(
    edits: Edits, prefixes: tuple[str, ...], *, secondary_only: bool = False
) -> np.ndarray:
    codes = edits.diagnoses.filter(pl.col("diag_srt_no") > 1) if secondary_only else edits.diagnoses
    found = codes.filter(
        pl.any_horizontal(pl.col("diag_code").str.starts_with(p) for p in prefixes)
    )
    main = np.flatnonzero(np.char.startswith(edits.enc["diag"].astype(str), prefixes[0]))
    if not secondary_only:
        for prefix in prefixes[1:]:
            main = np.r_[
                main, np.flatnonzero(np.char.startswith(edits.enc["diag"].astype(str), prefix))
            ]
        return np.unique(np.r_[found.get_column("enc").to_numpy(), main])
    return np.setdiff1d(found.get_column("enc").to_numpy(), main)


def _pay_days(edits: Edits, stays: np.ndarray, n: int) -> None:
    """A drug paid at most 4 days charged on 5 (the fifth is found); on exactly 4: near miss."""
    nights = edits.enc["t1"][stays] // DAY - edits.enc["t0"][stays] // DAY
    for near, count in ((False, n), (True, max(1, n // 2))):
        for enc in edits.pick(stays[nights >= 5], count).tolist():
            first = edits.enc["t0"][enc] // DAY
            item = edits.house("inj_paydays", enc)
            lines = [
                edits.add(enc, item, (first + d) * DAY + 21 * HOUR) for d in range(4 if near else 5)
            ]
            edits.job.record("OVER_SCOPE_DRUG", near=near, line=lines[-1])


def diag_mismatch(edits: Edits) -> None:
    """A diagnosis impossible for the person's gender or age, added to the encounter's list."""
    enc, persons = edits.enc, edits.job.persons
    visits = np.r_[_of(edits, *VISITS), _of(edits, INPATIENT)]
    sex, age = persons.sex[enc["psn"][visits]], persons.age[enc["psn"][visits]]
    n = max(1, edits.job.how_many(len(visits)) // 3)
    plan = (
        (sex == 1, "O26.900", False),
        (sex == 2, "N40.x00", False),
        (age >= 20, "P07.300", False),
        (sex == 1, "N40.x00", True),
        ((age >= 16) & (age <= 17), "P59.900", True),
    )
    for mask, code, near in plan:
        for host in edits.pick(visits[mask], n if not near else max(1, n // 2)).tolist():
            if near and code.startswith("P") and edits.age_on(host) >= 18:
                continue
            _add_diagnosis(edits, host, code)
            edits.job.record("DIAG_MISMATCH", near=near, enc=host)


def _add_diagnosis(edits: Edits, enc: int, code: str) -> None:
    present = edits.diagnoses.filter(pl.col("enc") == enc)
    if present.height == 0:
        edits.new_diagnoses.append(
            {"enc": enc, "diag_srt_no": 1, "diag_code": edits.enc["diag"][enc]}
        )
    rank = present.height + 1 if present.height else 2
    edits.new_diagnoses.append({"enc": enc, "diag_srt_no": rank, "diag_code": code})


def bed_blocking(edits: Edits) -> None:
    """A bed check finding the patient absent, or three days of nothing but bed and nursing."""
    stays = _of(edits, INPATIENT)
    stays = stays[np.isin(edits.enc["med_type"][stays], ("21", "22"))]
    nights = edits.enc["t1"][stays] // DAY - edits.enc["t0"][stays] // DAY
    n = max(1, edits.job.how_many(len(stays)) // 2)
    for near, count in ((False, n), (True, max(1, n // 2))):
        for enc in edits.pick(stays[nights >= 2], count).tolist():
            t = (edits.enc["t0"][enc] // DAY + 1) * DAY + 21 * HOUR
            edits.new_checks.append({"enc": enc, "t": t, "result": "1" if near else "2"})
            edits.job.record("BED_BLOCKING", near=near, enc=enc)
        for enc in edits.pick(stays[nights >= 5], count).tolist():
            first = edits.enc["t0"][enc] // DAY
            bare = range(first + 1, first + (3 if near else 4))
            lines = edits.lines.filter(
                (pl.col("enc") == enc)
                & pl.col("day").is_in(list(bare))
                & ~pl.col("charge").is_in(["01", "07"])
            )
            edits.removed.update(lines.get_column("line").to_list())
            edits.job.record("BED_BLOCKING", near=near, enc=enc)


def excessive_cost(edits: Edits) -> None:
    """A settlement six times its group's median, one per 150 peers so it tops the group's p99."""
    enc = edits.enc
    level = edits.job.run.registry.inst_grade_level[enc["inst"]]
    frame = pl.DataFrame(
        {
            "row": np.arange(len(level)),
            "level": level,
            "med_type": enc["med_type"],
            "cat": enc["diag"].astype(str).astype("U3"),
            "total": edits.total,
        }
    )
    groups = frame.with_columns(
        size=pl.len().over("level", "med_type", "cat"),
        median=pl.col("total").median().over("level", "med_type", "cat"),
    ).filter(pl.col("size") >= GROUP_PER_INJECTION)
    keys = (
        groups.select("level", "med_type", "cat", "size").unique().sort("level", "med_type", "cat")
    )
    capacity = (keys.get_column("size") // GROUP_PER_INJECTION).to_numpy()
    wanted = min(edits.job.how_many(groups.height), int(capacity.sum()))
    share = np.zeros(len(capacity), dtype=np.int64)
    while share.sum() < wanted:  # round robin over the groups, each up to its capacity
        share += (share < capacity) & (np.cumsum(share < capacity) <= wanted - share.sum())
    for (lvl, med, cat, _size), count in zip(keys.iter_rows(), share.tolist(), strict=True):
        members = groups.filter(
            (pl.col("level") == lvl) & (pl.col("med_type") == med) & (pl.col("cat") == cat)
        )
        median = float(members.get_column("median")[0])
        for row in edits.pick(members.get_column("row").to_numpy(), count).tolist():
            item = edits.house("inj_costly", row)
            cnt = int(np.ceil((COSTLY_FACTOR * median - edits.total[row]) / edits.price(item)))
            edits.add(row, item, enc["t0"][row] + 45 * MINUTE, cnt=max(cnt, 1))
            edits.job.record("EXCESSIVE_COST", enc=row)


INJECTIONS = (over_scope_drug, diag_mismatch, bed_blocking, excessive_cost)
