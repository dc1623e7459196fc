"""DIAG_MISMATCH 诊断与性别年龄不符: a diagnosis impossible for the person's gender or age."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from screening.rules import base

RULE = base.Rule(
    code="DIAG_MISMATCH",
    name_zh="诊断与性别年龄不符",
    name_en="Diagnosis inconsistent with gender or age",
    scope="settlement",
    reads=("settlements", "diagnoses", "persons"),
    sev_deg=1,
)

# ICD-10 category ranges (inclusive, compared as text: "O9A" sorts after "O99") and who may
# have them. The registry's Icd10Category rows carry the same knowledge as only_gender and
# max_age; docs/rules-interpretation.md is the agreement both follow.
KNOWLEDGE: tuple[tuple[str, str, str | None, int | None], ...] = (
    ("O00", "O9A", "2", None),  # pregnancy, childbirth and the puerperium
    ("N70", "N98", "2", None),  # female pelvic organs and genital tract
    ("C51", "C58", "2", None),  # malignant neoplasms of female genital organs
    ("D25", "D28", "2", None),  # benign neoplasms of female genital organs
    ("N40", "N51", "1", None),  # male genital organs
    ("C60", "C63", "1", None),  # malignant neoplasms of male genital organs
    ("P00", "P96", None, 17),  # perinatal conditions: not for a person aged 18 or more
)
_TIME_TEXT = "%Y-%m-%d %H:%M:%S"
_ENCOUNTER = ("setl_id", "mdtrt_id", "psn_no", "begntime")


def applies(frames: Mapping[str, pl.DataFrame]) -> bool:
    """A finding needs a diagnosis in a category of KNOWLEDGE (base.py: what applies
    promises)."""
    codes = (
        frames["settlements"]["dise_codg"].to_list() + frames["diagnoses"]["diag_code"].to_list()
    )
    categories = {code[:3].upper() for code in codes if code}
    return any(first <= c <= last for c in categories for first, last, *_ in KNOWLEDGE)


def find(
    *, settlements: pl.LazyFrame, diagnoses: pl.LazyFrame, persons: pl.LazyFrame
) -> pl.LazyFrame:
    """One finding per settlement with a diagnosis its person cannot have."""
    kept = settlements.filter(~pl.col("refd_setl_flag").fill_null(False))
    offending = (
        _all_diagnoses(kept, diagnoses)
        .with_columns(category=pl.col("diag_code").str.slice(0, 3).str.to_uppercase())
        .with_columns(_limit("first"), _limit("last"), _limit("only_gender"), _limit("max_age"))
        .filter(pl.col("first").is_not_null())
        .unique(["setl_id", "diag_code"])  # a main diagnosis often repeats as row 1
        .join(persons.select("psn_no", "gend", "brdy"), on="psn_no")
        .with_columns(age=_age_at("begntime"))
        .filter(_impossible())
        .group_by("setl_id")
        .agg(
            pl.col("gend").first(),
            pl.col("age").first(),
            offending=pl.struct(
                "diag_code",
                range=pl.concat_str("first", pl.lit("-"), "last"),
                reason=_reason(),
            ).sort_by("diag_code"),
        )
    )
    found = kept.join(offending, on="setl_id")
    return base.findings(
        found.with_columns(
            dr_code=pl.col("atddr_no"),
            subject_key=pl.col("setl_id"),
            event_time=pl.col("endtime"),
            sev_deg=pl.lit(RULE.sev_deg),
            amount_at_risk=pl.col("medfee_sumamt"),
            evidence=pl.struct(
                "gend",
                "age",
                "offending",
                admitted_at=pl.col("begntime").dt.strftime(_TIME_TEXT),
            ).struct.json_encode(),
        )
    )


def _all_diagnoses(settlements: pl.LazyFrame, diagnoses: pl.LazyFrame) -> pl.LazyFrame:
    """The main diagnosis and every diagnoses row of each settlement's encounter."""
    main = settlements.select(*_ENCOUNTER, diag_code=pl.col("dise_codg"))
    secondary = diagnoses.select("mdtrt_id", "diag_code").join(
        settlements.select(_ENCOUNTER), on="mdtrt_id"
    )
    return pl.concat([main, secondary.select(*_ENCOUNTER, "diag_code")]).filter(
        pl.col("diag_code").is_not_null()
    )


def _limit(field: str) -> pl.Expr:
    """The given field of the KNOWLEDGE range the category falls in (null when none)."""
    position = {"first": 0, "last": 1, "only_gender": 2, "max_age": 3}[field]
    category = pl.col("category")
    expr = None
    for row in KNOWLEDGE:
        matched = category.is_between(pl.lit(row[0]), pl.lit(row[1]))
        value = pl.lit(row[position])
        expr = pl.when(matched).then(value) if expr is None else expr.when(matched).then(value)
    return expr.otherwise(None).alias(field)


def _age_at(moment: str) -> pl.Expr:
    """Whole years at the moment, the birthday itself counting as reached."""
    when, born = pl.col(moment), pl.col("brdy")

    def month_day(day: pl.Expr) -> pl.Expr:  # dt.month() is Int8: widen before multiplying
        return day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)

    not_yet = month_day(when) < month_day(born)
    return when.dt.year().cast(pl.Int32) - born.dt.year().cast(pl.Int32) - not_yet.cast(pl.Int32)


def _impossible() -> pl.Expr:
    # Gender 9 (unstated) or a missing birth date cannot contradict anything.
    wrong_gender = pl.col("gend").is_in(["1", "2"]) & (pl.col("gend") != pl.col("only_gender"))
    too_old = pl.col("age") > pl.col("max_age")
    return wrong_gender.fill_null(False) | too_old.fill_null(False)


def _reason() -> pl.Expr:
    return (
        pl.when(pl.col("only_gender") == "2")
        .then(pl.lit("female_only"))
        .when(pl.col("only_gender") == "1")
        .then(pl.lit("male_only"))
        .otherwise(pl.format("age_at_most_{}", pl.col("max_age")))
    )
