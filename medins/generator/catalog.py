"""Build the 医保目录 with its limits (knowledge base) from the families in catalog_data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from medins.generator.catalog_data import FAMILIES, FORMS, INJECTION_WINDOWS, MAKERS, Family

LIST_TYPES = {"X": "101", "Z": "101", "T": "102", "S": "201", "C": "301"}
LIMIT_COLUMNS = {
    "lmt_gend": pl.String,
    "lmt_min_age": pl.Int16,
    "lmt_max_age": pl.Int16,
    "lmt_dise_prefixes": pl.String,
    "lmt_inpatient_only": pl.Boolean,
    "lmt_min_hosp_lv": pl.Int8,
    "max_pay_days": pl.Int32,
    "max_daily_cnt": pl.Int32,
    "max_supply_days": pl.Int32,
    "repeat_window_days": pl.Int32,
}


@dataclass(frozen=True)
class Catalog:
    """The catalog as a frame (row i is item i) and the item range of every family."""

    items: pl.DataFrame
    families: dict[str, tuple[int, int]]  # key -> (first item, number of items)

    def first(self, key: str) -> int:
        return self.families[key][0]

    def size(self, key: str) -> int:
        return self.families[key][1]

    def column(self, name: str) -> np.ndarray:
        return self.items.get_column(name).to_numpy()


def build_catalog(seed: int) -> Catalog:
    """Every family's items in a fixed order; prices, caps and names drawn from the seed."""
    rng = np.random.default_rng([seed, 0xCA7A])
    rows: list[dict] = []
    families: dict[str, tuple[int, int]] = {}
    for ordinal, family in enumerate(FAMILIES):
        families[family.key] = (len(rows), family.count)
        rows.extend(_family_rows(family, ordinal, rng))
    codes = [row["med_list_codg"] for row in rows]
    for family in FAMILIES:
        if family.includes:
            included = "|".join(
                code
                for key in family.includes
                for code in codes[families[key][0] : sum(families[key])]
            )
            for row in rows[families[family.key][0] : sum(families[family.key])]:
                row["includes_codes"] = included
    start = families["inj_window"][0]
    for offset, days in enumerate(INJECTION_WINDOWS):
        rows[start + offset]["repeat_window_days"] = days
    return Catalog(items=_frame(rows), families=families)


def _family_rows(family: Family, ordinal: int, rng: np.random.Generator) -> list[dict]:
    prices = rng.integers(family.price[0], family.price[1] + 1, family.count)
    levels = rng.choice(3, family.count, p=family.levels)
    capped = rng.random(family.count) < family.capped
    cap_factor = 1.0 if family.kind == "S" else 1.0 + rng.random(family.count) * 0.3
    caps = np.where(capped, np.ceil(prices * cap_factor), -1).astype(np.int64)
    rows = []
    for index in range(family.count):
        row = {
            "med_list_codg": _code(family, ordinal, index),
            "name": _name(family, index),
            "list_type": LIST_TYPES[family.kind],
            "med_chrgitm_type": "10" if family.kind == "T" else family.charge_type,
            "chrgitm_lv": f"0{levels[index] + 1}",
            "pric_uplmt_amt": int(caps[index]) if caps[index] >= 0 else None,
            "includes_codes": None,
            "price": int(prices[index]),
            "box_days": family.box_days,
            "family": family.key,
        }
        row.update({name: family.limits.get(name) for name in LIMIT_COLUMNS})
        rows.append(row)
    return rows


def _code(family: Family, ordinal: int, index: int) -> str:
    serial = ordinal * 1000 + index
    if family.kind == "X":  # X + ATC class + dosage form + maker + serial: 23 characters
        return f"X{family.prefix}A{index % 7 + 1:03d}A{serial:012d}"
    if family.kind == "Z":  # 20 characters
        return f"Z{family.prefix}L{serial:013d}"
    if family.kind == "T":
        return f"T{170000000 + index * 37:09d}"
    if family.kind == "S":  # 00 + 9-digit item + 4-digit extension: 15 digits
        return f"00{family.prefix}{index:04d}"
    return f"C{family.prefix}{serial:022d}"  # 27 characters


def _name(family: Family, index: int) -> str:
    stem = family.stems[index % len(family.stems)]
    if family.kind == "S":
        return stem if index < len(family.stems) else f"{stem}({index // len(family.stems) + 1})"
    if family.kind == "T":
        grade = ("", "(片)", "(段)", "(炒)", "(制)", "(生)", "(蜜炙)", "(酒制)", "(净制)", "(饮片)")
        return f"{stem}{grade[index // len(family.stems) % len(grade)]}"
    maker = MAKERS[(index // len(family.stems)) % len(MAKERS)]
    form = FORMS.get(family.kind, ("",))[index % len(FORMS.get(family.kind, ("",)))]
    return f"{stem}{form}[{maker}]"


def _frame(rows: list[dict]) -> pl.DataFrame:
    schema = {
        "med_list_codg": pl.String,
        "name": pl.String,
        "list_type": pl.String,
        "med_chrgitm_type": pl.String,
        "chrgitm_lv": pl.String,
        "pric_uplmt_amt": pl.Int64,
        **LIMIT_COLUMNS,
        "includes_codes": pl.String,
        "price": pl.Int64,
        "box_days": pl.Int32,
        "family": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)
