"""OVER_SCOPE_DRUG 超范围用药/超限定使用: a restricted item charged outside its limits."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from screening.rules import base, lines

RULE = base.Rule(
    code="OVER_SCOPE_DRUG",
    name_zh="超范围用药/超限定使用",
    name_en="Use outside the item's limits",
    scope="fee_line",
    reads=("fee_lines", "catalog", "persons", "settlements", "diagnoses", "institutions"),
    sev_deg=1,
    thresholds=(
        base.Threshold(
            name="check_indication",
            default=1,
            minimum=0,
            maximum=1,
            label_zh="检查限定适应症(诊断)(1 是, 0 否)",
            label_en="Check the indication (diagnosis) limit (1 yes, 0 no)",
        ),
    ),
    realtime=True,
    nets_refunds=True,
    lookback_days=90,  # max_pay_days counts the days of the whole encounter
)

SEV_INDICATION_ONLY = 3  # the indication limit is clinical judgement, not policy scope
_LIMITS = (
    "lmt_gend",
    "lmt_min_age",
    "lmt_max_age",
    "lmt_dise_prefixes",
    "lmt_inpatient_only",
    "lmt_min_hosp_lv",
    "max_pay_days",
)
# An item limits something when any limit is set; "inpatient only" is a flag, set = True
# (a False there is no limit, and most of a catalog carries it).
_LIMITED = pl.any_horizontal(
    *(pl.col(name).is_not_null() for name in _LIMITS if name != "lmt_inpatient_only"),
    pl.col("lmt_inpatient_only").fill_null(False),
)
_BROKEN = ("gender", "age", "indication", "inpatient_only", "hosp_level", "pay_days")


def applies(frames: Mapping[str, pl.DataFrame]) -> bool:
    """Only lines of items with a limit are judged (base.py: what applies promises)."""
    catalog, fee_lines = frames["catalog"], frames["fee_lines"]
    limited = set(catalog["med_list_codg"].filter(catalog.select(_LIMITED).to_series()).to_list())
    if not limited:
        return False
    rows = fee_lines.select("med_list_codg", "cnt").iter_rows()
    return any(code in limited and cnt is not None and cnt > 0 for code, cnt in rows)


def find(
    *,
    fee_lines: pl.LazyFrame,
    catalog: pl.LazyFrame,
    persons: pl.LazyFrame,
    settlements: pl.LazyFrame,
    diagnoses: pl.LazyFrame,
    institutions: pl.LazyFrame,
    check_indication: int = 1,
) -> pl.LazyFrame:
    """One finding per charged line that breaks any limit of its item; evidence lists them."""
    encounters = settlements.filter(~pl.col("refd_setl_flag").fill_null(False))
    # Read twice (the indication joins back): cached, planned and run once even unoptimized.
    restricted = _restricted_lines(fee_lines, catalog, persons, encounters, institutions).cache()
    if check_indication:
        restricted = restricted.join(
            _indication(restricted, encounters, diagnoses),
            on=["mdtrt_id", "med_list_codg"],
            how="left",
        )
    else:
        restricted = restricted.with_columns(
            indication_met=pl.lit(None, pl.Boolean), diagnoses=pl.lit(None, pl.List(pl.String))
        )
    checks = _checks()
    # Most restricted lines break nothing: keep those that break a limit before listing which.
    judged = restricted.filter(pl.any_horizontal(checks.values())).with_columns(
        broken=_broken(checks)
    )
    indication_only = (pl.col("broken").list.len() == 1) & pl.col("broken").list.contains(
        "indication"
    )
    return base.findings(
        judged.with_columns(
            dr_code=pl.col("bilg_dr_codg"),
            subject_key=pl.col("feedetl_sn"),
            event_time=pl.col("fee_ocur_time"),
            sev_deg=pl.when(indication_only).then(SEV_INDICATION_ONLY).otherwise(RULE.sev_deg),
            amount_at_risk=pl.col("net_amount"),
            evidence=_evidence(),
        )
    )


def _restricted_lines(
    fee_lines: pl.LazyFrame,
    catalog: pl.LazyFrame,
    persons: pl.LazyFrame,
    encounters: pl.LazyFrame,
    institutions: pl.LazyFrame,
) -> pl.LazyFrame:
    limits = catalog.select("med_list_codg", *_LIMITS).filter(_LIMITED)
    charged = lines.net_of_refunds_of(fee_lines, limits).join(
        limits, on="med_list_codg", how="inner"
    )
    return (
        charged.join(persons.select("psn_no", "gend", "brdy"), on="psn_no", how="left")
        .join(encounters.select("setl_id", "med_type"), on="setl_id", how="left")
        .join(
            institutions.select("fixmedins_code", "hosp_level", known_institution=pl.lit(True)),
            on="fixmedins_code",
            how="left",
        )
        .with_columns(age=_age_at_fee(), pay_day_no=_pay_day_number())
    )


def _age_at_fee() -> pl.Expr:
    # Whole years: the birthday reached on the fee's day counts.
    fee, born = pl.col("fee_day"), pl.col("brdy")
    before_birthday = _month_day(fee) < _month_day(born)
    return fee.dt.year() - born.dt.year() - before_birthday.cast(pl.Int32)


def _month_day(day: pl.Expr) -> pl.Expr:
    # dt.month() is Int8: widen before multiplying.
    return day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)


def _pay_day_number() -> pl.Expr:
    # The how-many-th distinct day of the encounter this item is charged on.
    day_no = pl.col("fee_day").rank("dense").over("mdtrt_id", "med_list_codg")
    return pl.when(pl.col("max_pay_days").is_not_null()).then(day_no)


def _normalized(code: pl.Expr) -> pl.Expr:
    return code.str.replace_all(".", "", literal=True).str.strip_chars().str.to_uppercase()


def _indication(
    restricted: pl.LazyFrame, encounters: pl.LazyFrame, diagnoses: pl.LazyFrame
) -> pl.LazyFrame:
    """Per encounter and item: does any diagnosis start with one of the item's prefixes."""
    codes = pl.concat(
        [
            encounters.select("mdtrt_id", code=pl.col("dise_codg")),
            diagnoses.select("mdtrt_id", code=pl.col("diag_code")),
        ]
    ).filter(pl.col("code").is_not_null() & (pl.col("code") != ""))
    per_encounter = codes.group_by("mdtrt_id").agg(
        diagnoses=pl.col("code").unique(maintain_order=True)
    )
    wanted = (
        restricted.filter(pl.col("lmt_dise_prefixes").is_not_null())
        .select("mdtrt_id", "med_list_codg", "lmt_dise_prefixes")
        .unique()
    )
    # An encounter without any known diagnosis cannot be judged: it stays out (no finding).
    return (
        wanted.join(per_encounter, on="mdtrt_id", how="inner")
        .with_columns(code=pl.col("diagnoses"), prefix=pl.col("lmt_dise_prefixes").str.split("|"))
        .explode("code")
        .explode("prefix")
        .with_columns(prefix=_normalized(pl.col("prefix")))
        .filter(pl.col("prefix") != "")
        .group_by("mdtrt_id", "med_list_codg")
        .agg(
            indication_met=_normalized(pl.col("code")).str.starts_with(pl.col("prefix")).any(),
            diagnoses=pl.col("diagnoses").first(),
        )
    )


def _checks() -> dict[str, pl.Expr]:
    """Each limit's breach as a boolean, false where the data cannot tell."""
    gend = pl.col("gend")
    checks = {
        "gender": pl.col("lmt_gend").is_in(["1", "2"])
        & gend.is_in(["1", "2"])
        & (gend != pl.col("lmt_gend")),
        "age": (pl.col("age") < pl.col("lmt_min_age")) | (pl.col("age") > pl.col("lmt_max_age")),
        "indication": ~pl.col("indication_met"),
        "inpatient_only": pl.col("lmt_inpatient_only")
        & pl.col("med_type").is_not_null()
        & ~pl.col("med_type").str.starts_with("2"),
        # Pharmacies and ungraded institutions have no level: below any minimum.
        "hosp_level": pl.col("lmt_min_hosp_lv").is_not_null()
        & pl.col("known_institution")
        & (pl.col("hosp_level").fill_null(0) < pl.col("lmt_min_hosp_lv")),
        "pay_days": pl.col("pay_day_no") > pl.col("max_pay_days"),
    }
    return {name: checks[name].fill_null(False) for name in _BROKEN}


def _broken(checks: dict[str, pl.Expr]) -> pl.Expr:
    return pl.concat_list(
        pl.when(check).then(pl.lit(name)) for name, check in checks.items()
    ).list.drop_nulls()


def _evidence() -> pl.Expr:
    return pl.struct(
        pl.col("broken"),
        pl.col("med_list_codg"),
        pl.col("lmt_gend"),
        pl.col("gend"),
        pl.col("age"),
        pl.col("lmt_min_age"),
        pl.col("lmt_max_age"),
        pl.col("lmt_dise_prefixes"),
        pl.col("diagnoses"),
        pl.col("med_type"),
        pl.col("lmt_inpatient_only"),
        pl.col("hosp_level"),
        pl.col("lmt_min_hosp_lv"),
        pl.col("pay_day_no"),
        pl.col("max_pay_days"),
        fee_ocur_time=lines.time_text("fee_ocur_time"),
    ).struct.json_encode()
