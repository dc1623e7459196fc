"""Tiny rule frames for tests: name only what a test is about, the rest gets a default.

Every builder takes a list of row dicts and returns a LazyFrame with exactly the schema of
screening.frames.SCHEMAS. Times may be given as "YYYY-MM-DD HH:MM[:SS]" text (Shanghai wall
clock), dates as "YYYY-MM-DD"; money and prices are fen (int). Keys default to F1, S1, … by
row order, and an encounter's mdtrt_id defaults to its setl_id with "S" replaced by "M".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl

from medins.models import HOSPITAL_LEVEL_BY_CODE
from screening.frames import SCHEMAS

DEFAULT_TIME = "2025-03-10 09:00"


def at(text: str) -> datetime:
    """A naive Shanghai wall-clock time from "YYYY-MM-DD HH:MM[:SS]"."""
    return datetime.fromisoformat(text)


def _value(value: Any, dtype: pl.DataType) -> Any:
    if isinstance(value, str) and dtype == pl.Datetime("us"):
        return at(value)
    if isinstance(value, str) and dtype == pl.Date:
        return date.fromisoformat(value)
    return value


def _build(name: str, rows: list[dict[str, Any]]) -> pl.LazyFrame:
    schema = SCHEMAS[name]
    unknown = {column for row in rows for column in row} - set(schema)
    if unknown:
        raise ValueError(f"{name} has no column(s) {sorted(unknown)}")
    data = {
        column: [_value(row.get(column), dtype) for row in rows] for column, dtype in schema.items()
    }
    return pl.LazyFrame(data, schema=schema)


def _encounter_of(setl_id: str) -> str:
    return "M" + setl_id[1:] if setl_id.startswith("S") else f"M-{setl_id}"


def settlements(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    full = []
    for number, row in enumerate(rows, 1):
        setl_id = row.get("setl_id", f"S{number}")
        begntime = row.get("begntime", DEFAULT_TIME)
        endtime = row.get("endtime", begntime)
        full.append(
            {
                "setl_id": setl_id,
                "mdtrt_id": _encounter_of(setl_id),
                "psn_no": "P1",
                "fixmedins_code": "H1",
                "insutype": "310",
                "med_type": "11",
                "dise_codg": "J06.900",
                "adm_dept_codg": "A03",
                "atddr_no": "D1",
                "medfee_sumamt": 10_000,
                "fulamt_ownpay_amt": 0,
                "inscp_scp_amt": 10_000,
                "hifp_pay": 6_000,
                "acct_pay": 0,
                "psn_cash_pay": 4_000,
                "setl_time": endtime,
                "refd_setl_flag": False,
                **row,
                "begntime": begntime,
                "endtime": endtime,
            }
        )
    return _build("settlements", full)


def fee_lines(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    full = []
    for number, row in enumerate(rows, 1):
        setl_id = row.get("setl_id", "S1")
        cnt = row.get("cnt", 1.0)
        pric = row.get("pric", 1_000)
        full.append(
            {
                "feedetl_sn": f"F{number}",
                "setl_id": setl_id,
                "mdtrt_id": _encounter_of(setl_id),
                "psn_no": "P1",
                "fixmedins_code": "H1",
                "fee_ocur_time": DEFAULT_TIME,
                "med_list_codg": "001102000010000",
                "med_chrgitm_type": "05",
                "cnt": cnt,
                "pric": pric,
                "det_item_fee_sumamt": round(cnt * pric),
                "bilg_dept_codg": "A03",
                "bilg_dr_codg": "D1",
                "chrgitm_lv": "01",
                **row,
            }
        )
    return _build("fee_lines", full)


def catalog(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    defaults = {"list_type": "201", "med_chrgitm_type": "05", "chrgitm_lv": "01"}
    full = [
        {"med_list_codg": f"C{number}", **defaults, **row} for number, row in enumerate(rows, 1)
    ]
    return _build("catalog", full)


def institutions(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    full = []
    for number, row in enumerate(rows, 1):
        hosp_lv = row.get("hosp_lv", "02")
        full.append(
            {
                "fixmedins_code": f"H{number}",
                "fixmedins_type": "1",
                "hosp_level": HOSPITAL_LEVEL_BY_CODE.get(hosp_lv),
                "admdvs": "370102",
                "open_bed_cnt": 100,
                **row,
                "hosp_lv": hosp_lv,
            }
        )
    return _build("institutions", full)


def practitioners(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    defaults = {"fixmedins_code": "H1", "dept_codg": "A03", "prac_type": "1"}
    full = [{"dr_code": f"D{number}", **defaults, **row} for number, row in enumerate(rows, 1)]
    return _build("practitioners", full)


def persons(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    defaults = {"gend": "1", "brdy": "1980-01-01", "insutype": "310", "insuplc_admdvs": "370102"}
    full = [{"psn_no": f"P{number}", **defaults, **row} for number, row in enumerate(rows, 1)]
    return _build("persons", full)


def diagnoses(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    full = [
        {"mdtrt_id": "M1", "diag_srt_no": number + 1, **row} for number, row in enumerate(rows, 1)
    ]
    return _build("diagnoses", full)


def bed_checks(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    defaults = {"mdtrt_id": "M1", "checked_at": DEFAULT_TIME, "result": "1"}
    full = [{"check_id": f"B{number}", **defaults, **row} for number, row in enumerate(rows, 1)]
    return _build("bed_checks", full)


def of_person(frames: dict[str, pl.DataFrame], psn_no: str) -> dict[str, pl.DataFrame]:
    """What a pre-check gives the rules for one person: their rows of every frame, their
    encounters' diagnoses, and the catalog of the items charged to them."""
    own = {
        name: frame.filter(pl.col("psn_no") == psn_no) if "psn_no" in frame.columns else frame
        for name, frame in frames.items()
    }
    encounters = own["settlements"]["mdtrt_id"].implode()
    own["diagnoses"] = frames["diagnoses"].filter(pl.col("mdtrt_id").is_in(encounters))
    codes = own["fee_lines"]["med_list_codg"].unique().implode()
    own["catalog"] = frames["catalog"].filter(pl.col("med_list_codg").is_in(codes))
    return own


def province_with_refunds(out, *, persons: int, months: int, seed: int, every: int) -> dict:
    """A generated province in memory (frames by name), every `every`-th line refunded in
    full a minute later."""
    from medins.generator import generate_province
    from screening import files

    generate_province(out=out, persons=persons, months=months, seed=seed)
    frames = {name: frame.collect() for name, frame in files.read_batch(out).items()}
    lines = frames["fee_lines"].with_row_index("row")
    refunds = lines.filter(pl.col("row") % every == 0).with_columns(
        feedetl_sn=pl.col("feedetl_sn") + "R",
        fee_ocur_time=pl.col("fee_ocur_time").dt.offset_by("1m"),
        cnt=-pl.col("cnt"),
    )
    frames["fee_lines"] = pl.concat([lines, refunds]).drop("row")
    return frames
