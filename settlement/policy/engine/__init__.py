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

Day surgery (日间手术) with a fixed rate pays that amount (at most the in-scope amount after the
乙类 share), with no deductible and no cross-region cut; without a rate the scheme's share
applies. Cross-region cuts lower every share in ratio points (0.10 = 10 points).
"""

from settlement.policy.engine.arithmetic import settle
from settlement.policy.engine.data import (
    CENT,
    CLASS_A,
    CLASS_B,
    CLASS_C,
    DAY_SURGERY,
    NEGOTIATED,
    OUTPATIENT_QUOTA,
    STAY,
    YEAR,
    ZERO,
    Breakdown,
    ChronicDisease,
    Claim,
    ClaimLine,
    DaySurgeryRate,
    PolicyError,
    PolicySet,
    YearToDate,
    chronic_key,
    deductible_key,
    money,
    radiotherapy_key,
)

__all__ = [
    "CENT",
    "CLASS_A",
    "CLASS_B",
    "CLASS_C",
    "DAY_SURGERY",
    "NEGOTIATED",
    "OUTPATIENT_QUOTA",
    "STAY",
    "YEAR",
    "ZERO",
    "Breakdown",
    "ChronicDisease",
    "Claim",
    "ClaimLine",
    "DaySurgeryRate",
    "PolicyError",
    "PolicySet",
    "YearToDate",
    "chronic_key",
    "deductible_key",
    "money",
    "radiotherapy_key",
    "settle",
]
