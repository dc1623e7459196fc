"""Monthly features of institutions (per department) and practitioners, from the rule frames.

A "unit" is one row: institution × department × month, or practitioner × month. Each unit
carries its peer-group keys, its volume (`encounters`, `total_cost` in fen) and the features
in FEATURES. Reversal settlements and their lines are left out; refund lines net against the
amounts but never count as items. A feature whose data are absent is null, never zero.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import polars as pl

# Each feature with the smallest difference from the peer median that can mean anything
# (its unit); scoring never lets the peer spread fall below it, so that tiny differences
# among near-identical peers are not outliers. Visits (outpatient, pharmacy) and stays
# (inpatient) are kept apart: a department's mix of the two would otherwise move its costs.
FEATURES: dict[str, float] = {
    "cost_per_visit": 1.0,  # yuan
    "cost_per_stay": 10.0,  # yuan
    "items_per_visit": 0.5,  # fee lines
    "items_per_stay": 1.0,
    "drugs_per_visit": 0.5,  # drug lines
    "exam_share": 0.02,  # of line amounts: exams and labs (03, 04)
    "class_b_share": 0.02,  # 乙类
    "class_c_share": 0.02,  # 丙类 (self-paid)
    "readmission_rate": 0.02,  # inpatient admissions within 30 days of a discharge there
    "length_of_stay": 0.5,  # days, inpatient
    "growth": 0.05,  # total cost against the month before, as a ratio − 1
    "other_city_share": 0.02,  # patients insured in another city (异地就医: a distance proxy)
}
# The count behind each feature: below scoring's min_encounters it says nothing.
VOLUME = {
    "cost_per_visit": "visits",
    "cost_per_stay": "admissions",
    "items_per_visit": "visits_detailed",
    "items_per_stay": "admissions_detailed",
    "drugs_per_visit": "visits_detailed",
    "readmission_rate": "stays",
    "length_of_stay": "stays",
}
COST_FEATURES = {"cost_per_visit": "visits", "cost_per_stay": "admissions"}
# How scoring compares each feature (scoring._to_scale): amounts, counts, stays and growth on a
# log scale (they are skewed, and 3× the peers' cost means the same at every level); shares
# on an arcsine-root scale (a proportion's noise depends on the proportion).
LOG_SCALE = frozenset(
    {
        "cost_per_visit",
        "cost_per_stay",
        "items_per_visit",
        "items_per_stay",
        "drugs_per_visit",
        "length_of_stay",
        "growth",
    }
)
SHARES = frozenset(FEATURES) - LOG_SCALE
DRUG_TYPES = ("09", "10", "11")
EXAM_TYPES = ("03", "04")
READMISSION_DAYS = 30  # the usual readmission measure; SPLIT_ADMISSION's 15 is a rule limit
INPATIENT = pl.col("med_type").str.starts_with("2")


_computed: ContextVar[dict | None] = ContextVar("anomaly_features", default=None)


@contextmanager
def computed_once() -> Iterator[None]:
    """Within the block, the features of the same frames are computed once: a batch's model
    rules and its score exports share them (they were a quarter of a batch's time twice)."""
    token = _computed.set({})
    try:
        yield
    finally:
        _computed.reset(token)


def _computed_once_per_block(function: Callable[..., pl.LazyFrame]) -> Callable[..., pl.LazyFrame]:
    """Within computed_once, a call with the same frames returns the features collected the
    first time."""

    @functools.wraps(function)
    def features_of(**frames: pl.LazyFrame) -> pl.LazyFrame:
        computed = _computed.get()
        if computed is None:
            return function(**frames)
        key = (function.__name__, *(id(frames[name]) for name in sorted(frames)))
        if key not in computed:
            # The frames are kept with the result so that their ids cannot be reused meanwhile.
            computed[key] = (frames, function(**frames).collect())
        return computed[key][1].lazy()

    return features_of


def _month(column: str) -> pl.Expr:
    return pl.col(column).dt.truncate("1mo").dt.date().alias("month")


def _readmissions(settlements: pl.LazyFrame) -> pl.LazyFrame:
    """setl_id → whether the admission follows a discharge of the person there within 30 days."""
    stays = settlements.filter(INPATIENT & ~pl.col("refd_setl_flag").fill_null(False))
    previous_end = pl.col("endtime").shift().over("psn_no", "fixmedins_code", order_by="begntime")
    gap = (pl.col("begntime").dt.date() - previous_end.dt.date()).dt.total_days()
    return stays.select("setl_id", readmission=gap.is_between(0, READMISSION_DAYS).fill_null(False))


@_computed_once_per_block
def settlement_base(
    *, settlements: pl.LazyFrame, institutions: pl.LazyFrame, persons: pl.LazyFrame
) -> pl.LazyFrame:
    """Settled encounters (no reversals) with month, department and per-encounter facts."""
    home = persons.select("psn_no", "insuplc_admdvs").unique("psn_no")
    sites = institutions.select("fixmedins_code", "admdvs", "hosp_level", "fixmedins_type")
    stay_days = (pl.col("endtime").dt.date() - pl.col("begntime").dt.date()).dt.total_days()
    return (
        settlements.filter(~pl.col("refd_setl_flag").fill_null(False))
        .join(_readmissions(settlements), on="setl_id", how="left")
        .join(sites.unique("fixmedins_code"), on="fixmedins_code", how="left")
        .join(home, on="psn_no", how="left")
        .with_columns(
            _month("setl_time").fill_null(_month("endtime")),
            dept=pl.col("adm_dept_codg").fill_null("-"),
            inpatient=INPATIENT,
            stay_days=pl.when(INPATIENT).then(stay_days),
            # A city's hospitals serve all its counties; patients from another city are the
            # distance that stands out (the first 4 digits of a division code name its city).
            other_city=pl.col("insuplc_admdvs").str.slice(0, 4)
            != pl.col("admdvs").str.slice(0, 4),  # null when unknown
        )
    )


def fee_totals(fee_lines: pl.LazyFrame, by: list[str], *extra: pl.Expr) -> pl.LazyFrame:
    """Item counts and amounts by kind (fen) of the fee lines, grouped by `by`."""
    charged = pl.col("cnt") > 0  # a refund line cancels money, not an item
    amount = pl.col("det_item_fee_sumamt")
    return fee_lines.group_by(by).agg(
        *extra,
        items=charged.sum(),
        drugs=(charged & pl.col("med_chrgitm_type").is_in(DRUG_TYPES)).sum(),
        line_amount=amount.sum(),
        exam_amount=amount.filter(pl.col("med_chrgitm_type").is_in(EXAM_TYPES)).sum(),
        class_b_amount=amount.filter(pl.col("chrgitm_lv") == "02").sum(),
        class_c_amount=amount.filter(pl.col("chrgitm_lv") == "03").sum(),
    )


@_computed_once_per_block
def line_summary(*, fee_lines: pl.LazyFrame) -> pl.LazyFrame:
    """fee_totals per encounter, ordering practitioner (dr_code) and month of the charge,
    with the department and institution the lines name: the one pass over the lines that
    both feature sets sum up."""
    return fee_totals(
        fee_lines.with_columns(_month("fee_ocur_time"), dr_code=pl.col("bilg_dr_codg")),
        ["setl_id", "dr_code", "month"],
        pl.col("bilg_dept_codg").min().alias("dept_seen"),
        pl.col("fixmedins_code").min().alias("institution_seen"),
    )


AMOUNTS = ("items", "drugs", "line_amount", "exam_amount", "class_b_amount", "class_c_amount")


def _encounter_sums(cost: str) -> list[pl.Expr]:
    """Per unit: encounters by setting, their cost (fen), items, drugs and amounts by kind."""
    visit, stay = ~pl.col("inpatient"), pl.col("inpatient")
    detailed = pl.col("items").is_not_null()  # the encounter came with fee lines
    return [
        pl.len().alias("encounters"),
        visit.sum().alias("visits"),
        stay.sum().alias("admissions"),
        pl.col(cost).sum().alias("total_cost"),
        pl.col(cost).filter(visit).sum().alias("visit_cost"),
        pl.col(cost).filter(stay).sum().alias("stay_cost"),
        (visit & detailed).sum().alias("visits_detailed"),
        (stay & detailed).sum().alias("admissions_detailed"),
        pl.col("items").filter(visit).sum().alias("visit_items"),
        pl.col("items").filter(stay).sum().alias("stay_items"),
        pl.col("drugs").filter(visit).sum().alias("visit_drugs"),
        pl.col("line_amount", "exam_amount", "class_b_amount", "class_c_amount").sum(),
        pl.col("other_city").mean().alias("other_city_share"),
    ]


def _stay_stats() -> list[pl.Expr]:
    return [
        pl.col("inpatient").sum().alias("stays"),
        pl.col("readmission").filter(pl.col("inpatient")).sum().alias("readmissions"),
        pl.col("stay_days").mean().alias("length_of_stay"),
    ]


def _rates(units: pl.LazyFrame) -> pl.LazyFrame:
    def per(numerator: str, denominator: str) -> pl.Expr:
        return pl.when(pl.col(denominator) > 0).then(pl.col(numerator) / pl.col(denominator))

    return units.with_columns(
        cost_per_visit=per("visit_cost", "visits") / 100,
        cost_per_stay=per("stay_cost", "admissions") / 100,
        items_per_visit=per("visit_items", "visits_detailed"),
        items_per_stay=per("stay_items", "admissions_detailed"),
        drugs_per_visit=per("visit_drugs", "visits_detailed"),
        exam_share=per("exam_amount", "line_amount"),
        class_b_share=per("class_b_amount", "line_amount"),
        class_c_share=per("class_c_amount", "line_amount"),
        readmission_rate=per("readmissions", "stays"),
    )


def _growth(units: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Total cost against the same unit's month before (null when that month is absent)."""
    before = units.select(
        *keys,
        pl.col("month").dt.offset_by("1mo"),
        pl.col("total_cost").alias("cost_before"),
    )
    ratio = pl.col("total_cost") / pl.col("cost_before") - 1
    return (
        units.join(before, on=[*keys, "month"], how="left")
        .with_columns(growth=pl.when(pl.col("cost_before") > 0).then(ratio))
        .drop("cost_before")
    )


@_computed_once_per_block
def institution_features(
    *,
    fee_lines: pl.LazyFrame,
    settlements: pl.LazyFrame,
    institutions: pl.LazyFrame,
    persons: pl.LazyFrame,
) -> pl.LazyFrame:
    """One row per institution × department (adm_dept_codg) × month of settlement."""
    keys = ["fixmedins_code", "dept"]
    encounters = settlement_base(
        settlements=settlements, institutions=institutions, persons=persons
    ).join(
        line_summary(fee_lines=fee_lines).group_by("setl_id").agg(pl.col(AMOUNTS).sum()),
        on="setl_id",
        how="left",
    )
    units = encounters.group_by(*keys, "month").agg(
        pl.col("hosp_level", "fixmedins_type").first(),
        *_encounter_sums("medfee_sumamt"),
        *_stay_stats(),
    )
    return _growth(_rates(units), keys).sort(*keys, "month")


def _ordered_by_practitioner(fee_lines: pl.LazyFrame, base: pl.LazyFrame) -> pl.LazyFrame:
    """What each practitioner ordered per month: per encounter first, then per month."""
    per_encounter = (
        line_summary(fee_lines=fee_lines)
        .filter(pl.col("dr_code").is_not_null())
        .join(base.select("setl_id", "inpatient", "other_city"), on="setl_id", how="inner")
    )
    return per_encounter.group_by("dr_code", "month").agg(
        pl.col("dept_seen", "institution_seen").min(),
        *_encounter_sums("line_amount"),
    )


@_computed_once_per_block
def practitioner_features(
    *,
    fee_lines: pl.LazyFrame,
    settlements: pl.LazyFrame,
    institutions: pl.LazyFrame,
    practitioners: pl.LazyFrame,
    persons: pl.LazyFrame,
) -> pl.LazyFrame:
    """One row per practitioner × month: what they ordered (bilg_dr_codg, month of the fee
    line), and the stays they attended (atddr_no, month of settlement); department and
    institution from the registry when known, else from their lines."""
    base = settlement_base(settlements=settlements, institutions=institutions, persons=persons)
    attended = (
        base.filter(pl.col("inpatient") & pl.col("atddr_no").is_not_null())
        .group_by(pl.col("atddr_no").alias("dr_code"), "month")
        .agg(*_stay_stats(), pl.col("fixmedins_code").min().alias("institution_attended"))
    )
    registry = practitioners.select("dr_code", "dept_codg", "fixmedins_code").unique("dr_code")
    levels = institutions.select("fixmedins_code", "hosp_level").unique("fixmedins_code")
    units = (
        _ordered_by_practitioner(fee_lines, base)
        .join(attended, on=["dr_code", "month"], how="full", coalesce=True)
        .join(registry, on="dr_code", how="left")
        .with_columns(
            dept=pl.coalesce("dept_codg", "dept_seen", pl.lit("-")),
            fixmedins_code=pl.coalesce(
                "fixmedins_code", "institution_seen", "institution_attended"
            ),
            encounters=pl.coalesce("encounters", "stays"),
        )
        .join(levels, on="fixmedins_code", how="left")
        .drop("dept_codg", "dept_seen", "institution_seen", "institution_attended")
    )
    return _growth(_rates(units), ["dr_code"]).sort("dr_code", "month")
