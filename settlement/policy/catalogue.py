"""A realistic Shandong policy set (demo figures modelled on Jinan's published rates).

The rates are illustrative, not an official table: deductibles, shares and caps per insurance
type (310 职工, 390 城乡居民), medical type and institution level 1/2/3.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from django.contrib.auth.models import AbstractBaseUser

from settlement.policy.models import (
    ChronicDiseaseQuota,
    DaySurgeryRate,
    NegotiatedDrug,
    PolicyScheme,
    PolicyVersion,
)

LEVELS = (1, 2, 3)

# (deductible per level, fund share per level)
INPATIENT = {
    "310": ((D("200"), D("500"), D("800")), (D("0.95"), D("0.92"), D("0.90"))),
    "390": ((D("200"), D("500"), D("1000")), (D("0.90"), D("0.80"), D("0.60"))),
}
OUTPATIENT = {  # 门诊统筹: per-year deductible, share, annual quota
    "310": (D("200"), (D("0.70"), D("0.60"), D("0.50")), D("2000")),
    "390": (D("0"), (D("0.60"), D("0.50"), D("0.40")), D("400")),
}
CHRONIC = {  # 门诊慢特病: per-year deductible per level, default share per level
    "310": ((D("200"), D("400"), D("600")), (D("0.90"), D("0.85"), D("0.80"))),
    "390": ((D("200"), D("300"), D("500")), (D("0.70"), D("0.65"), D("0.60"))),
}
ANNUAL_CAP = {"310": D("300000"), "390": D("200000")}
CLASS_B_SELF = {"310": D("0.10"), "390": D("0.10")}
NEGOTIATED_SHARE = {"310": D("0.80"), "390": D("0.65")}
RADIOTHERAPY_COURSE_QUOTA = {"310": D("20000"), "390": D("15000")}
CROSS_REGION_FILED_CUT = D("0.00")
CROSS_REGION_UNFILED_CUT = D("0.20")

# code (as certifications name it), name, ICD-10 prefixes, quota 310, quota 390, share
CHRONIC_DISEASES = (
    ("I10", "高血压", "I10|I11|I12|I13|I15", D("1200"), D("600"), None),
    ("E11", "糖尿病", "E10|E11|E12|E13|E14", D("2400"), D("1200"), None),
    ("I25", "冠心病", "I20|I25", D("3000"), D("1500"), None),
    ("F20", "精神分裂症", "F20", D("6000"), D("4000"), D("0.90")),
    ("N18", "慢性肾功能衰竭(透析)", "N18|N19|Z49", D("60000"), D("50000"), D("0.90")),
    ("C00", "恶性肿瘤门诊治疗", "C", D("80000"), D("60000"), D("0.85")),
)
DIALYSIS_PREFIXES = "N18|N19|Z49"

# code, name, ICD-10 prefixes, fixed fund amount at levels 1/2/3
DAY_SURGERY = (
    ("66.8401", "白内障超声乳化摘除+人工晶体植入", "H25|H26", (None, D("3000"), D("3500"))),
    ("51.2301", "腹腔镜胆囊切除术", "K80|K81", (None, D("6000"), D("7000"))),
    ("53.0001", "腹股沟疝修补术", "K40", (D("2500"), D("3000"), D("3500"))),
    ("45.4201", "内镜下结肠息肉切除术", "K63.5|D12", (D("1500"), D("1800"), D("2000"))),
)

NEGOTIATED_DRUGS = (
    ("XL01XC032B001010101234", "帕博利珠单抗注射液"),
    ("XL01EX020A001010104567", "安罗替尼胶囊"),
    ("XA10BK010A001010107890", "达格列净片"),
)


def schemes(insutype: str) -> list[dict]:
    """The scheme rows of one insurance type, as PolicyScheme field values."""
    rows = []
    deductibles, shares = INPATIENT[insutype]
    common = {
        "annual_cap": ANNUAL_CAP[insutype],
        "class_b_self_ratio": CLASS_B_SELF[insutype],
        "personal_account": insutype == "310",
        "cross_region_filed_cut": CROSS_REGION_FILED_CUT,
        "cross_region_unfiled_cut": CROSS_REGION_UNFILED_CUT,
    }
    for index, level in enumerate(LEVELS):
        for med_type in ("21", "22"):
            rows.append(
                {
                    **common,
                    "med_type": med_type,
                    "institution_level": level,
                    "deductible": deductibles[index],
                    "fund_ratio": shares[index],
                }
            )
        rows.append(
            {**common, "med_type": "28", "institution_level": level, "fund_ratio": shares[index]}
        )
        outpatient_deductible, outpatient_shares, quota = OUTPATIENT[insutype]
        for med_type in ("11", "13", "41"):
            rows.append(
                {
                    **common,
                    "med_type": med_type,
                    "institution_level": level,
                    "deductible": outpatient_deductible,
                    "deductible_basis": "year",
                    "deductible_group": "outpatient",
                    "fund_ratio": outpatient_shares[index],
                    "outpatient_quota": quota,
                    "negotiated_ratio": NEGOTIATED_SHARE[insutype],
                }
            )
        chronic_deductibles, chronic_shares = CHRONIC[insutype]
        rows.append(
            {
                **common,
                "med_type": "14",
                "institution_level": level,
                "deductible": chronic_deductibles[index],
                "deductible_basis": "year",
                "deductible_group": "chronic",
                "fund_ratio": chronic_shares[index],
                "negotiated_ratio": NEGOTIATED_SHARE[insutype],
                "radiotherapy_course_quota": RADIOTHERAPY_COURSE_QUOTA[insutype],
                "chronic": True,
            }
        )
    return rows


def shandong_version_create(
    *, code: str, title: str, effective_from: date, author: AbstractBaseUser | None
) -> PolicyVersion:
    """A draft version holding the whole Shandong policy set above (both insurance types)."""
    version = PolicyVersion.objects.create(
        code=code,
        title=title,
        document="鲁医保发〔2025〕演示",
        effective_from=effective_from,
        dialysis_icd_prefixes=DIALYSIS_PREFIXES,
        created_by=author,
        note="山东省职工和城乡居民基本医疗保险待遇（演示数据）",
    )
    for insutype in ("310", "390"):
        PolicyScheme.objects.bulk_create(
            PolicyScheme(version=version, insutype=insutype, **row) for row in schemes(insutype)
        )
        quota_index = 3 if insutype == "310" else 4
        ChronicDiseaseQuota.objects.bulk_create(
            ChronicDiseaseQuota(
                version=version,
                insutype=insutype,
                code=row[0],
                name=row[1],
                icd_prefixes=row[2],
                annual_quota=row[quota_index],
                fund_ratio=row[5],
            )
            for row in CHRONIC_DISEASES
        )
        DaySurgeryRate.objects.bulk_create(
            DaySurgeryRate(
                version=version,
                insutype=insutype,
                institution_level=level,
                code=procedure,
                name=name,
                icd_prefixes=prefixes,
                fund_amount=amounts[level - 1],
            )
            for procedure, name, prefixes, amounts in DAY_SURGERY
            for level in LEVELS
            if amounts[level - 1] is not None
        )
    NegotiatedDrug.objects.bulk_create(
        NegotiatedDrug(version=version, code=drug_code, name=name)
        for drug_code, name in NEGOTIATED_DRUGS
    )
    return version
