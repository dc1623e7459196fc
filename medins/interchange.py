"""The interchange contract (shared/spec/interchange.md) in one place.

National field names map to model fields here and nowhere else: the importer, the exporter,
the generator and the REST API all read these specs. Files are listed in import order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    national: str  # the column name in files and API payloads
    field: str  # the model field (attname: `person_id` for a foreign key)
    kind: str  # str | int | date | datetime | money | decimal | bool
    required: bool = True
    max_length: int | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSpec:
    name: str  # file stem: institutions, persons, …
    model: str  # app_label.ModelName
    key: tuple[str, ...]  # national names of the upsert key
    columns: tuple[Column, ...]

    @property
    def nationals(self) -> tuple[str, ...]:
        return tuple(column.national for column in self.columns)

    def column(self, national: str) -> Column:
        return next(column for column in self.columns if column.national == national)


HOSP_LV = tuple(f"{code:02d}" for code in range(1, 15))
GENDERS = ("1", "2", "9")
CHARGE_TYPES = tuple(f"{code:02d}" for code in range(1, 15))
CHARGE_LEVELS = ("01", "02", "03")
MED_TYPES = ("11", "13", "14", "21", "22", "28", "41")

DIVISIONS = FileSpec(
    "divisions",
    "medins.Division",
    ("admdvs",),
    (
        Column("admdvs", "code", "str", max_length=12),
        Column("admdvs_name", "name", "str", max_length=100),
        Column("prnt_admdvs", "parent_id", "str", required=False, max_length=12),
    ),
)

INSTITUTIONS = FileSpec(
    "institutions",
    "medins.Institution",
    ("fixmedins_code",),
    (
        Column("fixmedins_code", "code", "str", max_length=20),
        Column("fixmedins_name", "name", "str", max_length=200),
        Column("fixmedins_type", "kind", "str", choices=("1", "2")),
        Column("hosp_lv", "hospital_grade", "str", required=False, choices=HOSP_LV),
        Column("admdvs", "division_code", "str", max_length=12),
        Column("open_bed_cnt", "beds", "int", required=False),
    ),
)

PRACTITIONERS = FileSpec(
    "practitioners",
    "medins.Practitioner",
    ("dr_code",),
    (
        Column("dr_code", "code", "str", max_length=30),
        Column("dr_name", "name", "str", max_length=50),
        Column("fixmedins_code", "institution_id", "str", max_length=20),
        Column("dept_codg", "department_code", "str", required=False, max_length=20),
        Column("prac_type", "kind", "str", choices=("1", "2", "3")),
    ),
)

PERSONS = FileSpec(
    "persons",
    "medins.Person",
    ("psn_no",),
    (
        Column("psn_no", "psn_no", "str", max_length=30),
        Column("certno", "certno", "str", max_length=18),
        Column("psn_name", "name", "str", max_length=50),
        Column("gend", "gender", "str", choices=GENDERS),
        Column("brdy", "birth_date", "date"),
        Column("insutype", "insurance_type", "str", choices=("310", "390")),
        Column("psn_type", "person_type", "str", required=False, max_length=10),
        Column("insuplc_admdvs", "division_code", "str", max_length=12),
    ),
)

CATALOG = FileSpec(
    "catalog",
    "medins.CatalogItem",
    ("med_list_codg",),
    (
        Column("med_list_codg", "code", "str", max_length=50),
        Column("name", "name", "str", max_length=200),
        Column("list_type", "list_type", "str", choices=("101", "102", "201", "301")),
        Column("med_chrgitm_type", "charge_type", "str", choices=CHARGE_TYPES),
        Column("chrgitm_lv", "charge_level", "str", choices=CHARGE_LEVELS),
        Column("pric_uplmt_amt", "price_cap", "decimal", required=False),
        Column("lmt_gend", "limit_gender", "str", required=False, choices=("1", "2")),
        Column("lmt_min_age", "limit_min_age", "int", required=False),
        Column("lmt_max_age", "limit_max_age", "int", required=False),
        Column(
            "lmt_dise_prefixes", "limit_diagnosis_prefixes", "str", required=False, max_length=500
        ),
        Column("lmt_inpatient_only", "limit_inpatient_only", "bool", required=False),
        Column(
            "lmt_min_hosp_lv",
            "limit_min_hospital_level",
            "int",
            required=False,
            choices=("1", "2", "3"),
        ),
        Column("max_pay_days", "max_pay_days", "int", required=False),
        Column("max_daily_cnt", "max_daily_count", "decimal", required=False),
        Column("max_supply_days", "max_supply_days", "int", required=False),
        Column("repeat_window_days", "repeat_window_days", "int", required=False),
        Column("includes_codes", "includes_codes", "str", required=False),
        # Not in the national file: when the version takes effect (default: see importer).
        Column("effective_from", "effective_from", "date", required=False),
    ),
)

SETTLEMENTS = FileSpec(
    "settlements",
    "settlement.Settlement",
    ("setl_id",),
    (
        Column("setl_id", "setl_id", "str", max_length=40),
        Column("mdtrt_id", "encounter_id", "str", max_length=40),
        Column("psn_no", "person_id", "str", max_length=30),
        Column("fixmedins_code", "institution_id", "str", max_length=20),
        Column("insutype", "insurance_type", "str", choices=("310", "390")),
        Column("med_type", "medical_type", "str", choices=MED_TYPES),
        Column("begntime", "begin_time", "datetime"),
        Column("endtime", "end_time", "datetime"),
        Column("dise_codg", "main_diagnosis", "str", required=False, max_length=30),
        Column("adm_dept_codg", "department_code", "str", required=False, max_length=20),
        Column("atddr_no", "attending_code", "str", required=False, max_length=30),
        Column("oprn_oprt_code", "procedure_code", "str", required=False, max_length=30),
        Column("rt_course_no", "radiotherapy_course", "str", required=False, max_length=40),
        Column("medfee_sumamt", "total", "money"),
        Column("fulamt_ownpay_amt", "fully_self_paid", "money"),
        Column("inscp_scp_amt", "in_scope", "money"),
        Column("hifp_pay", "fund_paid", "money"),
        Column("acct_pay", "account_paid", "money"),
        Column("psn_cash_pay", "cash_paid", "money"),
        Column("setl_time", "settled_at", "datetime"),
        Column("refd_setl_flag", "is_reversal", "bool", required=False),
    ),
)

DIAGNOSES = FileSpec(
    "diagnoses",
    "settlement.Diagnosis",
    ("mdtrt_id", "diag_srt_no"),
    (
        Column("mdtrt_id", "settlement_id", "str", max_length=40),
        Column("diag_srt_no", "rank", "int"),
        Column("diag_code", "code", "str", max_length=30),
    ),
)

FEE_DETAILS = FileSpec(
    "fee_details",
    "settlement.FeeLine",
    ("feedetl_sn",),
    (
        Column("feedetl_sn", "line_id", "str", max_length=40),
        Column("setl_id", "settlement_id", "str", max_length=40),
        Column("mdtrt_id", "encounter_id", "str", max_length=40),
        Column("psn_no", "person_id", "str", max_length=30),
        Column("fixmedins_code", "institution_id", "str", max_length=20),
        Column("fee_ocur_time", "occurred_at", "datetime"),
        Column("med_list_codg", "item_code", "str", max_length=50),
        Column("medins_list_codg", "institution_item_code", "str", required=False, max_length=150),
        Column("med_chrgitm_type", "charge_type", "str", choices=CHARGE_TYPES),
        Column("cnt", "quantity", "decimal"),
        Column("pric", "unit_price", "decimal"),
        Column("det_item_fee_sumamt", "amount", "money"),
        Column("prd_days", "supply_days", "int", required=False),
        Column("bilg_dept_codg", "department_code", "str", required=False, max_length=20),
        Column("bilg_dr_codg", "practitioner_code", "str", required=False, max_length=30),
        Column("chrgitm_lv", "charge_level", "str", required=False, choices=CHARGE_LEVELS),
    ),
)

BED_CHECKS = FileSpec(
    "bed_checks",
    "settlement.BedCheck",
    ("check_id",),
    (
        Column("check_id", "check_id", "str", max_length=40),
        Column("mdtrt_id", "settlement_id", "str", max_length=40),
        Column("checked_at", "checked_at", "datetime"),
        Column("result", "result", "str", choices=("1", "2", "3")),
    ),
)

# Import order: what a later file refers to is imported first.
FILES: tuple[FileSpec, ...] = (
    DIVISIONS,
    INSTITUTIONS,
    PRACTITIONERS,
    PERSONS,
    CATALOG,
    SETTLEMENTS,
    DIAGNOSES,
    FEE_DETAILS,
    BED_CHECKS,
)
FILES_BY_NAME = {spec.name: spec for spec in FILES}

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
