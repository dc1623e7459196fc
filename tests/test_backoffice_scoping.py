"""Who sees what: the scoped selectors behind every back-office page."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from medins import selectors
from screening.models import Flag
from settlement.models import ImportBatch
from tests.factories import (
    FeeLineFactory,
    InstitutionFactory,
    PersonFactory,
    SettlementFactory,
    UserFactory,
)


@pytest.fixture
def province(cast):
    """One patient and one settlement with a fee line in Jinan (Lixia) and in Qingdao."""
    jinan_person = PersonFactory(division_code="370102")
    qingdao_person = PersonFactory(division_code="370202")
    jinan_settlement = SettlementFactory(person=jinan_person, institution=cast.qilu)
    qingdao_settlement = SettlementFactory(person=qingdao_person, institution=cast.qingdao)
    FeeLineFactory(settlement=jinan_settlement)
    FeeLineFactory(settlement=qingdao_settlement)
    ImportBatch.objects.create(source="qilu.zip", institution=cast.qilu)
    ImportBatch.objects.create(source="qingdao.zip", institution=cast.qingdao)
    ImportBatch.objects.create(source="province-extract")  # no institution: admins only
    return cast


def codes(queryset, field="pk"):
    return sorted(queryset.values_list(field, flat=True))


class TestInstitutionsVisibleTo:
    def test_a_jinan_auditor_sees_jinan_institutions_only(self, province):
        assert codes(selectors.institutions_visible_to(province.jinan_auditor)) == ["H37010200001"]

    def test_a_qingdao_auditor_does_not_see_jinan(self, province):
        assert codes(selectors.institutions_visible_to(province.qingdao_auditor)) == [
            "H37020200001"
        ]

    def test_a_hospital_client_sees_only_its_own_institution(self, province):
        InstitutionFactory(division_code="370102")  # a neighbour in the same district

        assert codes(selectors.institutions_visible_to(province.qilu_hospital)) == ["H37010200001"]

    def test_an_admin_sees_the_whole_province(self, province):
        assert len(codes(selectors.institutions_visible_to(province.admin))) == 2

    def test_a_superuser_without_profile_counts_as_admin(self, province):
        root = UserFactory(username="root", is_superuser=True)

        assert len(codes(selectors.institutions_visible_to(root))) == 2

    @pytest.mark.parametrize("who", ["no_profile", "anonymous"])
    def test_users_without_a_role_see_nothing(self, province, who):
        user = UserFactory(username="nobody") if who == "no_profile" else AnonymousUser()

        assert codes(selectors.institutions_visible_to(user)) == []
        assert codes(selectors.settlements_visible_to(user)) == []
        assert codes(selectors.persons_visible_to(user)) == []


class TestSettlementsAndFeeLinesVisibleTo:
    def test_a_jinan_auditor_sees_only_settlements_made_in_jinan(self, province):
        settlements = selectors.settlements_visible_to(province.jinan_auditor)

        assert codes(settlements, "institution_id") == ["H37010200001"]

    def test_a_qingdao_auditor_sees_only_qingdao_fee_lines(self, province):
        fee_lines = selectors.fee_lines_visible_to(province.qingdao_auditor)

        assert codes(fee_lines, "institution_id") == ["H37020200001"]

    def test_a_lixia_clerk_sees_lixia_but_not_another_jinan_district(self, province):
        shizhong = InstitutionFactory(division_code="370103")
        SettlementFactory(institution=shizhong)

        settlements = selectors.settlements_visible_to(province.lixia_clerk)

        assert codes(settlements, "institution_id") == ["H37010200001"]

    def test_a_hospital_client_sees_its_own_settlements_and_batches(self, province):
        settlements = selectors.settlements_visible_to(province.qilu_hospital)
        batches = selectors.import_batches_visible_to(province.qilu_hospital)

        assert codes(settlements, "institution_id") == ["H37010200001"]
        assert codes(batches, "source") == ["qilu.zip"]

    def test_only_an_admin_sees_province_extracts(self, province):
        assert "province-extract" in codes(
            selectors.import_batches_visible_to(province.admin), "source"
        )
        assert codes(selectors.import_batches_visible_to(province.jinan_auditor), "source") == [
            "qilu.zip"
        ]


class TestPersonsVisibleTo:
    def test_an_auditor_sees_persons_insured_in_the_region(self, province):
        persons = selectors.persons_visible_to(province.jinan_auditor)

        assert codes(persons, "division_code") == ["370102"]

    def test_a_hospital_client_sees_its_patients_only(self, province):
        visitor = PersonFactory(division_code="370202")  # insured in Qingdao, treated at Qilu
        SettlementFactory(person=visitor, institution=province.qilu)

        persons = selectors.persons_visible_to(province.qilu_hospital)

        assert sorted(persons.values_list("division_code", flat=True)) == ["370102", "370202"]

    def test_person_visible_to_answers_none_outside_the_region(self, province):
        qingdao_person = selectors.persons_visible_to(province.qingdao_auditor).get()

        assert selectors.person_visible_to(province.jinan_auditor, qingdao_person.pk) is None
        assert selectors.person_visible_to(province.qingdao_auditor, qingdao_person.pk) is not None


class TestHomeCounts:
    def test_counts_stay_inside_the_auditors_region(self, province):
        counts = selectors.home_counts(province.jinan_auditor)

        assert counts["institutions"] == 1
        assert counts["settlements"] == 1
        assert counts["fee_lines"] == 1
        assert counts["persons"] == 1

    def test_an_admin_counts_the_province(self, province):
        counts = selectors.home_counts(province.admin)

        assert counts["settlements"] == 2
        assert counts["import_batches"] == 3

    def test_a_hospital_client_gets_no_person_or_flag_counts(self, province):
        counts = selectors.home_counts(province.qilu_hospital)

        assert "persons" not in counts
        assert "open_flags" not in counts
        assert counts["import_batches"] == 1

    def test_open_flags_are_counted_in_the_region_only(self, province):
        for code, status in [
            ("H37010200001", Flag.Status.OPEN),
            ("H37010200001", Flag.Status.DISMISSED),
            ("H37020200001", Flag.Status.OPEN),
        ]:
            Flag.objects.create(
                flag_id=f"{code}-{status}",
                rule_code="OVER_PRICE",
                fixmedins_code=code,
                sev_deg=1,
                amount_at_risk=Decimal("10.00"),
                status=status,
                detected_at=datetime(2026, 3, 2, tzinfo=UTC),
            )

        assert selectors.home_counts(province.jinan_auditor)["open_flags"] == 1
        assert selectors.home_counts(province.admin)["open_flags"] == 2
