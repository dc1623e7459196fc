"""A seeded synthetic province for the anomaly models: clean peers and chosen outliers.

Each institution has a few departments; each department-month has about `encounters`
settlements with a handful of fee lines each. Every number is drawn around its peer norm,
so clean units sit near their peers; `inject` makes chosen units outliers in one way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import polars as pl

from medins.models import HOSPITAL_LEVEL_BY_CODE
from screening.frames import SCHEMAS

DEPARTMENTS = ("A03", "A04", "A05", "A07")
MONTH_STARTS = (datetime(2025, 2, 1), datetime(2025, 3, 1), datetime(2025, 4, 1))
ITEM_KINDS = {  # med_chrgitm_type: (unit price in fen, share of lines)
    "03": (8_000, 0.15),
    "04": (3_000, 0.20),
    "05": (5_000, 0.15),
    "09": (2_500, 0.40),
    "01": (6_000, 0.10),
}
KINDS_OF = {  # how each injected outlier differs from its peers
    "cost": "every price × 3",
    "items": "twice the fee lines",
    "class_c": "most lines 丙类",
    "distance": "most patients from another county",
}


@dataclass
class Province:
    institutions: int = 60
    encounters: int = 40
    months: tuple[datetime, ...] = MONTH_STARTS
    departments: tuple[str, ...] = DEPARTMENTS
    seed: int = 7
    # (institution number, department, kind) of each injected outlier, all months
    inject: list[tuple[int, str, str]] = field(default_factory=list)

    def frames(self) -> dict[str, pl.LazyFrame]:
        return build(self)


def code(number: int) -> str:
    return f"H{number:04d}"


def _conform(name: str, frame: pl.DataFrame) -> pl.LazyFrame:
    schema = SCHEMAS[name]
    return frame.lazy().select(
        (pl.col(column) if column in frame.columns else pl.lit(None)).cast(dtype).alias(column)
        for column, dtype in schema.items()
    )


def _institutions(province: Province) -> pl.DataFrame:
    grades = ["02", "05", "08"]
    numbers = range(province.institutions)
    hosp_lv = [grades[number % 3] for number in numbers]
    return pl.DataFrame(
        {
            "fixmedins_code": [code(number) for number in numbers],
            "fixmedins_type": "1",
            "hosp_lv": hosp_lv,
            "hosp_level": [HOSPITAL_LEVEL_BY_CODE[grade] for grade in hosp_lv],
            "admdvs": "370102",
            "open_bed_cnt": 200,
        }
    )


def _encounters(province: Province, rng: np.random.Generator) -> pl.DataFrame:
    units = [
        (number, dept, month)
        for number in range(province.institutions)
        for dept in province.departments
        for month in province.months
    ]
    sizes = rng.poisson(province.encounters, len(units))
    unit = np.repeat(np.arange(len(units)), sizes)
    total = int(sizes.sum())
    inpatient = rng.random(total) < 0.2
    begin_day = rng.integers(0, 25, total)
    stay = np.where(inpatient, rng.integers(3, 9, total), 0)
    return pl.DataFrame(
        {
            "number": [units[index][0] for index in unit],
            "adm_dept_codg": [units[index][1] for index in unit],
            "month": [units[index][2] for index in unit],
            "inpatient": inpatient,
            "begin_day": begin_day,
            "stay": stay,
            "hour": rng.integers(8, 17, total),
            "other_city": rng.random(total) < 0.1,
        }
    ).with_row_index("index")


def _lines(encounters: pl.DataFrame, rng: np.random.Generator, items: np.ndarray) -> pl.DataFrame:
    owner = np.repeat(np.arange(encounters.height), items)
    kinds = list(ITEM_KINDS)
    shares = np.array([share for _, share in ITEM_KINDS.values()])
    kind = rng.choice(len(kinds), owner.size, p=shares / shares.sum())
    base_price = np.array([price for price, _ in ITEM_KINDS.values()])[kind]
    price = np.round(base_price * rng.lognormal(0, 0.15, owner.size)).astype(np.int64)
    level = rng.choice(["01", "02", "03"], owner.size, p=[0.6, 0.35, 0.05])
    return pl.DataFrame(
        {
            "index": owner.astype(np.uint32),
            "med_chrgitm_type": [kinds[k] for k in kind],
            "pric": price,
            "chrgitm_lv": level,
            "cnt": 1.0,
        }
    )


def _injected(province: Province, encounters: pl.DataFrame) -> pl.Series:
    marks = pl.DataFrame(
        province.inject or None,
        schema={"number": pl.Int64, "adm_dept_codg": pl.String, "kind": pl.String},
        orient="row",
    )
    joined = encounters.join(marks, on=["number", "adm_dept_codg"], how="left")
    return joined.sort("index")["kind"]


def build(province: Province) -> dict[str, pl.LazyFrame]:
    rng = np.random.default_rng(province.seed)
    institutions = _institutions(province)
    encounters = _encounters(province, rng)
    encounters = encounters.with_columns(kind=_injected(province, encounters))
    kind = encounters["kind"].to_numpy()
    items = np.where(
        encounters["inpatient"].to_numpy(),
        rng.poisson(12, encounters.height),
        rng.poisson(4, encounters.height) + 1,
    )
    items = np.where(kind == "items", items * 2, items)
    lines = _lines(encounters, rng, items)
    owner = lines["index"].to_numpy()
    level_factor = np.array([1.0, 1.2, 1.5])[
        np.array([[3, 2, 1].index(level) for level in institutions["hosp_level"]])
    ][encounters["number"].to_numpy()]
    price = lines["pric"].to_numpy() * level_factor[owner] * np.where(kind[owner] == "cost", 3, 1)
    class_c = (kind[owner] == "class_c") & (rng.random(owner.size) < 0.6)
    lines = lines.with_columns(
        pric=pl.Series(np.round(price).astype(np.int64)),
        chrgitm_lv=pl.when(pl.Series(class_c)).then(pl.lit("03")).otherwise("chrgitm_lv"),
    )
    other = encounters["other_city"].to_numpy() | (
        (kind == "distance") & (rng.random(encounters.height) < 0.7)
    )
    return _frames(province, institutions, encounters.with_columns(other_city=other), lines)


def _frames(province, institutions, encounters, lines) -> dict[str, pl.LazyFrame]:
    begin = pl.col("month") + pl.duration(days=pl.col("begin_day"), hours=pl.col("hour"))
    end = begin + pl.duration(days=pl.col("stay"), hours=pl.when("inpatient").then(0).otherwise(2))
    doctor = pl.format("D{}{}", pl.col("number"), pl.col("adm_dept_codg"))
    encounters = encounters.with_columns(
        setl_id=pl.format("S{}", "index"),
        mdtrt_id=pl.format("M{}", "index"),
        psn_no=pl.format("P{}", "index"),
        fixmedins_code=pl.format("H{}", pl.col("number").cast(pl.String).str.zfill(4)),
        begntime=begin,
        endtime=end,
        setl_time=end,
        med_type=pl.when("inpatient").then(pl.lit("21")).otherwise(pl.lit("11")),
        atddr_no=doctor,
        dise_codg=pl.lit("J06.900"),
        refd_setl_flag=pl.lit(False),
    )
    lines = (
        lines.with_columns(det_item_fee_sumamt=pl.col("pric"))
        .join(
            encounters.select(
                "index",
                "setl_id",
                "mdtrt_id",
                "psn_no",
                "fixmedins_code",
                "begntime",
                pl.col("adm_dept_codg").alias("bilg_dept_codg"),
                pl.col("atddr_no").alias("bilg_dr_codg"),
            ),
            on="index",
        )
        .with_row_index("line")
        .with_columns(
            feedetl_sn=pl.format("F{}", "line"),
            fee_ocur_time=pl.col("begntime"),
            med_list_codg=pl.format("ITEM{}", "med_chrgitm_type"),
        )
    )
    totals = lines.group_by("setl_id").agg(medfee_sumamt=pl.col("det_item_fee_sumamt").sum())
    encounters = encounters.join(totals, on="setl_id", how="left").with_columns(
        pl.col("medfee_sumamt").fill_null(0)
    )
    persons = encounters.select(
        "psn_no",
        insuplc_admdvs=pl.when("other_city").then(pl.lit("370281")).otherwise(pl.lit("370102")),
        gend=pl.lit("1"),
    )
    doctors = encounters.select(
        pl.col("atddr_no").alias("dr_code"),
        "fixmedins_code",
        pl.col("adm_dept_codg").alias("dept_codg"),
        prac_type=pl.lit("1"),
    ).unique("dr_code", maintain_order=True)
    return {
        "institutions": _conform("institutions", institutions),
        "settlements": _conform("settlements", encounters),
        "fee_lines": _conform("fee_lines", lines),
        "persons": _conform("persons", persons),
        "practitioners": _conform("practitioners", doctors),
    }


def labels(province: Province) -> dict[str, int]:
    """fixmedins_code → 1 for an institution with an injected outlier, else 0."""
    injected = {number for number, _, _ in province.inject}
    return {code(number): int(number in injected) for number in range(province.institutions)}
