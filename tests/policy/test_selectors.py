from datetime import date, timedelta
from decimal import Decimal

import pytest

from settlement.policy import engine
from settlement.policy.catalogue import shandong_version_create
from settlement.policy.models import PolicyScheme, SettlementUsage
from settlement.policy.selectors import PolicyNotFound, policy_in_force, year_to_date
from settlement.policy.services import policy_version_publish, policy_version_revise
from tests.factories import PersonFactory, SettlementFactory, shanghai

D = Decimal
MARCH = date(2026, 3, 1)


class TestPolicyInForce:
    @pytest.mark.parametrize(
        ("insutype", "level", "deductible", "ratio"),
        [
            ("310", 1, "200.00", "0.9500"),
            ("310", 3, "800.00", "0.9000"),
            ("390", 3, "1000.00", "0.6000"),
        ],
    )
    def test_it_picks_the_scheme_of_the_insurance_type_and_level(
        self, shandong, insutype, level, deductible, ratio
    ):
        policy = policy_in_force(
            insutype=insutype, med_type="21", institution_level=level, day=MARCH
        )

        assert (policy.deductible, policy.fund_ratio) == (D(deductible), D(ratio))
        assert policy.version == "SD-2026.1"

    def test_a_chronic_scheme_carries_the_diseases_of_its_insurance_type(self, shandong):
        policy = policy_in_force(insutype="390", med_type="14", institution_level=2, day=MARCH)

        diabetes = next(d for d in policy.chronic_diseases if d.code == "E11")
        assert diabetes.annual_quota == D("1200.00")
        assert "E11" in diabetes.icd_prefixes
        assert policy.deductible_basis == engine.YEAR

    def test_a_day_surgery_scheme_carries_its_level_s_rates(self, shandong):
        policy = policy_in_force(insutype="310", med_type="28", institution_level=1, day=MARCH)

        assert {rate.code for rate in policy.day_surgery} == {"53.0001", "45.4201"}

    def test_the_latest_published_version_wins_and_a_draft_does_not(self, shandong, policy_admin):
        draft = policy_version_revise(
            version=shandong,
            author=policy_admin,
            code="SD-2026.2",
            title="调整",
            effective_from=date(2026, 1, 1),
        )
        PolicyScheme.objects.filter(version=draft, insutype="390", med_type="21").update(
            fund_ratio=D("0.65")
        )
        kind = {"insutype": "390", "med_type": "21", "institution_level": 3, "day": MARCH}

        assert policy_in_force(**kind).fund_ratio == D("0.60")

        policy_version_publish(version=draft, user=policy_admin)

        assert policy_in_force(**kind).fund_ratio == D("0.65")
        assert policy_in_force(**kind).version == "SD-2026.2"

    def test_a_day_before_any_version_has_no_policy(self, shandong):
        with pytest.raises(PolicyNotFound, match="2025-12-31"):
            policy_in_force(
                insutype="310", med_type="21", institution_level=3, day=date(2025, 12, 31)
            )

    def test_a_missing_scheme_is_named(self, shandong):
        with pytest.raises(PolicyNotFound, match="medical type 51"):
            policy_in_force(insutype="310", med_type="51", institution_level=3, day=MARCH)

    def test_an_ended_version_no_longer_applies(self, policy_admin):
        version = shandong_version_create(
            code="OLD", title="旧", effective_from=date(2025, 1, 1), author=policy_admin
        )
        version.effective_to = date(2026, 1, 1)
        version.save()
        policy_version_publish(version=version, user=policy_admin)
        kind = {"insutype": "310", "med_type": "21", "institution_level": 3}

        assert policy_in_force(**kind, day=date(2025, 12, 31)).version == "OLD"
        with pytest.raises(PolicyNotFound):
            policy_in_force(**kind, day=date(2026, 1, 1))


@pytest.mark.django_db
class TestYearToDate:
    def test_it_sums_the_fund_and_the_recorded_counters_of_the_year(self):
        person = PersonFactory()
        chronic = SettlementFactory(person=person, medical_type="14", fund_paid=D("300.00"))
        SettlementUsage.objects.create(settlement=chronic, key="chronic:E11", amount=D("300.00"))
        SettlementUsage.objects.create(
            settlement=chronic, key="deductible:chronic", amount=D("600.00")
        )
        SettlementFactory(person=person, medical_type="21", fund_paid=D("1000.00"))
        last_year = shanghai(2025, 12, 30, 9, 0)
        SettlementFactory(person=person, begin_time=last_year, fund_paid=D("999.00"))
        SettlementFactory(fund_paid=D("777.00"))  # someone else

        result = year_to_date(psn_no=person.psn_no, year=2026)

        assert result.hifp_pay == D("1300.00")
        assert result.used("chronic:E11") == D("300.00")
        assert result.used("deductible:chronic") == D("600.00")
        assert result.used(engine.OUTPATIENT_QUOTA) == D("0")

    def test_an_unrecorded_outpatient_visit_counts_in_the_outpatient_quota(self):
        person = PersonFactory()
        SettlementFactory(person=person, medical_type="11", fund_paid=D("60.00"))
        SettlementFactory(person=person, medical_type="41", fund_paid=D("25.00"))

        result = year_to_date(psn_no=person.psn_no, year=2026)

        assert result.used(engine.OUTPATIENT_QUOTA) == D("85.00")

    def test_a_reversal_nets_out_and_later_settlements_are_left_out(self):
        person = PersonFactory()
        first = SettlementFactory(person=person, medical_type="11", fund_paid=D("60.00"))
        SettlementFactory(
            person=person,
            medical_type="11",
            fund_paid=D("-60.00"),
            is_reversal=True,
            begin_time=first.begin_time + timedelta(hours=2),
        )
        later = SettlementFactory(
            person=person, fund_paid=D("500.00"), begin_time=first.begin_time + timedelta(days=5)
        )

        result = year_to_date(psn_no=person.psn_no, year=2026, before=later.end_time)

        assert result.hifp_pay == D("0.00")
        assert result.used(engine.OUTPATIENT_QUOTA) == D("0.00")
