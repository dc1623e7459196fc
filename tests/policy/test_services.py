from datetime import date
from decimal import Decimal

import pytest

from services.models import ChronicCertification, CrossRegionFiling
from settlement.policy.claims import claim_from_settlement
from settlement.policy.models import (
    ChronicDiseaseQuota,
    DaySurgeryRate,
    NegotiatedDrug,
    PolicyScheme,
    PolicyVersion,
)
from settlement.policy.selectors import PolicyNotFound, year_to_date
from settlement.policy.services import (
    PolicyEditError,
    claim_settle,
    policy_version_publish,
    policy_version_revise,
    settlement_usage_record,
    settlement_usage_reverse,
)
from tests.factories import (
    CatalogItemFactory,
    FeeLineFactory,
    InstitutionFactory,
    PersonFactory,
    SettlementFactory,
    make_user,
)
from tests.policy.builders import claim_for, inpatient_policy, line

D = Decimal


class TestClaimSettle:
    def test_it_settles_under_the_scheme_in_force(self, shandong):
        """Resident level 3: (5000 − 1000) × 60 % = 2400."""
        claim = claim_for(inpatient_policy(insutype="390"), line("5000"))

        result = claim_settle(claim=claim)

        assert result.hifp_pay == D("2400.00")
        assert result.policy_version == "SD-2026.1"

    def test_a_claim_before_any_policy_is_refused(self, shandong):
        claim = claim_for(
            inpatient_policy(), line("5000"), begin_date=date(2025, 3, 1), end_date=date(2025, 3, 2)
        )

        with pytest.raises(PolicyNotFound):
            claim_settle(claim=claim)


class TestPolicyVersionRevise:
    def test_a_revision_copies_every_rate_and_records_its_author(self, shandong, policy_admin):
        draft = policy_version_revise(
            version=shandong,
            author=policy_admin,
            code="SD-2026.2",
            title="调整",
            effective_from=date(2026, 7, 1),
            note="提高居民比例",
        )

        assert draft.status == PolicyVersion.Status.DRAFT
        assert (draft.based_on, draft.created_by) == (shandong, policy_admin)
        for model in (PolicyScheme, ChronicDiseaseQuota, DaySurgeryRate, NegotiatedDrug):
            assert (
                model.objects.filter(version=draft).count()
                == model.objects.filter(version=shandong).count()
                > 0
            )

    def test_only_an_administrator_may_revise_or_publish(self, shandong):
        supervisor = make_user("supervisor", region_code="3701")

        with pytest.raises(PolicyEditError, match="administrators"):
            policy_version_revise(
                version=shandong,
                author=supervisor,
                code="X",
                title="x",
                effective_from=date(2026, 1, 1),
            )
        with pytest.raises(PolicyEditError, match="administrators"):
            policy_version_publish(version=shandong, user=supervisor)

    def test_a_published_version_is_not_published_again(self, shandong, policy_admin):
        with pytest.raises(PolicyEditError, match="already published"):
            policy_version_publish(version=shandong, user=policy_admin)

    def test_a_taken_code_is_refused(self, shandong, policy_admin):
        with pytest.raises(PolicyEditError, match="taken"):
            policy_version_revise(
                version=shandong,
                author=policy_admin,
                code="SD-2026.1",
                title="x",
                effective_from=date(2026, 1, 1),
            )


@pytest.mark.django_db
class TestSettlementUsage:
    def test_recorded_counters_count_and_a_reversal_nets_them(self):
        person = PersonFactory()
        original = SettlementFactory(person=person, medical_type="14")
        reversal = SettlementFactory(person=person, medical_type="14", is_reversal=True)
        breakdown = claim_settle_breakdown()

        settlement_usage_record(settlement=original, breakdown=breakdown)
        settlement_usage_record(settlement=original, breakdown=breakdown)  # idempotent

        assert year_to_date(psn_no=person.psn_no, year=2026).used("chronic:E11") == D("320.00")

        settlement_usage_reverse(original=original, reversal=reversal)

        assert year_to_date(psn_no=person.psn_no, year=2026).used("chronic:E11") == D("0.00")


def claim_settle_breakdown():
    from settlement.policy.engine import ChronicDisease, settle

    policy = inpatient_policy(
        med_type="14",
        deductible=D("600"),
        deductible_basis="year",
        deductible_group="chronic",
        fund_ratio=D("0.80"),
        chronic_diseases=(ChronicDisease("E11", "糖尿病", ("E11",), D("2400")),),
    )
    claim = claim_for(
        policy, line("1000"), disease_code="E11.900", certified_diseases=frozenset({"E11"})
    )
    return settle(claim, policy)


@pytest.mark.django_db
class TestClaimFromSettlement:
    def test_it_rebuilds_lines_level_and_year_from_the_store(self):
        hospital = InstitutionFactory(hospital_grade="02", division_code="370102")
        person = PersonFactory(division_code="370102")
        CatalogItemFactory(code="002501000010000", price_cap=D("20"), charge_level="02")
        settlement = SettlementFactory(person=person, institution=hospital, medical_type="11")
        FeeLineFactory(
            settlement=settlement,
            item_code="002501000010000",
            quantity=D("2"),
            amount=D("50.00"),
            charge_level="02",
        )
        FeeLineFactory(settlement=settlement, item_code="XNEGOTIATED", amount=D("300.00"))
        SettlementFactory(
            person=person,
            medical_type="11",
            fund_paid=D("70.00"),
            begin_time=settlement.begin_time.replace(month=1),
        )

        claim = claim_from_settlement(settlement, negotiated_codes=frozenset({"XNEGOTIATED"}))

        assert (claim.insutype, claim.med_type, claim.institution_level) == ("310", "11", 3)
        capped, negotiated = claim.lines
        assert (capped.pric_uplmt_amt, capped.qty, capped.chrgitm_lv) == (D("20"), D("2"), "02")
        assert (negotiated.negotiated_drug, negotiated.dual_channel) == (True, True)
        assert claim.year_to_date.hifp_pay == D("70.00")
        assert not claim.cross_region

    def test_certifications_and_filings_in_force_come_from_the_services_app(self):
        qingdao = InstitutionFactory(division_code="370202")
        person = PersonFactory(division_code="370102")
        ChronicCertification.objects.create(
            person=person, disease_code="E11", disease_name="糖尿病", valid_from=date(2026, 1, 1)
        )
        ChronicCertification.objects.create(
            person=person,
            disease_code="I10",
            disease_name="高血压",
            valid_from=date(2025, 1, 1),
            valid_to=date(2026, 1, 1),
        )
        CrossRegionFiling.objects.create(
            person=person, kind="temporary", destination="青岛", valid_from=date(2026, 2, 1)
        )
        settlement = SettlementFactory(person=person, institution=qingdao, medical_type="13")

        claim = claim_from_settlement(settlement)

        assert claim.certified_diseases == frozenset({"E11"})
        assert (claim.cross_region, claim.filed, claim.emergency) == (True, True, True)
