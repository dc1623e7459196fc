"""The frames every rule reads: national column names, fixed dtypes.

Times are naive wall-clock Asia/Shanghai (`pl.Datetime("us")`), so `.dt.date()` is the local
day. Money and prices are Int64 fen (exact, fast); quantities Float64. Codes are strings
(the loaders may cast the hot ones to Categorical). Loaders (files, SQLite, PostgreSQL) must
produce exactly these schemas; `conform` casts and fills what a source lacks.
"""

from __future__ import annotations

import polars as pl

DT = pl.Datetime("us")
FEN = pl.Int64

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "institutions": {
        "fixmedins_code": pl.String,
        "fixmedins_type": pl.String,
        "hosp_lv": pl.String,
        "hosp_level": pl.Int8,  # 1/2/3 derived from hosp_lv, null when ungraded
        "admdvs": pl.String,
        "open_bed_cnt": pl.Int32,
    },
    "practitioners": {
        "dr_code": pl.String,
        "fixmedins_code": pl.String,
        "dept_codg": pl.String,
        "prac_type": pl.String,
    },
    "persons": {
        "psn_no": pl.String,
        "gend": pl.String,
        "brdy": pl.Date,
        "insutype": pl.String,
        "insuplc_admdvs": pl.String,
    },
    "catalog": {
        "med_list_codg": pl.String,
        "list_type": pl.String,
        "med_chrgitm_type": pl.String,
        "chrgitm_lv": pl.String,
        "pric_uplmt_amt": FEN,
        "lmt_gend": pl.String,
        "lmt_min_age": pl.Int16,
        "lmt_max_age": pl.Int16,
        "lmt_dise_prefixes": pl.String,
        "lmt_inpatient_only": pl.Boolean,
        "lmt_min_hosp_lv": pl.Int8,
        "max_pay_days": pl.Int32,
        "max_daily_cnt": pl.Float64,
        "max_supply_days": pl.Int32,
        "repeat_window_days": pl.Int32,
        "includes_codes": pl.String,
    },
    "settlements": {
        "setl_id": pl.String,
        "mdtrt_id": pl.String,
        "psn_no": pl.String,
        "fixmedins_code": pl.String,
        "insutype": pl.String,
        "med_type": pl.String,
        "begntime": DT,
        "endtime": DT,
        "dise_codg": pl.String,
        "adm_dept_codg": pl.String,
        "atddr_no": pl.String,
        "medfee_sumamt": FEN,
        "fulamt_ownpay_amt": FEN,
        "inscp_scp_amt": FEN,
        "hifp_pay": FEN,
        "acct_pay": FEN,
        "psn_cash_pay": FEN,
        "setl_time": DT,
        "refd_setl_flag": pl.Boolean,
    },
    "diagnoses": {
        "mdtrt_id": pl.String,
        "diag_srt_no": pl.Int16,
        "diag_code": pl.String,
    },
    "fee_lines": {
        "feedetl_sn": pl.String,
        "setl_id": pl.String,
        "mdtrt_id": pl.String,
        "psn_no": pl.String,
        "fixmedins_code": pl.String,
        "fee_ocur_time": DT,
        "med_list_codg": pl.String,
        "med_chrgitm_type": pl.String,
        "cnt": pl.Float64,
        "pric": FEN,
        "det_item_fee_sumamt": FEN,
        "prd_days": pl.Int32,
        "bilg_dept_codg": pl.String,
        "bilg_dr_codg": pl.String,
        "chrgitm_lv": pl.String,
    },
    "bed_checks": {
        "check_id": pl.String,
        "mdtrt_id": pl.String,
        "checked_at": DT,
        "result": pl.String,
    },
}


def empty(name: str) -> pl.LazyFrame:
    """A frame with the schema and no rows: what a rule sees when a source is absent."""
    return pl.LazyFrame(schema=SCHEMAS[name])
