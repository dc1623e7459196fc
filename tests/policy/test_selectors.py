from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from settlement.policy import engine
from settlement.policy.catalogue import shandong_version_create
from settlement.policy.models import PolicyScheme, SettlementUsage
from settlement.policy.selectors import (
    PolicyNotFound,
    policy_in_force,
    policy_set_of,
    year_to_date,
)
from settlement.policy.services import policy_version_publish, policy_version_revise
from tests.factories import PersonFactory, SettlementFactory, shanghai

D = Decimal
MARCH = date(2026, 3, 1)


def _resident_inpatient(version):
    return PolicyScheme.objects.filter(version=version, insutype="390", med_type="21")


def _revision(shandong, policy_admin, *, resident_inpatient_ratio=None):
    """A draft SD-2026.2 of the Shandong set, its residents' inpatient ratio changed if given."""
    draft = policy_version_revise(
        version=shandong,
        author=policy_admin,
        code="SD-2026.2",
        title="调整",
        effective_from=date(2026, 1, 1),
    )
    if resident_inpatient_ratio is not None:
        _resident_inpatient(draft).update(fund_ratio=resident_inpatient_ratio)
    return draft


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
        draft = _revision(shandong, policy_admin, resident_inpatient_ratio=D("0.65"))
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

    def test_the_year_is_shanghais_from_midnight_to_midnight(self):
        person = PersonFactory()
        for minute, fund in ((0, "1.00"), (1, "2.00")):  # 23:59 and 00:00, then a minute on
            ended = shanghai(2025, 12, 31, 23, 59) + timedelta(minutes=minute)
            SettlementFactory(
                person=person,
                begin_time=ended - timedelta(hours=1),
                end_time=ended,
                fund_paid=D(fund),
            )
        new_year = shanghai(2027, 1, 1, 0, 0)
        SettlementFactory(person=person, begin_time=new_year, end_time=new_year, fund_paid=D("4"))

        assert year_to_date(psn_no=person.psn_no, year=2025).hifp_pay == D("1.00")
        assert year_to_date(psn_no=person.psn_no, year=2026).hifp_pay == D("2.00")
        assert year_to_date(psn_no=person.psn_no, year=2027).hifp_pay == D("4.00")

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

    def test_one_question_counts_each_payment_once_whatever_its_counters(
        self, django_assert_num_queries
    ):
        person = PersonFactory()
        recorded = SettlementFactory(person=person, medical_type="11", fund_paid=D("40.00"))
        for key, amount in ((engine.OUTPATIENT_QUOTA, "40.00"), ("deductible:11", "10.00")):
            SettlementUsage.objects.create(settlement=recorded, key=key, amount=D(amount))
        SettlementFactory(person=person, medical_type="13", fund_paid=D("15.50"))
        SettlementFactory(person=person, medical_type="11", insurance_type="390", fund_paid=D("9"))
        excluded = SettlementFactory(person=person, medical_type="41", fund_paid=D("7.00"))

        with django_assert_num_queries(1):
            result = year_to_date(
                psn_no=person.psn_no,
                year=2026,
                insutype="310",
                exclude_setl_ids=(excluded.setl_id,),
            )

        assert str(result.hifp_pay) == "55.50"
        assert result.counters == {
            engine.OUTPATIENT_QUOTA: D("55.50"),  # 40.00 recorded, 15.50 the unrecorded visit's
            "deductible:11": D("10.00"),
        }
        assert str(result.used(engine.OUTPATIENT_QUOTA)) == "55.50"

    def test_nothing_stored_is_nothing_used(self):
        result = year_to_date(psn_no=PersonFactory().psn_no, year=2026)

        assert (str(result.hifp_pay), result.counters) == ("0.00", {})


class TestPublishedPolicyIsKept:
    """Which versions are published (shared cache) and what a published version says (in the
    process) are read once; a version published, or any policy row saved, counts at once."""

    KIND = {"insutype": "390", "med_type": "21", "institution_level": 3, "day": MARCH}

    def test_a_second_claim_of_the_kind_asks_nothing(self, shandong, django_assert_num_queries):
        cache.clear()  # the fixture's writes forgot the copy, and keep none for a few seconds
        first = policy_in_force(**self.KIND)

        with django_assert_num_queries(0):
            again = policy_in_force(**self.KIND)

        assert again == first
        assert again.fund_ratio == D("0.6000")

    def test_a_version_published_later_is_in_force_at_once(self, shandong, policy_admin):
        cache.clear()
        assert policy_in_force(**self.KIND).version == "SD-2026.1"  # kept now
        draft = _revision(shandong, policy_admin, resident_inpatient_ratio=D("0.65"))

        policy_version_publish(version=draft, user=policy_admin)

        assert policy_in_force(**self.KIND).version == "SD-2026.2"
        assert policy_in_force(**self.KIND).fund_ratio == D("0.65")

    def test_a_drafts_policy_is_read_each_time(self, shandong, policy_admin):
        draft = _revision(shandong, policy_admin)
        kind = {key: value for key, value in self.KIND.items() if key != "day"}
        assert policy_set_of(version=draft, **kind).fund_ratio == D("0.6000")

        _resident_inpatient(draft).update(fund_ratio=D("0.65"))  # an UPDATE: no signal

        assert policy_set_of(version=draft, **kind).fund_ratio == D("0.65")

    def test_a_saved_row_empties_what_the_process_kept(self, shandong):
        kind = {key: value for key, value in self.KIND.items() if key != "day"}
        assert policy_set_of(version=shandong, **kind).fund_ratio == D("0.6000")
        scheme = PolicyScheme.objects.get(version=shandong, **kind)
        scheme.fund_ratio = D("0.61")  # as a test's own rows would be: never in production

        scheme.save()

        assert policy_set_of(version=shandong, **kind).fund_ratio == D("0.61")
