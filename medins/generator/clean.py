"""Secondary diagnoses, and the pruning that keeps clean fee lines clear of every fee-line rule.

Each filter computes a rule's condition over the drawn lines (as docs/rules-interpretation.md
defines it) and drops the lines that would be found; dropping can only move the rest further
from a limit.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from medins.generator.casemix import COMORBIDITIES, INPATIENT, PHARMACY
from medins.generator.catalog import Catalog
from medins.generator.encounters import DAY
from medins.generator.persons import Persons
from medins.generator.registry import Registry

SUPPLY_WINDOW_DAYS, SUPPLY_LIMIT = 90, 120


def secondary_diagnoses(
    rng: np.random.Generator, persons: Persons, encounters: pl.DataFrame
) -> pl.DataFrame:
    """(enc, diag_srt_no, diag_code) for encounters with secondary diagnoses, main first."""
    owned = pl.DataFrame(
        {
            "psn": np.repeat(np.arange(len(persons.comorbid)), [len(c) for c in persons.comorbid]),
            "code": [code for codes in persons.comorbid for code in codes],
        },
        schema={"psn": pl.Int32, "code": pl.String},
    )
    visits = encounters.filter(pl.col("setting") != PHARMACY).select(
        "enc", "psn", "diag", "setting"
    )
    chronic = visits.join(owned, on="psn", maintain_order="left").filter(
        pl.col("code").str.slice(0, 3) != pl.col("diag").str.slice(0, 3)
    )
    stays = visits.filter(pl.col("setting") == INPATIENT)
    comorbid_codes = np.array(COMORBIDITIES)[rng.integers(0, len(COMORBIDITIES), stays.height)]
    extra = stays.with_columns(code=pl.Series(comorbid_codes)).filter(
        pl.Series(rng.random(stays.height) < 0.5)
    )
    secondary = pl.concat([chronic.select("enc", "code"), extra.select("enc", "code")]).sort(
        "enc", maintain_order=True
    )
    main = visits.join(secondary.select("enc").unique(), on="enc").select("enc", code="diag")
    return (
        pl.concat([main.with_columns(first=pl.lit(0)), secondary.with_columns(first=pl.lit(1))])
        .sort("enc", "first", "code")
        .with_columns(diag_srt_no=pl.int_range(1, pl.len() + 1).over("enc").cast(pl.Int16))
        .select("enc", "diag_srt_no", diag_code="code")
    )


def prune_lines(
    lines: pl.DataFrame,
    encounters: pl.DataFrame,
    diagnoses: pl.DataFrame,
    persons: Persons,
    registry: Registry,
    catalog: Catalog,
    start: date,
) -> pl.DataFrame:
    """Drop every drawn line that a fee-line rule would find; keep the order of the rest."""
    lines = _with_facts(lines, encounters, persons, registry, catalog, start)
    lines = lines.filter(~_breaks_a_limit())
    lines = lines.filter(_indicated(lines, encounters, diagnoses))
    lines = _within_pay_days(lines)
    lines = _without_bundled_parts(lines, catalog)
    lines = _windowed_exams_spaced(lines)
    lines = _supply_within_limit(lines)
    lines = _within_daily_units(lines)
    return lines.sort("line").select("enc", "line", "item", "t", "cnt", "pric", "prd", "kind")


def _with_facts(lines, encounters, persons, registry, catalog, start) -> pl.DataFrame:
    items = catalog.items.select(
        pl.int_range(pl.len(), dtype=pl.Int32).alias("item"),
        "lmt_gend",
        "lmt_min_age",
        "lmt_max_age",
        "lmt_dise_prefixes",
        "lmt_inpatient_only",
        "lmt_min_hosp_lv",
        "max_pay_days",
        "max_daily_cnt",
        "repeat_window_days",
        "includes_codes",
        "med_chrgitm_type",
    )
    birth = persons.birth.astype("datetime64[D]")
    people = pl.DataFrame(
        {
            "psn": np.arange(len(birth), dtype=np.int32),
            "sex": persons.sex.astype(str),
            "birth": birth,
        }
    )
    level = pl.Series(registry.inst_grade_level.astype(np.int8))
    enc = encounters.select("enc", "psn", "inst", "med_type")
    enc = enc.with_columns(hosp_level=level.gather(enc.get_column("inst")))
    fee_day = pl.lit(start) + pl.duration(days=pl.col("t") // DAY)
    return (
        lines.join(enc, on="enc", how="left", maintain_order="left")
        .join(people, on="psn", how="left", maintain_order="left")
        .join(items, on="item", how="left", maintain_order="left")
        .with_columns(fee_day=fee_day, day=pl.col("t") // DAY)
        .with_columns(age=_age(pl.col("birth"), pl.col("fee_day")))
    )


def _age(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    before_birthday = (on.dt.month().cast(pl.Int32) * 100 + on.dt.day()) < (
        birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day()
    )
    return on.dt.year() - birth.dt.year() - before_birthday.cast(pl.Int32)


def _breaks_a_limit() -> pl.Expr:
    inpatient = pl.col("med_type").str.starts_with("2")
    return (
        (pl.col("lmt_gend").is_not_null() & (pl.col("lmt_gend") != pl.col("sex")))
        | (pl.col("age") < pl.col("lmt_min_age")).fill_null(False)
        | (pl.col("age") > pl.col("lmt_max_age")).fill_null(False)
        | (pl.col("lmt_inpatient_only").fill_null(False) & ~inpatient)
        | (pl.col("hosp_level") < pl.col("lmt_min_hosp_lv")).fill_null(False)
    )


def _indicated(lines: pl.DataFrame, encounters: pl.DataFrame, diagnoses: pl.DataFrame) -> pl.Series:
    """True where the item has no indication limit or a diagnosis of the encounter matches."""
    limited = (
        lines.filter(pl.col("lmt_dise_prefixes").is_not_null())
        .select("line", "enc", prefix=pl.col("lmt_dise_prefixes").str.split("|"))
        .explode("prefix")
    )
    codes = pl.concat(
        [
            encounters.select("enc", code="diag"),
            diagnoses.select("enc", code="diag_code"),
        ]
    ).with_columns(pl.col("code").str.replace(".", "", literal=True).str.to_uppercase())
    matched = (
        limited.join(codes, on="enc")
        .filter(pl.col("code").str.starts_with(pl.col("prefix")))
        .get_column("line")
    )
    return lines.get_column("lmt_dise_prefixes").is_null() | lines.get_column("line").is_in(
        matched.implode()
    )


def _within_pay_days(lines: pl.DataFrame) -> pl.DataFrame:
    rank = pl.col("day").rank("dense").over("enc", "item")
    return lines.filter(pl.col("max_pay_days").is_null() | (rank <= pl.col("max_pay_days")))


def _without_bundled_parts(lines: pl.DataFrame, catalog: Catalog) -> pl.DataFrame:
    codes = catalog.items.select(
        pl.int_range(pl.len(), dtype=pl.Int32).alias("part"), "med_list_codg"
    )
    parts = (
        catalog.items.select(
            pl.int_range(pl.len(), dtype=pl.Int32).alias("bundle"), "includes_codes"
        )
        .filter(pl.col("includes_codes").is_not_null())
        .with_columns(pl.col("includes_codes").str.split("|"))
        .explode("includes_codes")
        .join(codes, left_on="includes_codes", right_on="med_list_codg")
        .select("bundle", "part")
    )
    bundled = lines.select("enc", bundle="item").join(parts, on="bundle").select("enc", item="part")
    return lines.join(bundled.unique(), on=["enc", "item"], how="anti", maintain_order="left")


def _windowed_exams_spaced(lines: pl.DataFrame) -> pl.DataFrame:
    gap = pl.col("day") - pl.col("day").shift(1).over("psn", "item", order_by="t")
    close = pl.col("repeat_window_days").is_not_null() & (
        gap < pl.col("repeat_window_days")
    ).fill_null(False)
    return lines.filter(~close)


def _supply_within_limit(lines: pl.DataFrame) -> pl.DataFrame:
    drugs = lines.filter(pl.col("prd").is_not_null()).sort("psn", "item", "fee_day")
    heavy = drugs.with_columns(
        supply=pl.col("prd")
        .rolling_sum_by("fee_day", window_size=f"{SUPPLY_WINDOW_DAYS}d")
        .over("psn", "item")
    ).filter(pl.col("supply") > SUPPLY_LIMIT)
    return lines.join(heavy.select("line"), on="line", how="anti", maintain_order="left")


def _within_daily_units(lines: pl.DataFrame) -> pl.DataFrame:
    same = ("psn", "inst", "item")
    lines = lines.unique([*same, "t"], keep="first", maintain_order=True)
    units = pl.col("cnt").cum_sum().over(*same, "day", order_by="line")
    return lines.filter(pl.col("max_daily_cnt").is_null() | (units <= pl.col("max_daily_cnt")))
