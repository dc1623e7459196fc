"""Who pays what for one claim under one policy set: pure arithmetic, no database, no clock.

Rounding: every amount is a Decimal in yuan. Each product of an amount and a ratio is rounded
to 0.01 yuan with ROUND_HALF_UP at the step where it is computed (the step's text shows the
rounded figure); sums and differences of rounded amounts are exact. Ratios are fractions
(Decimal("0.90") is 90 %).

The split follows the interchange contract: fulamt_ownpay_amt + inscp_scp_amt = medfee_sumamt
and hifp_pay + acct_pay + psn_cash_pay = medfee_sumamt. fulamt_ownpay_amt is what lies outside
the policy scope (丙类 items and the excess over a price cap, also given apart as
overlmt_selfpay); inscp_scp_amt is the rest, of which the person first pays the 乙类 share
(preselfpay_amt) and the deductible (act_pay_dedc) before the fund's share applies.

Claims are settled in pools: the main pool (the policy's ratio, deductible and quota), and for
outpatient policies with a negotiated-drug ratio, 国谈药 bought through the dual channel
(双通道), paid at that ratio with no deductible and outside the outpatient annual quota. Both
pools count against the annual cap (封顶线), the main pool first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

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


def _yuan(amount: Decimal) -> str:
    return f"{money(amount):.2f}"


def _percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f}%"


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


@dataclass
class _Pool:
    """Running totals of one pool's lines."""

    total: Decimal = ZERO
    own: Decimal = ZERO
    over_cap: Decimal = ZERO
    class_b: Decimal = ZERO

    @property
    def in_scope(self) -> Decimal:
        return self.total - self.own


def _is_dual_channel(line: ClaimLine, policy: PolicySet) -> bool:
    return policy.negotiated_ratio is not None and line.negotiated_drug and line.dual_channel


def _add_line(pool: _Pool, line: ClaimLine, steps: list[str]) -> None:
    amount = money(line.det_item_fee_sumamt)
    pool.total += amount
    if line.chrgitm_lv == CLASS_C:
        pool.own += amount
        steps.append(
            _("%(code)s is class C (丙类): %(amount)s yuan fully self-paid.")
            % {"code": line.hilist_code, "amount": _yuan(amount)}
        )
        return
    scope = amount
    if line.pric_uplmt_amt is not None and amount > 0:
        ceiling = money(line.pric_uplmt_amt * line.qty)
        if amount > ceiling:
            excess = amount - ceiling
            pool.own += excess
            pool.over_cap += excess
            scope = ceiling
            steps.append(
                _(
                    "%(code)s exceeds its price cap %(cap)s × %(qty)s = %(ceiling)s yuan: "
                    "%(excess)s yuan self-paid."
                )
                % {
                    "code": line.hilist_code,
                    "cap": _yuan(line.pric_uplmt_amt),
                    "qty": f"{line.qty.normalize():f}",
                    "ceiling": _yuan(ceiling),
                    "excess": _yuan(excess),
                }
            )
    if line.chrgitm_lv == CLASS_B:
        pool.class_b += scope


def _check_fit(claim: Claim, policy: PolicySet) -> None:
    if claim.institution_level not in (1, 2, 3):
        raise PolicyError(
            _("Institution level must be 1, 2 or 3, not %(level)s.")
            % {"level": claim.institution_level}
        )
    wanted = (claim.insutype, claim.med_type, claim.institution_level)
    offered = (policy.insutype, policy.med_type, policy.institution_level)
    if wanted != offered:
        raise PolicyError(
            _("Policy %(version)s is for %(offered)s, the claim is %(wanted)s.")
            % {"version": policy.version, "offered": offered, "wanted": wanted}
        )
    if claim.end_date < claim.begin_date:
        raise PolicyError(_("The claim ends before it begins."))


def _class_b_ratio(claim: Claim, policy: PolicySet, steps: list[str]) -> Decimal:
    dialysis = any(claim.disease_code.startswith(p) for p in policy.dialysis_icd_prefixes)
    start = policy.dialysis_no_class_b_from
    if dialysis and start is not None and claim.begin_date >= start:
        steps.append(
            _("Dialysis (%(disease)s) from %(start)s: no class B first self-pay.")
            % {"disease": claim.disease_code, "start": start.isoformat()}
        )
        return ZERO
    return policy.class_b_self_ratio


def _ratio(claim: Claim, base_ratio: Decimal, policy: PolicySet, steps: list[str]) -> Decimal:
    if not claim.cross_region:
        return base_ratio
    if claim.filed or claim.emergency:
        cut = policy.cross_region_filed_cut
        reason = _("filed") if claim.filed else _("emergency, treated as filed")
    else:
        cut = policy.cross_region_unfiled_cut
        reason = _("not filed")
    ratio = max(base_ratio - cut, ZERO)
    steps.append(
        _("Cross-region care, %(reason)s: fund share %(base)s − %(cut)s = %(ratio)s.")
        % {
            "reason": reason,
            "base": _percent(base_ratio),
            "cut": _percent(cut),
            "ratio": _percent(ratio),
        }
    )
    return ratio


def _deductible(claim: Claim, policy: PolicySet, base: Decimal, steps: list[str]) -> Decimal:
    """The part of base the person bears as deductible in this claim."""
    if policy.deductible_basis == YEAR:
        group = policy.deductible_group or policy.med_type
        used = claim.year_to_date.used(deductible_key(group))
        remaining = max(policy.deductible - used, ZERO)
        borne = min(base, remaining)
        steps.append(
            _(
                "Deductible %(deductible)s yuan per year, %(used)s already borne: "
                "%(borne)s yuan borne now."
            )
            % {
                "deductible": _yuan(policy.deductible),
                "used": _yuan(used),
                "borne": _yuan(borne),
            }
        )
        return borne
    borne = min(base, policy.deductible)
    steps.append(
        _("Deductible %(deductible)s yuan per stay: %(borne)s yuan borne.")
        % {"deductible": _yuan(policy.deductible), "borne": _yuan(borne)}
    )
    return borne


def _chronic_disease(claim: Claim, policy: PolicySet) -> ChronicDisease | None:
    for disease in policy.chronic_diseases:
        if disease.code in claim.certified_diseases and any(
            claim.disease_code.startswith(prefix) for prefix in disease.icd_prefixes
        ):
            return disease
    return None


def _day_surgery_rate(claim: Claim, policy: PolicySet) -> DaySurgeryRate | None:
    """The fixed rate by procedure code, else by main diagnosis; an unknown code is an error."""
    if claim.med_type != DAY_SURGERY:
        return None
    if claim.day_surgery_code:
        for rate in policy.day_surgery:
            if rate.code == claim.day_surgery_code:
                return rate
        raise PolicyError(
            _("Day surgery %(code)s has no fixed rate in policy %(version)s.")
            % {"code": claim.day_surgery_code, "version": policy.version}
        )
    for rate in policy.day_surgery:
        if any(claim.disease_code.startswith(prefix) for prefix in rate.icd_prefixes):
            return rate
    return None


def _cap(
    fund: Decimal, limit: Decimal, used: Decimal, label: str, steps: list[str]
) -> tuple[Decimal, Decimal]:
    """fund limited to what is left of limit; returns (fund, what this claim uses of it)."""
    left = max(limit - used, ZERO)
    if fund > left:
        steps.append(
            _("%(label)s %(limit)s yuan, %(used)s used: fund pays %(left)s instead of %(fund)s.")
            % {
                "label": label,
                "limit": _yuan(limit),
                "used": _yuan(used),
                "left": _yuan(left),
                "fund": _yuan(fund),
            }
        )
        return left, left
    return fund, fund


def _main_fund(
    claim: Claim, policy: PolicySet, base: Decimal, steps: list[str], counters: dict
) -> tuple[Decimal, Decimal]:
    """(fund, deductible) for the main pool's base, before the annual cap."""
    ytd = claim.year_to_date
    rate = _day_surgery_rate(claim, policy)
    if rate is not None:
        fund = min(rate.fund_amount, base)
        steps.append(
            _("Day surgery %(code)s %(name)s: fixed fund amount %(amount)s yuan, pays %(fund)s.")
            % {
                "code": rate.code,
                "name": rate.name,
                "amount": _yuan(rate.fund_amount),
                "fund": _yuan(fund),
            }
        )
        return fund, ZERO
    ratio = policy.fund_ratio
    disease = None
    if policy.chronic_diseases:
        disease = _chronic_disease(claim, policy)
        if disease is None:
            steps.append(
                _(
                    "%(disease)s is not a chronic/special disease the person is certified "
                    "for: the fund pays nothing."
                )
                % {"disease": claim.disease_code or "-"}
            )
            return ZERO, ZERO
        ratio = disease.fund_ratio if disease.fund_ratio is not None else ratio
        steps.append(
            _("Certified chronic/special disease %(code)s %(name)s.")
            % {"code": disease.code, "name": disease.name}
        )
    deductible = _deductible(claim, policy, base, steps)
    if policy.deductible_basis == YEAR and deductible:
        counters[deductible_key(policy.deductible_group or policy.med_type)] = deductible
    ratio = _ratio(claim, ratio, policy, steps)
    fund = money((base - deductible) * ratio)
    steps.append(
        _("Fund share %(ratio)s of (%(base)s − %(deductible)s) = %(fund)s yuan.")
        % {
            "ratio": _percent(ratio),
            "base": _yuan(base),
            "deductible": _yuan(deductible),
            "fund": _yuan(fund),
        }
    )
    limits = []
    if disease is not None and disease.annual_quota is not None:
        limits.append((chronic_key(disease.code), disease.annual_quota, _("Annual quota")))
    if policy.outpatient_quota is not None:
        limits.append((OUTPATIENT_QUOTA, policy.outpatient_quota, _("Outpatient annual quota")))
    if claim.radiotherapy_course and policy.radiotherapy_course_quota is not None:
        key = radiotherapy_key(claim.radiotherapy_course)
        limits.append((key, policy.radiotherapy_course_quota, _("Radiotherapy course quota")))
    for key, limit, label in limits:
        fund, _use = _cap(fund, limit, ytd.used(key), label, steps)
    for key, _limit, _label in limits:
        counters[key] = fund
    return fund, deductible


def settle(claim: Claim, policy: PolicySet) -> Breakdown:
    """Settle claim under policy; raises PolicyError when they do not fit together."""
    _check_fit(claim, policy)
    steps: list[str] = [_("Policy %(version)s.") % {"version": policy.version}]
    main, dual = _Pool(), _Pool()
    for line in claim.lines:
        _add_line(dual if _is_dual_channel(line, policy) else main, line, steps)
    b_ratio = _class_b_ratio(claim, policy, steps)
    counters: dict[str, Decimal] = {}

    main_pre = money(main.class_b * b_ratio)
    dual_pre = money(dual.class_b * b_ratio)
    if main_pre or dual_pre:
        steps.append(
            _("Class B first self-pay %(ratio)s of %(amount)s yuan = %(pre)s yuan.")
            % {
                "ratio": _percent(b_ratio),
                "amount": _yuan(main.class_b + dual.class_b),
                "pre": _yuan(main_pre + dual_pre),
            }
        )
    main_fund, deductible = _main_fund(claim, policy, main.in_scope - main_pre, steps, counters)
    dual_fund = ZERO
    if dual.total:
        ratio = _ratio(claim, policy.negotiated_ratio, policy, steps)
        dual_fund = money((dual.in_scope - dual_pre) * ratio)
        steps.append(
            _(
                "Negotiated drugs through the dual channel: %(ratio)s of %(base)s = %(fund)s "
                "yuan, no deductible, outside the outpatient quota."
            )
            % {
                "ratio": _percent(ratio),
                "base": _yuan(dual.in_scope - dual_pre),
                "fund": _yuan(dual_fund),
            }
        )

    if policy.annual_cap is not None:
        used = claim.year_to_date.hifp_pay
        main_fund, _use = _cap(main_fund, policy.annual_cap, used, _("Annual cap"), steps)
        dual_fund, _use = _cap(
            dual_fund, policy.annual_cap, used + main_fund, _("Annual cap"), steps
        )
        for key in list(counters):
            if not key.startswith("deductible:"):
                counters[key] = min(counters[key], main_fund)
    if dual_fund:
        counters[NEGOTIATED] = dual_fund

    total = main.total + dual.total
    own = main.own + dual.own
    hifp = main_fund + dual_fund
    personal = total - hifp
    acct = min(max(claim.account_balance, ZERO), personal) if policy.personal_account else ZERO
    if acct:
        steps.append(
            _("Personal account pays %(acct)s of the person's %(personal)s yuan.")
            % {"acct": _yuan(acct), "personal": _yuan(personal)}
        )
    steps.append(
        _("Total %(total)s = fund %(hifp)s + account %(acct)s + cash %(cash)s yuan.")
        % {
            "total": _yuan(total),
            "hifp": _yuan(hifp),
            "acct": _yuan(acct),
            "cash": _yuan(personal - acct),
        }
    )
    return Breakdown(
        medfee_sumamt=money(total),
        fulamt_ownpay_amt=money(own),
        inscp_scp_amt=money(total - own),
        hifp_pay=money(hifp),
        acct_pay=money(acct),
        psn_cash_pay=money(personal - acct),
        steps=tuple(steps),
        policy_version=policy.version,
        overlmt_selfpay=money(main.over_cap + dual.over_cap),
        preselfpay_amt=money(main_pre + dual_pre),
        act_pay_dedc=money(deductible),
        counters=tuple(sorted((k, money(v)) for k, v in counters.items() if v)),
    )
