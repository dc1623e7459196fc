"""Fee-line injections: duplicates, repeated exams, bundles, prices, supply days, dates."""

from __future__ import annotations

import numpy as np
import polars as pl

from medins.generator.casemix import ACUTE, CHRONIC, EMERGENCY, INPATIENT, PHARMACY
from medins.generator.catalog_data import INJECTION_WINDOWS
from medins.generator.encounters import DAY, HOUR
from medins.generator.inject.edits import Edits

VISITS = (ACUTE, EMERGENCY, CHRONIC)
MINUTE = 60


def _of(edits: Edits, *settings: str) -> np.ndarray:
    return np.flatnonzero(np.isin(edits.enc["setting"], settings))


def _one_pair_each(edits: Edits, pairs: pl.DataFrame) -> pl.DataFrame:
    """One random pair of encounters per person, so no person gets two injections of a kind."""
    order = edits.job.rng.permutation(pairs.height)
    return pairs[order].unique("psn", keep="first", maintain_order=True).sort("row")


def _first_line(edits: Edits, encs: np.ndarray, family_prefix: str) -> dict[int, tuple[int, int]]:
    """enc -> (line, t) of its earliest line of a family starting with the prefix."""
    rows = (
        edits.lines.filter(
            pl.col("enc").is_in(encs.tolist()) & pl.col("family").str.starts_with(family_prefix)
        )
        .sort("enc", "t", "line")
        .unique("enc", keep="first", maintain_order=True)
    )
    return {e: (ln, t) for e, ln, t in rows.select("enc", "line", "t").iter_rows()}


def dup_charge(edits: Edits) -> None:
    """The consultation charged twice at one moment, or twice a day; a bed charged for two."""
    visits = _of(edits, *VISITS)
    chosen = edits.pick(visits, edits.job.how_many(len(visits)))
    consult = _first_line(edits, chosen, "consult")
    for k, enc in enumerate(chosen.tolist()):
        if enc not in consult:
            continue
        line, t = consult[enc]
        later = t + HOUR if (t + HOUR) // DAY == t // DAY else t
        edits.job.record(
            "DUP_CHARGE", line=edits.add(enc, edits.lines_item(line), t if k % 2 else later)
        )
    stays = _of(edits, INPATIENT)
    chosen = edits.pick(stays, max(1, len(chosen) // 3))
    for line, _t in _first_line(edits, chosen, "bed_").values():
        edits.change(line, cnt=2)
        edits.job.record("DUP_CHARGE", line=line)
    near = edits.pick(visits, max(1, len(chosen)))  # three injections, the most a day allows
    for enc in near.tolist():
        line = edits.add(
            enc, edits.house("svc_injection", enc), edits.enc["t0"][enc] + 15 * MINUTE, cnt=3
        )
        edits.job.record("DUP_CHARGE", near=True, line=line)


def dup_exam(edits: Edits) -> None:
    """A windowed test repeated inside its window; a repeat exactly at the window is a near miss."""
    visits = edits.encounters.with_row_index("row").filter(pl.col("setting").is_in(VISITS))
    pairs = (
        visits.select("row", "psn", day=pl.col("t0") // DAY)
        .sort("psn", "day")
        .with_columns(prev=pl.col("row").shift(1).over("psn"), gap=pl.col("day").diff().over("psn"))
        .filter(pl.col("gap").is_between(1, max(INJECTION_WINDOWS) - 1))
    )
    pairs = _one_pair_each(edits, pairs)
    persons = pairs.get_column("psn").unique().sort().to_numpy()
    n = edits.job.how_many(len(persons))
    exact = pairs.filter(pl.col("gap").is_in(list(INJECTION_WINDOWS)))
    for frame, near, count in ((pairs, False, n), (exact, True, max(1, n // 2))):
        chosen = edits.pick(
            frame.get_column("row").to_numpy().astype(np.int64), count, whole_person=True
        )
        picked = frame.filter(pl.col("row").is_in(chosen.tolist()))
        for row, prev, gap in picked.select("row", "prev", "gap").iter_rows():
            edits.used[prev] = True
            window = gap if near else min(w for w in INJECTION_WINDOWS if w > gap)
            item = edits.job.run.catalog.first("inj_window") + INJECTION_WINDOWS.index(window)
            edits.add(prev, item, edits.enc["t0"][prev] + 35 * MINUTE)
            line = edits.add(row, item, edits.enc["t0"][row] + 35 * MINUTE)
            edits.job.record("DUP_EXAM", near=near, line=line)


def exclusive_items(edits: Edits) -> None:
    """A bundle and one of its parts in one encounter; the part alone elsewhere is a near miss."""
    visits = _of(edits, *VISITS)
    chosen = edits.pick(visits, edits.job.how_many(len(visits)))
    for k, enc in enumerate(chosen.tolist()):
        t = edits.enc["t0"][enc] + 40 * MINUTE
        edits.add(enc, edits.house("inj_bundle", enc), t)
        part = edits.house("inj_part_a" if k % 2 else "inj_part_b", enc)
        edits.job.record("EXCLUSIVE_ITEMS", line=edits.add(enc, part, t))
    for enc in edits.pick(visits, max(1, len(chosen) // 2)).tolist():
        line = edits.add(enc, edits.house("inj_part_a", enc), edits.enc["t0"][enc] + 40 * MINUTE)
        edits.job.record("EXCLUSIVE_ITEMS", near=True, line=line)


def over_price(edits: Edits) -> None:
    """A capped item priced above its cap; another exactly at it."""
    capped = edits.lines.filter(pl.col("cap").is_not_null() & (pl.col("kind") < 2))
    hosts = capped.get_column("enc").unique().to_numpy()
    n = edits.job.how_many(len(hosts))
    first = capped.sort("enc", "line").unique("enc", keep="first", maintain_order=True)
    by_enc = {e: (ln, cap) for e, ln, cap in first.select("enc", "line", "cap").iter_rows()}
    for near, count in ((False, n), (True, max(1, n // 2))):
        for enc in edits.pick(hosts, count).tolist():
            line, cap = by_enc[enc]
            over = 0 if near else max(1, int(cap * edits.job.rng.uniform(0.05, 0.3)))
            edits.change(line, pric=cap + over)
            edits.job.record("OVER_PRICE", near=near, line=line)


def excess_quantity(edits: Edits) -> None:
    """Too many days on one prescription, or more than 120 days of one drug in 90 days."""
    drugs = edits.lines.filter(
        pl.col("prd").is_not_null() & (pl.len().over("psn", "item") == 1) & (pl.col("kind") < 2)
    )
    limit = pl.coalesce("max_supply", pl.when(pl.col("med_type") == "14").then(30).otherwise(7))
    drugs = drugs.with_columns(limit=limit).unique("enc", keep="first", maintain_order=True)
    by_enc = {e: (ln, lim) for e, ln, lim in drugs.select("enc", "line", "limit").iter_rows()}
    hosts = np.array(sorted(by_enc), dtype=np.int64)
    n = edits.job.how_many(len(hosts))
    for near, count in ((False, n), (True, max(1, n // 2))):
        for enc in edits.pick(hosts, count).tolist():
            line, limit_days = by_enc[enc]
            edits.change(line, prd=limit_days + (0 if near else int(edits.job.rng.integers(1, 11))))
            edits.job.record("EXCESS_QUANTITY", near=near, line=line)
    _long_prescriptions(edits, max(1, n // 2))


def _long_prescriptions(edits: Edits, n: int) -> None:
    """Two long prescriptions a month apart: 60 + 61 days is over 120, 60 + 60 is not."""
    chronic = edits.encounters.with_row_index("row").filter(pl.col("setting") == CHRONIC)
    pairs = (
        chronic.select("row", "psn", day=pl.col("t0") // DAY)
        .sort("psn", "day")
        .with_columns(prev=pl.col("row").shift(1).over("psn"), gap=pl.col("day").diff().over("psn"))
        .filter(pl.col("gap").is_between(1, 89))
    )
    pairs = _one_pair_each(edits, pairs)
    for near, count in ((False, n), (True, max(1, n // 2))):
        chosen = edits.pick(
            pairs.get_column("row").to_numpy().astype(np.int64), count, whole_person=True
        )
        for row, prev in (
            pairs.filter(pl.col("row").is_in(chosen.tolist())).select("row", "prev").iter_rows()
        ):
            edits.used[prev] = True
            item = edits.house("inj_longrx", row)
            edits.add(prev, item, edits.enc["t0"][prev] + 30 * MINUTE, cnt=60, prd=60)
            second = 60 if near else 61
            line = edits.add(row, item, edits.enc["t0"][row] + 30 * MINUTE, cnt=second, prd=second)
            edits.job.record("EXCESS_QUANTITY", near=near, line=line)


def fee_outside_stay(edits: Edits) -> None:
    """An infusion charged the day before admission or after discharge; 00:30 on the day is not."""
    stays = _of(edits, INPATIENT)
    long = stays[(edits.enc["t1"][stays] // DAY - edits.enc["t0"][stays] // DAY) >= 2]
    n = edits.job.how_many(len(long))
    for near, count in ((False, n), (True, max(1, n // 2))):
        chosen = edits.pick(long, count)
        for k, (enc, (line, _t)) in enumerate(_first_line(edits, chosen, "svc_infusion").items()):
            admitted, discharged = edits.enc["t0"][enc] // DAY, edits.enc["t1"][enc] // DAY
            if near:
                moved = admitted * DAY + 30 * MINUTE
            else:
                moved = (
                    (admitted - 1) * DAY + 20 * HOUR if k % 2 else (discharged + 1) * DAY + 9 * HOUR
                )
            edits.change(line, t=moved)
            edits.job.record("FEE_OUTSIDE_STAY", near=near, line=line)


INJECTIONS = (dup_charge, dup_exam, exclusive_items, over_price, excess_quantity, fee_outside_stay)
__all__ = ["INJECTIONS", "PHARMACY"]
