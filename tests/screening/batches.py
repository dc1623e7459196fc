"""Write tiny interchange batches (CSV, national names) for file-level tests."""

from __future__ import annotations

import csv
from pathlib import Path

INSTITUTIONS = [
    {
        "fixmedins_code": "H1",
        "fixmedins_name": "一院",
        "fixmedins_type": "1",
        "hosp_lv": "05",
        "admdvs": "370102",
        "open_bed_cnt": "300",
    },
    {
        "fixmedins_code": "P1",
        "fixmedins_name": "药店",
        "fixmedins_type": "2",
        "hosp_lv": "",
        "admdvs": "370102",
        "open_bed_cnt": "0",
    },
]
CATALOG = [
    {
        "med_list_codg": "001201000010000",
        "name": "项目",
        "list_type": "201",
        "med_chrgitm_type": "05",
        "chrgitm_lv": "01",
        "pric_uplmt_amt": "10.00",
        "lmt_inpatient_only": "0",
        "max_daily_cnt": "",
    },
]
SETTLEMENTS = [
    {
        "setl_id": "S1",
        "mdtrt_id": "M1",
        "psn_no": "P1",
        "fixmedins_code": "H1",
        "insutype": "310",
        "med_type": "11",
        "begntime": "2025-03-10 09:00:00",
        "endtime": "2025-03-10 10:00:00",
        "dise_codg": "J06.900",
        "medfee_sumamt": "25.01",
        "fulamt_ownpay_amt": "0.00",
        "inscp_scp_amt": "25.01",
        "hifp_pay": "15.00",
        "acct_pay": "0.00",
        "psn_cash_pay": "10.01",
        "setl_time": "2025-03-10 10:00:00",
        "refd_setl_flag": "0",
    },
]
FEE_DETAILS = [
    {
        "feedetl_sn": "F1",
        "setl_id": "S1",
        "mdtrt_id": "M1",
        "psn_no": "P1",
        "fixmedins_code": "H1",
        "fee_ocur_time": "2025-03-10 09:30:00",
        "med_list_codg": "001201000010000",
        "med_chrgitm_type": "05",
        "cnt": "1",
        "pric": "12.50",
        "det_item_fee_sumamt": "12.50",
        "prd_days": "",
        "bilg_dr_codg": "D1",
        "chrgitm_lv": "01",
        "extra_vendor_column": "ignored",
    },
    {
        "feedetl_sn": "F2",
        "setl_id": "S1",
        "mdtrt_id": "M1",
        "psn_no": "P1",
        "fixmedins_code": "H1",
        "fee_ocur_time": "2025-03-10 09:30:00",
        "med_list_codg": "001201000010000",
        "med_chrgitm_type": "05",
        "cnt": "1",
        "pric": "12.51",
        "det_item_fee_sumamt": "12.51",
        "prd_days": "",
        "bilg_dr_codg": "D1",
        "chrgitm_lv": "01",
        "extra_vendor_column": "ignored",
    },
]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_batch(folder: Path, **overrides: list[dict[str, str]]) -> Path:
    """institutions, catalog, settlements and fee_details CSVs; override any by name."""
    files = {
        "institutions": INSTITUTIONS,
        "catalog": CATALOG,
        "settlements": SETTLEMENTS,
        "fee_details": FEE_DETAILS,
        **overrides,
    }
    for stem, rows in files.items():
        if rows:
            write_csv(folder / f"{stem}.csv", rows)
    return folder
