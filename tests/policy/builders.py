"""Small claims and policies for hand-worked examples: name only what the example is about."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from settlement.policy.engine import Claim, ClaimLine, PolicySet, YearToDate
from tests.factories import FeeLineFactory, PersonFactory, SettlementFactory

D = Decimal


def line(amount: str, level: str = "01", **fields: object) -> ClaimLine:
    """One fee line of amount yuan, 甲类 unless level says otherwise."""
    values = {"hilist_code": f"ITEM-{level}-{amount}", "list_type": "201", "chrgitm_lv": level}
    return ClaimLine(det_item_fee_sumamt=D(amount), **{**values, **fields})


def inpatient_policy(**fields: object) -> PolicySet:
    """职工 level-3 inpatient: 800 deductible per stay, fund pays 90 %."""
    values = {
        "version": "T-1",
        "insutype": "310",
        "med_type": "21",
        "institution_level": 3,
        "fund_ratio": D("0.90"),
        "deductible": D("800"),
    }
    return PolicySet(**{**values, **fields})


def outpatient_policy(**fields: object) -> PolicySet:
    """职工 level-3 general outpatient: 200 per year, fund pays 50 %, quota 2000."""
    values = {
        "version": "T-1",
        "insutype": "310",
        "med_type": "11",
        "institution_level": 3,
        "fund_ratio": D("0.50"),
        "deductible": D("200"),
        "deductible_basis": "year",
        "deductible_group": "outpatient",
        "outpatient_quota": D("2000"),
    }
    return PolicySet(**{**values, **fields})


def claim_for(
    policy: PolicySet, *lines: ClaimLine, counters: dict | None = None, **fields: object
) -> Claim:
    """A claim that fits policy, in March 2026, with the given lines and year so far."""
    values = {
        "insutype": policy.insutype,
        "med_type": policy.med_type,
        "institution_level": policy.institution_level,
        "begin_date": date(2026, 3, 2),
        "end_date": date(2026, 3, 9),
        "lines": lines,
        "year_to_date": YearToDate(counters=counters or {}),
    }
    return Claim(**{**values, **fields})


def stay(institution, amount: str, *, insutype: str = "390", paid: str = "0"):
    """A stored inpatient stay of one 甲类 line, fund paid as given, the rest in cash."""
    person = PersonFactory(insurance_type=insutype)
    total = D(amount)
    settlement = SettlementFactory(
        person=person,
        institution=institution,
        insurance_type=insutype,
        medical_type="21",
        total=total,
        in_scope=total,
        fund_paid=D(paid),
        cash_paid=total - D(paid),
    )
    FeeLineFactory(settlement=settlement, amount=total, unit_price=total, charge_level="01")
    return settlement
