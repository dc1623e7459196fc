"""The engine's plain data: claims, year-to-date counters, policy sets and breakdowns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

CLASS_A, CLASS_B, CLASS_C = "01", "02", "03"
STAY, YEAR = "stay", "year"
DAY_SURGERY = "28"

# Keys of the year-to-date counters a claim adds to (YearToDate.counters, Breakdown.counters).
OUTPATIENT_QUOTA = "outpatient_quota"  # fund paid under the outpatient annual quota (门诊统筹)
NEGOTIATED = "negotiated"  # fund paid for dual-channel negotiated drugs


def deductible_key(group: str) -> str:
    """Counter of the per-year deductible the person has borne in this deductible group."""
    return f"deductible:{group}"


def chronic_key(disease_code: str) -> str:
    """Counter of the fund paid this year for one certified chronic/special disease."""
    return f"chronic:{disease_code}"


def radiotherapy_key(course: str) -> str:
    """Counter of the fund paid for one radiotherapy course."""
    return f"radiotherapy:{course}"


def money(amount: Decimal) -> Decimal:
    """Round to 0.01 yuan, half up."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


class PolicyError(ValueError):
    """The claim and the policy do not fit together; the message says how."""


@dataclass(frozen=True)
class ClaimLine:
    hilist_code: str
    list_type: str  # 101 西药中成药, 102 中药饮片, 201 医疗服务项目, 301 医用耗材
    chrgitm_lv: str  # 01 甲类, 02 乙类, 03 丙类
    det_item_fee_sumamt: Decimal
    pric_uplmt_amt: Decimal | None = None  # price cap per unit; None: no cap
    qty: Decimal = Decimal("1")
    negotiated_drug: bool = False  # 国家谈判药品
    dual_channel: bool = False  # bought through the dual channel (双通道)
    feedetl_sn: str = ""


@dataclass(frozen=True)
class YearToDate:
    """What this person's fund already paid this year, and the counters the policy limits."""

    hifp_pay: Decimal = ZERO
    counters: Mapping[str, Decimal] = field(default_factory=dict)

    def used(self, key: str) -> Decimal:
        return Decimal(self.counters.get(key, ZERO))


@dataclass(frozen=True)
class Claim:
    insutype: str  # 310 职工, 390 城乡居民
    med_type: str  # 11, 13, 14, 21, 22, 28, 41 ...
    institution_level: int  # 1, 2, 3
    begin_date: date
    end_date: date
    lines: tuple[ClaimLine, ...]
    disease_code: str = ""  # main diagnosis (ICD-10)
    certified_diseases: frozenset[str] = frozenset()  # 门诊慢特病 codes the person is certified for
    cross_region: bool = False
    filed: bool = False  # 异地就医备案
    emergency: bool = False
    day_surgery_code: str = ""
    radiotherapy_course: str = ""
    year_to_date: YearToDate = field(default_factory=YearToDate)
    account_balance: Decimal = ZERO  # personal account balance (职工个人账户)


@dataclass(frozen=True)
class ChronicDisease:
    code: str  # the 门诊慢特病 code certifications use
    name: str
    icd_prefixes: tuple[str, ...]  # main diagnoses that belong to it
    annual_quota: Decimal | None  # most the fund pays for it per year; None: no quota
    fund_ratio: Decimal | None = None  # None: the policy's ratio


@dataclass(frozen=True)
class DaySurgeryRate:
    code: str
    name: str
    fund_amount: Decimal  # the fund pays this fixed amount per procedure (定额)
    icd_prefixes: tuple[str, ...] = ()  # main diagnoses it applies to when no code is given


@dataclass(frozen=True)
class PolicySet:
    version: str
    insutype: str
    med_type: str
    institution_level: int
    fund_ratio: Decimal
    deductible: Decimal = ZERO
    deductible_basis: str = STAY  # "stay": each claim; "year": once per year and group
    deductible_group: str = ""  # claims sharing a per-year deductible; empty: the med type
    annual_cap: Decimal | None = None  # 封顶线: most the fund pays per year
    outpatient_quota: Decimal | None = None  # 门诊统筹 annual quota of the main pool
    class_b_self_ratio: Decimal = ZERO  # 乙类 first self-paid share
    personal_account: bool = False  # the personal account pays the person's share
    negotiated_ratio: Decimal | None = None  # dual-channel 国谈药 pool; None: no separate pool
    chronic_diseases: tuple[ChronicDisease, ...] = ()
    dialysis_icd_prefixes: tuple[str, ...] = ()
    dialysis_no_class_b_from: date | None = None  # from this day dialysis has no 乙类 self-pay
    radiotherapy_course_quota: Decimal | None = None  # most the fund pays per course
    day_surgery: tuple[DaySurgeryRate, ...] = ()
    cross_region_filed_cut: Decimal = ZERO  # ratio points off when filed (or an emergency)
    cross_region_unfiled_cut: Decimal = ZERO  # ratio points off when not filed


@dataclass(frozen=True)
class Breakdown:
    """The settlement of one claim; every amount is Decimal yuan, 2 places, ROUND_HALF_UP."""

    medfee_sumamt: Decimal
    fulamt_ownpay_amt: Decimal
    inscp_scp_amt: Decimal
    hifp_pay: Decimal
    acct_pay: Decimal
    psn_cash_pay: Decimal
    steps: tuple[str, ...]
    policy_version: str
    overlmt_selfpay: Decimal = ZERO  # part of fulamt_ownpay_amt over price caps
    preselfpay_amt: Decimal = ZERO  # 乙类 first self-paid part of inscp_scp_amt
    act_pay_dedc: Decimal = ZERO  # deductible borne in this claim
    counters: tuple[tuple[str, Decimal], ...] = ()  # what this claim adds to YearToDate.counters
