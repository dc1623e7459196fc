"""The rules of docs/rules-interpretation.md in plain polars, to check a generated batch.

Independent of screening/rules on purpose: the generator's tests must not lean on the code
they are meant to feed. Each function returns the keys of the findings of one rule.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

OUTPATIENT_MANAGEABLE = "J00|J02|J03|J06|J20|K29|K30|A09|I10|E11|M54|R51|H10|L30".split("|")
INPATIENT = pl.col("med_type").str.starts_with("2")
LEVELS = {**dict.fromkeys(("01", "02", "03", "04", "12"), 3),
          **dict.fromkeys(("05", "06", "07", "13"), 2),
          **dict.fromkeys(("08", "09", "10", "14"), 1)}  # fmt: skip


def fen(name: str) -> pl.Expr:
    return (pl.col(name).cast(pl.Float64) * 100).round().cast(pl.Int64)


def when(name: str) -> pl.Expr:
    return pl.col(name).str.to_datetime("%Y-%m-%d %H:%M:%S")


def load(folder: Path) -> dict[str, pl.DataFrame]:
    read = {name: pl.read_csv(folder / f"{name}.csv", infer_schema=False) for name in (
        "institutions", "persons", "catalog", "settlements", "diagnoses", "fee_details",
        "bed_checks", "truth", "near_misses", "practitioners", "divisions")}  # fmt: skip
    read["institutions"] = read["institutions"].with_columns(
        level=pl.col("hosp_lv").replace_strict(LEVELS, default=0, return_dtype=pl.Int32)
    )
    read["persons"] = read["persons"].with_columns(brdy=pl.col("brdy").str.to_date())
    ints = ("lmt_min_age", "lmt_max_age", "lmt_min_hosp_lv", "max_pay_days", "max_daily_cnt",
            "max_supply_days", "repeat_window_days")  # fmt: skip
    read["catalog"] = read["catalog"].with_columns(
        *(pl.col(c).cast(pl.Int32) for c in ints), cap=fen("pric_uplmt_amt")
    )
    read["settlements"] = read["settlements"].with_columns(
        begntime=when("begntime"), endtime=when("endtime"), total=fen("medfee_sumamt"),
        **{c: fen(c) for c in ("fulamt_ownpay_amt", "inscp_scp_amt", "hifp_pay", "acct_pay",
                                "psn_cash_pay")},
    )  # fmt: skip
    read["fee_details"] = read["fee_details"].with_columns(
        fee_ocur_time=when("fee_ocur_time"), cnt=pl.col("cnt").cast(pl.Int64),
        pric=fen("pric"), amount=fen("det_item_fee_sumamt"), prd_days=pl.col("prd_days").cast(pl.Int32),
    ).with_columns(day=pl.col("fee_ocur_time").dt.date())  # fmt: skip
    return read


def _lines(b: dict[str, pl.DataFrame]) -> pl.DataFrame:
    setl = b["settlements"].select("setl_id", "med_type", "begntime", "endtime", "dise_codg")
    return b["fee_details"].join(setl, on="setl_id").join(b["catalog"], on="med_list_codg", how="left",
                                                           suffix="_cat")  # fmt: skip


def dup_charge(b) -> set[str]:
    lines = _lines(b).sort("feedetl_sn")
    same = ("psn_no", "fixmedins_code", "med_list_codg")
    moment = lines.filter(pl.int_range(pl.len()).over(*same, "fee_ocur_time") > 0)
    units = lines.with_columns(
        units=pl.col("cnt").cum_sum().over(*same, "day", order_by="feedetl_sn")
    )
    over = units.filter(
        (pl.col("units") > pl.col("max_daily_cnt"))
        & (pl.col("units") - pl.col("cnt") <= pl.col("max_daily_cnt"))
    )
    return set(moment["feedetl_sn"]) | set(over["feedetl_sn"])


def dup_exam(b) -> set[str]:
    lines = _lines(b).filter(
        pl.col("med_chrgitm_type").is_in(["03", "04"]) & pl.col("repeat_window_days").is_not_null()
    )
    gap = (
        pl.col("day")
        - pl.col("day").shift(1).over("psn_no", "med_list_codg", order_by="fee_ocur_time")
    ).dt.total_days()
    found = lines.with_columns(gap=gap).filter(
        (pl.col("gap") >= 1) & (pl.col("gap") < pl.col("repeat_window_days"))
    )
    return set(found["feedetl_sn"])


def exclusive_items(b) -> set[str]:
    lines = _lines(b)
    bundles = lines.filter(pl.col("includes_codes").is_not_null()).select(
        "mdtrt_id", part=pl.col("includes_codes").str.split("|")).explode("part")  # fmt: skip
    return set(lines.join(bundles, left_on=["mdtrt_id", "med_list_codg"],
                          right_on=["mdtrt_id", "part"])["feedetl_sn"])  # fmt: skip


def over_price(b) -> set[str]:
    return set(_lines(b).filter(pl.col("pric") > pl.col("cap"))["feedetl_sn"])


def _all_codes(b) -> pl.DataFrame:
    return pl.concat([
        b["settlements"].select("mdtrt_id", code="dise_codg"),
        b["diagnoses"].select("mdtrt_id", code="diag_code"),
    ]).with_columns(code=pl.col("code").str.replace(".", "", literal=True).str.to_uppercase())  # fmt: skip


def over_scope_drug(b) -> set[str]:
    lines = _lines(b).join(b["persons"].select("psn_no", "gend", "brdy"), on="psn_no").join(
        b["institutions"].select("fixmedins_code", "level"), on="fixmedins_code")  # fmt: skip
    age = (pl.col("day").dt.year() - pl.col("brdy").dt.year()
           - ((pl.col("day").dt.month().cast(pl.Int32) * 100 + pl.col("day").dt.day())
              < (pl.col("brdy").dt.month().cast(pl.Int32) * 100 + pl.col("brdy").dt.day())).cast(pl.Int32))  # fmt: skip
    lines = lines.with_columns(
        age=age, rank=pl.col("day").rank("dense").over("mdtrt_id", "med_list_codg")
    )
    broken = lines.filter(
        (pl.col("lmt_gend").is_not_null() & (pl.col("lmt_gend") != pl.col("gend")))
        | (pl.col("age") < pl.col("lmt_min_age")).fill_null(False)
        | (pl.col("age") > pl.col("lmt_max_age")).fill_null(False)
        | ((pl.col("lmt_inpatient_only") == "1") & ~INPATIENT).fill_null(False)
        | (pl.col("level") < pl.col("lmt_min_hosp_lv")).fill_null(False)
        | (pl.col("rank") > pl.col("max_pay_days")).fill_null(False)
    )
    limited = lines.filter(pl.col("lmt_dise_prefixes").is_not_null()).select(
        "feedetl_sn", "mdtrt_id", prefix=pl.col("lmt_dise_prefixes").str.split("|")).explode("prefix")  # fmt: skip
    matched = limited.join(_all_codes(b), on="mdtrt_id").filter(
        pl.col("code").str.starts_with(pl.col("prefix"))
    )
    unindicated = set(limited["feedetl_sn"]) - set(matched["feedetl_sn"])
    return set(broken["feedetl_sn"]) | unindicated


def excess_quantity(b) -> set[str]:
    lines = _lines(b).filter(
        pl.col("med_type").is_in(["11", "13", "14", "41"])
        & pl.col("prd_days").is_not_null()
        & pl.col("med_chrgitm_type").is_in(["09", "10", "11"])
    )
    limit = pl.coalesce(
        "max_supply_days", pl.when(pl.col("med_type") == "14").then(30).otherwise(7)
    )
    single = set(lines.filter(pl.col("prd_days") > limit)["feedetl_sn"])
    rolling = _lines(b).filter(pl.col("prd_days").is_not_null()).sort("psn_no", "med_list_codg", "day").with_columns(
        supply=pl.col("prd_days").rolling_sum_by("day", window_size="90d").over("psn_no", "med_list_codg"))  # fmt: skip
    return single | (set(rolling.filter(pl.col("supply") > 120)["feedetl_sn"]) - single)


def _stays(b) -> pl.DataFrame:
    return b["settlements"].filter(INPATIENT).with_columns(
        adm=pl.col("begntime").dt.date(), dis=pl.col("endtime").dt.date())  # fmt: skip


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
    days = (_lines(b).filter(INPATIENT).group_by("setl_id", "day")
            .agg(bare=pl.col("med_chrgitm_type").is_in(["01", "07"]).all()).sort("setl_id", "day")
            .with_columns(run=(pl.col("bare") != pl.col("bare").shift(1).over("setl_id")).fill_null(True).cum_sum().over("setl_id"))
            .filter(pl.col("bare")).group_by("setl_id", "run").agg(n=pl.len(), last=pl.col("day").max(), first=pl.col("day").min())
            .filter(((pl.col("last") - pl.col("first")).dt.total_days() + 1 == pl.col("n")) & (pl.col("n") >= 3)))  # fmt: skip
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
    found = stays.filter((pl.col("exam") >= 0.8 * pl.col("all"))
                         | (pl.col("dise_codg").str.slice(0, 3).is_in(OUTPATIENT_MANAGEABLE) & (pl.col("total") < pl.col("p10"))))  # fmt: skip
    return set(found["setl_id"])


def overlapping_stays(b) -> set[str]:
    stays = _stays(b).select("setl_id", "psn_no", "fixmedins_code", "begntime", "endtime")
    pairs = stays.join(stays, on="psn_no", suffix="_o").filter(
        (pl.col("fixmedins_code") != pl.col("fixmedins_code_o")) & (pl.col("begntime") >= pl.col("begntime_o"))
        & (pl.col("setl_id") != pl.col("setl_id_o"))
        & ((pl.min_horizontal("endtime", "endtime_o") - pl.col("begntime")).dt.total_hours() >= 24))  # fmt: skip
    return set(pairs["setl_id"])


def fee_outside_stay(b) -> set[str]:
    lines = _lines(b).filter(INPATIENT)
    return set(
        lines.filter(
            (pl.col("day") < pl.col("begntime").dt.date())
            | (pl.col("day") > pl.col("endtime").dt.date())
        )["feedetl_sn"]
    )


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
    found = codes.filter((female & (pl.col("gend") == "1")) | (male & (pl.col("gend") == "2")) | (cat.is_between(pl.lit("P00"), pl.lit("P96")) & (age >= 18)))  # fmt: skip
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
    found = setl.with_columns(n=pl.len().over(group), p99=pl.col("total").quantile(0.99, "linear").over(group),
                              median=pl.col("total").median().over(group)).filter(
        (pl.col("n") >= 30) & (pl.col("total") > pl.col("p99")) & (pl.col("total") >= 3 * pl.col("median")))  # fmt: skip
    return set(found["setl_id"])


RULES = {
    "DUP_CHARGE": dup_charge, "DUP_EXAM": dup_exam, "EXCLUSIVE_ITEMS": exclusive_items,
    "OVER_PRICE": over_price, "OVER_SCOPE_DRUG": over_scope_drug, "EXCESS_QUANTITY": excess_quantity,
    "SPLIT_ADMISSION": split_admission, "BED_BLOCKING": bed_blocking,
    "LOW_STANDARD_ADMISSION": low_standard_admission, "OVERLAPPING_STAYS": overlapping_stays,
    "FEE_OUTSIDE_STAY": fee_outside_stay, "DIAG_MISMATCH": diag_mismatch,
    "FREQUENT_VISITS": frequent_visits, "EXCESSIVE_COST": excessive_cost,
}  # fmt: skip
KEY = {"DUP_CHARGE": "feedetl_sn", "DUP_EXAM": "feedetl_sn", "EXCLUSIVE_ITEMS": "feedetl_sn",
       "OVER_PRICE": "feedetl_sn", "OVER_SCOPE_DRUG": "feedetl_sn", "EXCESS_QUANTITY": "feedetl_sn",
       "FEE_OUTSIDE_STAY": "feedetl_sn", "FREQUENT_VISITS": "psn_no"}  # fmt: skip


def key_of(rule: str) -> str:
    return KEY.get(rule, "setl_id")
