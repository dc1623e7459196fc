"""The settlement-, person- and stay-level rules of docs/rules-interpretation.md in plain polars."""

from __future__ import annotations

import polars as pl

from tests.medins.generator.rulecheck_base import (
    INPATIENT,
    OUTPATIENT_MANAGEABLE,
    _all_codes,
    _lines,
)


def _stays(b) -> pl.DataFrame:
    return (
        b["settlements"]
        .filter(INPATIENT)
        .with_columns(adm=pl.col("begntime").dt.date(), dis=pl.col("endtime").dt.date())
    )


def split_admission(b) -> set[str]:
    stays = (
        _stays(b)
        .sort("psn_no", "fixmedins_code", "begntime")
        .with_columns(
            prev_dis=pl.col("dis").shift(1).over("psn_no", "fixmedins_code"),
            prev_cat=pl.col("dise_codg").str.slice(0, 3).shift(1).over("psn_no", "fixmedins_code"),
        )
    )
    gap = (pl.col("adm") - pl.col("prev_dis")).dt.total_days()
    found = stays.filter(
        (gap >= 0) & (gap <= 15) & (pl.col("dise_codg").str.slice(0, 3) == pl.col("prev_cat"))
    )
    return set(found["setl_id"])


def bed_blocking(b) -> set[str]:
    stays = _stays(b).filter(pl.col("med_type").is_in(["21", "22"]))
    other = b["settlements"].select(
        "psn_no", o_inst="fixmedins_code", o_day=pl.col("begntime").dt.date()
    )
    away = stays.join(other, on="psn_no").filter(
        (pl.col("o_inst") != pl.col("fixmedins_code"))
        & (pl.col("o_day") > pl.col("adm"))
        & (pl.col("o_day") < pl.col("dis"))
    )
    absent = b["bed_checks"].filter(pl.col("result") == "2").join(stays, on="mdtrt_id")
    days = (
        _lines(b)
        .filter(INPATIENT)
        .group_by("setl_id", "day")
        .agg(bare=pl.col("med_chrgitm_type").is_in(["01", "07"]).all())
        .sort("setl_id", "day")
        .with_columns(
            run=(pl.col("bare") != pl.col("bare").shift(1).over("setl_id"))
            .fill_null(True)
            .cum_sum()
            .over("setl_id")
        )
        .filter(pl.col("bare"))
        .group_by("setl_id", "run")
        .agg(n=pl.len(), last=pl.col("day").max(), first=pl.col("day").min())
        .filter(
            ((pl.col("last") - pl.col("first")).dt.total_days() + 1 == pl.col("n"))
            & (pl.col("n") >= 3)
        )
    )
    bare = days.join(stays, on="setl_id")
    return set(away["setl_id"]) | set(absent["setl_id"]) | set(bare["setl_id"])


def low_standard_admission(b) -> set[str]:
    stays = _stays(b).filter(
        pl.col("med_type").is_in(["21", "22"])
        & ((pl.col("dis") - pl.col("adm")).dt.total_days() <= 2)
    )
    shares = (
        _lines(b)
        .group_by("setl_id")
        .agg(
            exam=pl.col("amount").filter(pl.col("med_chrgitm_type").is_in(["03", "04"])).sum(),
            all=pl.col("amount").sum(),
        )
    )
    p10 = _stays(b).group_by("fixmedins_code").agg(p10=pl.col("total").quantile(0.1))
    stays = stays.join(shares, on="setl_id", how="left").join(p10, on="fixmedins_code")
    found = stays.filter(
        (pl.col("exam") >= 0.8 * pl.col("all"))
        | (
            pl.col("dise_codg").str.slice(0, 3).is_in(OUTPATIENT_MANAGEABLE)
            & (pl.col("total") < pl.col("p10"))
        )
    )
    return set(found["setl_id"])


def overlapping_stays(b) -> set[str]:
    stays = _stays(b).select("setl_id", "psn_no", "fixmedins_code", "begntime", "endtime")
    pairs = stays.join(stays, on="psn_no", suffix="_o").filter(
        (pl.col("fixmedins_code") != pl.col("fixmedins_code_o"))
        & (pl.col("begntime") >= pl.col("begntime_o"))
        & (pl.col("setl_id") != pl.col("setl_id_o"))
        & ((pl.min_horizontal("endtime", "endtime_o") - pl.col("begntime")).dt.total_hours() >= 24)
    )
    return set(pairs["setl_id"])


def diag_mismatch(b) -> set[str]:
    setl = b["settlements"].join(b["persons"].select("psn_no", "gend", "brdy"), on="psn_no")
    codes = _all_codes(b).join(
        setl.select("mdtrt_id", "setl_id", "gend", "brdy", "begntime"), on="mdtrt_id"
    )
    cat = pl.col("code").str.slice(0, 3)
    female = (
        cat.str.starts_with("O")
        | cat.is_between(pl.lit("N70"), pl.lit("N98"))
        | cat.is_between(pl.lit("C51"), pl.lit("C58"))
        | cat.is_between(pl.lit("D25"), pl.lit("D28"))
    )
    male = cat.is_between(pl.lit("N40"), pl.lit("N51")) | cat.is_between(
        pl.lit("C60"), pl.lit("C63")
    )
    day = pl.col("begntime").dt.date()
    age = (
        day.dt.year()
        - pl.col("brdy").dt.year()
        - (
            (day.dt.month().cast(pl.Int32) * 100 + day.dt.day())
            < (pl.col("brdy").dt.month().cast(pl.Int32) * 100 + pl.col("brdy").dt.day())
        ).cast(pl.Int32)
    )
    found = codes.filter(
        (female & (pl.col("gend") == "1"))
        | (male & (pl.col("gend") == "2"))
        | (cat.is_between(pl.lit("P00"), pl.lit("P96")) & (age >= 18))
    )
    return set(found["setl_id"])


def frequent_visits(b) -> set[str]:
    visits = (
        b["settlements"]
        .filter(pl.col("med_type").is_in(["11", "13", "14"]))
        .with_columns(day=pl.col("begntime").dt.date(), one=pl.lit(1))
    )
    month = visits.sort("psn_no", "day").with_columns(
        n=pl.col("one").rolling_sum_by("day", window_size="30d").over("psn_no")
    )
    week = visits.sort("psn_no", "fixmedins_code", "day").with_columns(
        n=pl.col("one").rolling_sum_by("day", window_size="7d").over("psn_no", "fixmedins_code")
    )
    return set(month.filter(pl.col("n") > 8)["psn_no"]) | set(
        week.filter(pl.col("n") > 3)["psn_no"]
    )


def excessive_cost(b) -> set[str]:
    setl = (
        b["settlements"]
        .join(b["institutions"].select("fixmedins_code", "level"), on="fixmedins_code")
        .with_columns(cat=pl.col("dise_codg").str.slice(0, 3))
    )
    group = ("level", "med_type", "cat")
    found = setl.with_columns(
        n=pl.len().over(group),
        p99=pl.col("total").quantile(0.99, "linear").over(group),
        median=pl.col("total").median().over(group),
    ).filter(
        (pl.col("n") >= 30)
        & (pl.col("total") > pl.col("p99"))
        & (pl.col("total") >= 3 * pl.col("median"))
    )
    return set(found["setl_id"])
