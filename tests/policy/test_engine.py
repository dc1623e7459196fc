"""The policy arithmetic against hand-worked examples, one class per policy feature.

Each docstring works the example out by hand; the test checks the engine agrees to the fen.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from settlement.policy.engine import (
    ChronicDisease,
    DaySurgeryRate,
    PolicyError,
    YearToDate,
    settle,
)
from tests.policy.builders import claim_for, inpatient_policy, line, outpatient_policy

D = Decimal


class TestDeductiblePerStay:
    def test_the_fund_pays_its_share_above_the_deductible(self):
        """5000 甲类, deductible 800: fund (5000 − 800) × 90 % = 3780; the person 1220."""
        policy = inpatient_policy()

        result = settle(claim_for(policy, line("5000")), policy)

        assert result.medfee_sumamt == D("5000.00")
        assert result.inscp_scp_amt == D("5000.00")
        assert result.act_pay_dedc == D("800.00")
        assert result.hifp_pay == D("3780.00")
        assert result.psn_cash_pay == D("1220.00")
        assert "Deductible 800.00 yuan per stay: 800.00 yuan borne." in result.steps

    def test_a_stay_below_the_deductible_is_paid_by_the_person(self):
        """500 甲类 < 800: the whole 500 is deductible, the fund pays nothing."""
        policy = inpatient_policy()

        result = settle(claim_for(policy, line("500")), policy)

        assert (result.act_pay_dedc, result.hifp_pay, result.psn_cash_pay) == (
            D("500.00"),
            D("0.00"),
            D("500.00"),
        )

    def test_each_stay_bears_the_deductible_again(self):
        """Per stay: a deductible borne earlier this year does not lower this one."""
        policy = inpatient_policy()
        claim = claim_for(policy, line("5000"), counters={"deductible:21": D("800")})

        assert settle(claim, policy).hifp_pay == D("3780.00")


class TestDeductiblePerYear:
    def test_only_what_is_left_of_the_year_deductible_is_borne(self):
        """200 per year, 150 borne: 50 now; fund (300 − 50) × 50 % = 125."""
        policy = outpatient_policy()
        claim = claim_for(policy, line("300"), counters={"deductible:outpatient": D("150")})

        result = settle(claim, policy)

        assert result.act_pay_dedc == D("50.00")
        assert result.hifp_pay == D("125.00")
        assert ("deductible:outpatient", D("50.00")) in result.counters

    def test_a_used_up_deductible_is_not_borne_again(self):
        """200 borne already: fund 300 × 50 % = 150, no deductible counter."""
        policy = outpatient_policy()
        claim = claim_for(policy, line("300"), counters={"deductible:outpatient": D("200")})

        result = settle(claim, policy)

        assert result.hifp_pay == D("150.00")
        assert all(not key.startswith("deductible:") for key, _amount in result.counters)


class TestFundShare:
    @pytest.mark.parametrize(
        ("ratio", "fund"), [("0.95", "3990.00"), ("0.92", "3864.00"), ("0.60", "2520.00")]
    )
    def test_the_share_is_the_policy_s(self, ratio, fund):
        """(5000 − 800) × 95 % = 3990; × 92 % = 3864; × 60 % = 2520."""
        policy = inpatient_policy(fund_ratio=D(ratio))

        assert settle(claim_for(policy, line("5000")), policy).hifp_pay == D(fund)

    def test_a_policy_for_another_kind_of_claim_is_refused(self):
        policy = inpatient_policy()
        claim = replace(claim_for(policy, line("100")), institution_level=2)

        with pytest.raises(PolicyError, match="is for"):
            settle(claim, policy)


class TestAnnualCap:
    def test_the_fund_pays_no_more_than_is_left_of_the_cap(self):
        """Cap 300000, 299000 paid: 1000 left of the 3780 the stay would get; person 4000."""
        policy = inpatient_policy(annual_cap=D("300000"))
        claim = replace(
            claim_for(policy, line("5000")), year_to_date=YearToDate(hifp_pay=D("299000"))
        )

        result = settle(claim, policy)

        assert result.hifp_pay == D("1000.00")
        assert result.psn_cash_pay == D("4000.00")
        assert any(step.startswith("Annual cap 300000.00 yuan") for step in result.steps)

    def test_a_claim_within_the_cap_is_not_cut(self):
        policy = inpatient_policy(annual_cap=D("300000"))
        claim = replace(
            claim_for(policy, line("5000")), year_to_date=YearToDate(hifp_pay=D("290000"))
        )

        assert settle(claim, policy).hifp_pay == D("3780.00")


class TestClassBFirstSelfPay:
    def test_the_person_first_pays_the_class_b_share(self):
        """乙类 1000 × 10 % = 100 first; fund (2000 + 900 − 800) × 90 % = 1890."""
        policy = inpatient_policy(class_b_self_ratio=D("0.10"))

        result = settle(claim_for(policy, line("2000"), line("1000", "02")), policy)

        assert result.preselfpay_amt == D("100.00")
        assert result.inscp_scp_amt == D("3000.00")
        assert result.hifp_pay == D("1890.00")
        assert result.psn_cash_pay == D("1110.00")


class TestClassC:
    def test_class_c_is_fully_self_paid(self):
        """丙类 400 outside the scope; fund (2000 − 800) × 90 % = 1080; person 1320."""
        policy = inpatient_policy()

        result = settle(claim_for(policy, line("2000"), line("400", "03")), policy)

        assert result.fulamt_ownpay_amt == D("400.00")
        assert result.inscp_scp_amt == D("2000.00")
        assert result.hifp_pay == D("1080.00")
        assert result.psn_cash_pay == D("1320.00")


class TestPriceCap:
    def test_the_excess_over_the_cap_is_self_paid(self):
        """5 × cap 100 = 500 of a 600 line: 100 self-paid; fund (2500 − 800) × 90 % = 1530."""
        policy = inpatient_policy()
        capped = line("600", pric_uplmt_amt=D("100"), qty=D("5"))

        result = settle(claim_for(policy, line("2000"), capped), policy)

        assert result.overlmt_selfpay == D("100.00")
        assert result.fulamt_ownpay_amt == D("100.00")
        assert result.inscp_scp_amt == D("2500.00")
        assert result.hifp_pay == D("1530.00")

    def test_class_b_self_pay_applies_to_the_capped_amount_only(self):
        """乙类 600 capped at 500: first self-pay 10 % of 500 = 50."""
        policy = inpatient_policy(class_b_self_ratio=D("0.10"))
        capped = line("600", "02", pric_uplmt_amt=D("100"), qty=D("5"))

        assert settle(claim_for(policy, capped), policy).preselfpay_amt == D("50.00")

    def test_a_line_at_its_cap_is_untouched(self):
        policy = inpatient_policy()
        at_cap = line("500", pric_uplmt_amt=D("100"), qty=D("5"))

        assert settle(claim_for(policy, at_cap), policy).overlmt_selfpay == D("0.00")


def chronic_policy(**fields: object):
    """职工 level-3 门诊慢特病: 600 per year, 80 %; 糖尿病 quota 2400, 精神分裂症 90 %."""
    diseases = (
        ChronicDisease("E11", "糖尿病", ("E10", "E11"), D("2400")),
        ChronicDisease("F20", "精神分裂症", ("F20",), D("6000"), D("0.90")),
        ChronicDisease("N18", "慢性肾功能衰竭(透析)", ("N18",), D("60000"), D("0.90")),
        ChronicDisease("C00", "恶性肿瘤门诊治疗", ("C",), D("80000"), D("0.85")),
    )
    values = {
        "med_type": "14",
        "deductible": D("600"),
        "deductible_basis": "year",
        "deductible_group": "chronic",
        "fund_ratio": D("0.80"),
        "chronic_diseases": diseases,
    }
    return inpatient_policy(**{**values, **fields})


class TestChronicDiseaseQuota:
    def test_a_certified_disease_is_paid_within_its_annual_quota(self):
        """Deductible used; 1000 × 80 % = 800, but 2400 − 2000 = 400 left of the quota."""
        policy = chronic_policy()
        claim = claim_for(
            policy,
            line("1000"),
            counters={"deductible:chronic": D("600"), "chronic:E11": D("2000")},
            disease_code="E11.900",
            certified_diseases=frozenset({"E11"}),
        )

        result = settle(claim, policy)

        assert result.hifp_pay == D("400.00")
        assert ("chronic:E11", D("400.00")) in result.counters

    def test_the_first_claim_of_the_year_bears_the_deductible(self):
        """(1000 − 600) × 80 % = 320, within the quota."""
        policy = chronic_policy()
        claim = claim_for(
            policy,
            line("1000"),
            disease_code="E11.900",
            certified_diseases=frozenset({"E11"}),
        )

        result = settle(claim, policy)

        assert result.hifp_pay == D("320.00")
        assert dict(result.counters) == {
            "chronic:E11": D("320.00"),
            "deductible:chronic": D("600.00"),
        }

    def test_a_disease_with_its_own_share_uses_it(self):
        """精神分裂症 90 %: (1000 − 600) × 90 % = 360."""
        policy = chronic_policy()
        claim = claim_for(
            policy, line("1000"), disease_code="F20.000", certified_diseases=frozenset({"F20"})
        )

        assert settle(claim, policy).hifp_pay == D("360.00")

    @pytest.mark.parametrize("certified", [frozenset(), frozenset({"F20"})])
    def test_an_uncertified_disease_is_not_paid(self, certified):
        policy = chronic_policy()
        claim = claim_for(
            policy, line("1000"), disease_code="E11.900", certified_diseases=certified
        )

        result = settle(claim, policy)

        assert result.hifp_pay == D("0.00")
        assert result.psn_cash_pay == D("1000.00")


class TestNegotiatedDrugsDualChannel:
    def test_dual_channel_drugs_are_paid_outside_the_spent_outpatient_quota(self):
        """Quota spent: the 甲类 100 gets nothing; 国谈药 乙类 1000: (1000 − 100) × 80 % = 720."""
        policy = outpatient_policy(negotiated_ratio=D("0.80"), class_b_self_ratio=D("0.10"))
        drug = line("1000", "02", negotiated_drug=True, dual_channel=True)
        claim = claim_for(
            policy,
            line("100"),
            drug,
            counters={"outpatient_quota": D("2000"), "deductible:outpatient": D("200")},
        )

        result = settle(claim, policy)

        assert result.hifp_pay == D("720.00")
        assert result.preselfpay_amt == D("100.00")
        assert dict(result.counters) == {"negotiated": D("720.00")}

    def test_a_negotiated_drug_outside_the_dual_channel_counts_in_the_quota(self):
        policy = outpatient_policy(negotiated_ratio=D("0.80"))
        drug = line("1000", "02", negotiated_drug=True, dual_channel=False)
        claim = claim_for(
            policy,
            drug,
            counters={"outpatient_quota": D("2000"), "deductible:outpatient": D("200")},
        )

        assert settle(claim, policy).hifp_pay == D("0.00")

    def test_dual_channel_payments_still_count_against_the_annual_cap(self):
        """Cap 300000 with 299500 paid: the 720 is cut to 500."""
        policy = outpatient_policy(
            negotiated_ratio=D("0.80"), class_b_self_ratio=D("0.10"), annual_cap=D("300000")
        )
        drug = line("1000", "02", negotiated_drug=True, dual_channel=True)
        claim = replace(claim_for(policy, drug), year_to_date=YearToDate(hifp_pay=D("299500")))

        assert settle(claim, policy).hifp_pay == D("500.00")


class TestDialysis:
    def dialysis_claim(self, policy, begin: date):
        return claim_for(
            policy,
            line("1000", "02"),
            disease_code="N18.500",
            certified_diseases=frozenset({"N18"}),
            counters={"deductible:chronic": D("600")},
            begin_date=begin,
            end_date=begin,
        )

    def test_before_the_date_dialysis_pays_the_class_b_share_first(self):
        """乙类 1000 − 10 % = 900, × 90 % = 810."""
        policy = chronic_policy(
            class_b_self_ratio=D("0.10"),
            dialysis_icd_prefixes=("N18",),
            dialysis_no_class_b_from=date(2026, 7, 1),
        )

        result = settle(self.dialysis_claim(policy, date(2026, 6, 30)), policy)

        assert (result.preselfpay_amt, result.hifp_pay) == (D("100.00"), D("810.00"))

    def test_from_the_date_dialysis_has_no_class_b_self_pay(self):
        """1000 × 90 % = 900."""
        policy = chronic_policy(
            class_b_self_ratio=D("0.10"),
            dialysis_icd_prefixes=("N18",),
            dialysis_no_class_b_from=date(2026, 7, 1),
        )

        result = settle(self.dialysis_claim(policy, date(2026, 7, 1)), policy)

        assert (result.preselfpay_amt, result.hifp_pay) == (D("0.00"), D("900.00"))

    def test_other_diseases_keep_the_class_b_self_pay(self):
        policy = chronic_policy(
            class_b_self_ratio=D("0.10"),
            dialysis_icd_prefixes=("N18",),
            dialysis_no_class_b_from=date(2026, 7, 1),
        )
        claim = replace(
            self.dialysis_claim(policy, date(2026, 7, 1)),
            disease_code="E11.900",
            certified_diseases=frozenset({"E11"}),
        )

        assert settle(claim, policy).preselfpay_amt == D("100.00")


class TestRadiotherapyCourse:
    def radiotherapy_claim(self, policy, course: str, used: str):
        return claim_for(
            policy,
            line("5000"),
            disease_code="C34.900",
            certified_diseases=frozenset({"C00"}),
            radiotherapy_course=course,
            counters={"deductible:chronic": D("600"), f"radiotherapy:{course}": D(used)},
        )

    def test_a_course_is_paid_up_to_its_quota(self):
        """5000 × 85 % = 4250, but 20000 − 19000 = 1000 left of the course quota."""
        policy = chronic_policy(radiotherapy_course_quota=D("20000"))

        result = settle(self.radiotherapy_claim(policy, "RT-1", "19000"), policy)

        assert result.hifp_pay == D("1000.00")
        assert ("radiotherapy:RT-1", D("1000.00")) in result.counters
        assert ("chronic:C00", D("1000.00")) in result.counters

    def test_a_new_course_has_its_own_quota(self):
        policy = chronic_policy(radiotherapy_course_quota=D("20000"))

        result = settle(self.radiotherapy_claim(policy, "RT-2", "0"), policy)

        assert result.hifp_pay == D("4250.00")


def day_surgery_policy(**fields: object):
    """Level-3 日间手术, no deductible, 90 %; 白内障 fixed 3500."""
    rate = DaySurgeryRate("66.8401", "白内障超声乳化摘除+人工晶体植入", D("3500"), ("H25",))
    values = {"med_type": "28", "deductible": D("0"), "day_surgery": (rate,)}
    return inpatient_policy(**{**values, **fields})


class TestDaySurgery:
    def test_the_fund_pays_the_fixed_amount_of_the_procedure(self):
        """6000 甲类 + 200 丙类: fund 3500 fixed; person 2700."""
        policy = day_surgery_policy()
        claim = claim_for(policy, line("6000"), line("200", "03"), day_surgery_code="66.8401")

        result = settle(claim, policy)

        assert result.hifp_pay == D("3500.00")
        assert result.psn_cash_pay == D("2700.00")

    def test_the_procedure_is_found_by_the_main_diagnosis(self):
        policy = day_surgery_policy()
        claim = claim_for(policy, line("6000"), disease_code="H25.900")

        assert settle(claim, policy).hifp_pay == D("3500.00")

    def test_a_cheaper_procedure_is_paid_at_its_cost(self):
        policy = day_surgery_policy()
        claim = claim_for(policy, line("3000"), day_surgery_code="66.8401")

        assert settle(claim, policy).hifp_pay == D("3000.00")

    def test_without_a_fixed_rate_the_share_applies(self):
        """No rate for K80: 6000 × 90 % = 5400."""
        policy = day_surgery_policy()
        claim = claim_for(policy, line("6000"), disease_code="K80.200")

        assert settle(claim, policy).hifp_pay == D("5400.00")

    def test_an_unknown_procedure_code_is_an_error(self):
        policy = day_surgery_policy()
        claim = claim_for(policy, line("6000"), day_surgery_code="99.9999")

        with pytest.raises(PolicyError, match=r"99\.9999"):
            settle(claim, policy)


class TestCrossRegion:
    policy = inpatient_policy(cross_region_filed_cut=D("0.05"), cross_region_unfiled_cut=D("0.20"))

    @pytest.mark.parametrize(
        ("fields", "fund"),
        [
            ({}, "4500.00"),  # local: (5800 − 800) × 90 %
            ({"cross_region": True, "filed": True}, "4250.00"),  # × 85 %
            ({"cross_region": True}, "3500.00"),  # not filed: × 70 %
            ({"cross_region": True, "emergency": True}, "4250.00"),  # emergency as filed
        ],
    )
    def test_the_share_depends_on_filing(self, fields, fund):
        claim = claim_for(self.policy, line("5800"), **fields)

        assert settle(claim, self.policy).hifp_pay == D(fund)


class TestPersonalAccount:
    @pytest.mark.parametrize(
        ("balance", "account", "cash"),
        [("1000", "1000.00", "220.00"), ("5000", "1220.00", "0.00"), ("0", "0.00", "1220.00")],
    )
    def test_the_account_pays_the_person_s_share_up_to_its_balance(self, balance, account, cash):
        policy = inpatient_policy(personal_account=True)
        claim = claim_for(policy, line("5000"), account_balance=D(balance))

        result = settle(claim, policy)

        assert (result.acct_pay, result.psn_cash_pay) == (D(account), D(cash))

    def test_a_scheme_without_account_leaves_it_untouched(self):
        policy = inpatient_policy(insutype="390")
        claim = claim_for(policy, line("5000"), account_balance=D("5000"))

        assert settle(claim, policy).acct_pay == D("0.00")


class TestRounding:
    def test_half_a_fen_rounds_up(self):
        """100.05 × 50 % = 50.025 → 50.03 (half up, not to even)."""
        policy = inpatient_policy(fund_ratio=D("0.50"), deductible=D("0"))

        assert settle(claim_for(policy, line("100.05")), policy).hifp_pay == D("50.03")

    def test_every_amount_has_two_places(self):
        policy = inpatient_policy(class_b_self_ratio=D("0.10"))

        result = settle(claim_for(policy, line("1234.5"), line("333.33", "02")), policy)

        amounts = (result.medfee_sumamt, result.hifp_pay, result.psn_cash_pay)
        assert all(amount.as_tuple().exponent == -2 for amount in amounts)


amounts = st.decimals(min_value=D("0.01"), max_value=D("99999"), places=2)


@given(
    st.lists(st.tuples(amounts, st.sampled_from(["01", "02", "03"])), min_size=1, max_size=6),
    st.decimals(min_value=D("0"), max_value=D("400000"), places=2),
)
def test_the_parts_always_add_up(lines, paid):
    policy = inpatient_policy(class_b_self_ratio=D("0.10"), annual_cap=D("300000"))
    claim = replace(
        claim_for(policy, *(line(str(a), level) for a, level in lines)),
        year_to_date=YearToDate(hifp_pay=paid),
    )

    result = settle(claim, policy)

    assert result.fulamt_ownpay_amt + result.inscp_scp_amt == result.medfee_sumamt
    assert result.hifp_pay + result.acct_pay + result.psn_cash_pay == result.medfee_sumamt
    assert D("0") <= result.hifp_pay <= result.inscp_scp_amt
    assert result.hifp_pay <= max(D("300000") - paid, D("0"))


def test_a_claim_of_refund_lines_only_costs_the_fund_nothing():
    """−300 甲类: no deductible, no fund share; the person gets the 300 back."""
    policy = inpatient_policy()

    result = settle(claim_for(policy, line("-300")), policy)

    assert (result.act_pay_dedc, result.hifp_pay, result.psn_cash_pay) == (
        D("0.00"),
        D("0.00"),
        D("-300.00"),
    )
