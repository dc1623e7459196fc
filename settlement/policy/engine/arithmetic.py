"""The settlement arithmetic: pools, deductible, shares, quotas and caps, step by step."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from settlement.policy.engine.data import (
    CLASS_B,
    CLASS_C,
    DAY_SURGERY,
    NEGOTIATED,
    OUTPATIENT_QUOTA,
    YEAR,
    ZERO,
    Breakdown,
    ChronicDisease,
    Claim,
    ClaimLine,
    DaySurgeryRate,
    PolicyError,
    PolicySet,
    chronic_key,
    deductible_key,
    money,
    radiotherapy_key,
)


def _yuan(amount: Decimal) -> str:
    return f"{money(amount):.2f}"


def _percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f}%"


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


def _cap(fund: Decimal, limit: Decimal, used: Decimal, label: str, steps: list[str]) -> Decimal:
    """fund limited to what is left of limit (the step says so when it cuts)."""
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
        return left
    return fund


def _main_fund(
    claim: Claim, policy: PolicySet, base: Decimal, steps: list[str], counters: dict
) -> tuple[Decimal, Decimal]:
    """(fund, deductible) for the main pool's base, before the annual cap."""
    ytd = claim.year_to_date
    base = max(base, ZERO)  # refund lines alone: the fund pays nothing, the person gets it back
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
        fund = _cap(fund, limit, ytd.used(key), label, steps)
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
        main_fund = _cap(main_fund, policy.annual_cap, used, _("Annual cap"), steps)
        dual_fund = _cap(dual_fund, policy.annual_cap, used + main_fund, _("Annual cap"), steps)
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
