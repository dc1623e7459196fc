"""The Django admin of the registry and settlement models, as a superuser sees it."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from medins.auditlog import audit_record
from medins.models import (
    Designation,
    LoginFailure,
    Person,
    PointDeduction,
    RevealLog,
    UserProfile,
)
from medins.services import designation_set, points_deduct
from settlement.models import BedCheck, ImportBatch
from tests.factories import (
    CatalogItemFactory,
    DiagnosisFactory,
    FeeLineFactory,
    InstitutionFactory,
    PersonFactory,
    PractitionerFactory,
    SettlementFactory,
    UserFactory,
    make_certno,
    shanghai,
)

pytestmark = pytest.mark.django_db

AT = shanghai(2026, 3, 2, 10, 0)
REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in ("medins", "settlement")
)


def registered_admin(model_name):
    return next(
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.model_name == model_name
    )


@pytest.fixture
def records(db):
    """One record of every model the registry and settlement admins show."""
    institution = InstitutionFactory(code="H37010200001", name="齐鲁医院")
    practitioner = PractitionerFactory(institution=institution)
    person = PersonFactory(name="张三丰", gender="1", birth_date=date(1970, 5, 17))
    settlement = SettlementFactory(person=person, institution=institution, main_diagnosis="I10.x00")
    DiagnosisFactory(settlement=settlement, code="I10.x00")
    FeeLineFactory(settlement=settlement)
    designation_set(
        institution=institution,
        status="suspended",
        effective_from=date(2026, 1, 1),
        effective_to=date(2026, 2, 1),
        reason="违规",
        at=AT,
    )
    points_deduct(practitioner=practitioner, points=3, reason="超量开药", at=AT)
    CatalogItemFactory(
        code="002503020030000", effective_to=date(2025, 1, 1), effective_from=date(2020, 1, 1)
    )
    CatalogItemFactory(code="002503020030000", effective_from=date(2025, 1, 1))
    BedCheck.objects.create(check_id="B1", settlement=settlement, checked_at=AT, result="2")
    ImportBatch.objects.create(source="batch.zip", row_counts={"persons": 3, "settlements": 4})
    user = UserFactory(username="clerk1")
    UserProfile.objects.create(user=user, role="clerk", region_code="370102")
    RevealLog.objects.create(user=user, person=person, fields="certno", revealed_at=AT)
    audit_record(actor=user, action="person.reveal", target=person)
    LoginFailure.objects.create(username="clerk1", ip_address="10.0.0.1", failed_at=AT)
    _api_records(institution, person)
    return person


def _api_records(institution, person):
    """An API credential and a pre-check warning (settlement/api/admin.py)."""
    from settlement.api.credentials import api_credential_issue
    from settlement.models import PrecheckRecord, PrecheckViolation

    api_credential_issue(institution=institution, name="HIS")
    check = PrecheckRecord.objects.create(
        task_id="T1",
        institution=institution,
        encounter_id="MD1",
        person=person,
        request={},
        checked_at=AT,
    )
    PrecheckViolation.objects.create(
        jr_id="T1-001",
        precheck=check,
        rule_code="OVER_PRICE",
        rule_name="超标准收费",
        content="单价超过医保限价",
        amount=Decimal("4.00"),
        sev_deg=1,
        evidence="{}",
    )


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
class TestEveryRegisteredModel:
    def test_changelist_renders(self, admin_client, records, app_label, model_name):
        response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))

        assert response.status_code == 200

    def test_change_page_renders(self, admin_client, records, app_label, model_name):
        obj = registered_admin(model_name).model._default_manager.order_by("pk").first()

        response = admin_client.get(
            reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
        )

        assert response.status_code == 200

    def test_add_page_renders_or_is_refused(
        self, admin_client, admin_user, rf, records, app_label, model_name
    ):
        request = rf.get("/")
        request.user = admin_user
        can_add = registered_admin(model_name).has_add_permission(request)

        response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_add"))

        assert response.status_code == (200 if can_add else 403)


class TestMasking:
    def test_person_list_masks_id_number_and_name(self, admin_client, records):
        response = admin_client.get(reverse("admin:medins_person_changelist"))

        content = response.content.decode()
        assert records.certno not in content
        assert records.certno[:6] + "********" + records.certno[-4:] in content
        assert "张**" in content
        assert "张三丰" not in content

    def test_settlement_list_masks_the_name(self, admin_client, records):
        response = admin_client.get(reverse("admin:settlement_settlement_changelist"))

        content = response.content.decode()
        assert "张**" in content
        assert "张三丰" not in content

    def test_opening_a_person_shows_the_data_and_logs_the_reveal(self, admin_client, records):
        url = reverse("admin:medins_person_change", args=[records.pk])

        response = admin_client.get(url)

        assert records.certno in response.content.decode()
        reveal = RevealLog.objects.get(person=records, context=url)
        assert reveal.fields == "certno,name"


class TestPersonForm:
    def post(self, admin_client, certno, **fields):
        data = {
            "psn_no": "37010200000999",
            "certno": certno,
            "name": "李四",
            "gender": "2",
            "birth_date": "1980-01-02",
            "insurance_type": "390",
            "person_type": "1501",
            "division_code": "370102",
            **fields,
        }
        return admin_client.post(reverse("admin:medins_person_add"), data)

    def test_saves_a_valid_id_number(self, admin_client):
        certno = make_certno("370102", date(1980, 1, 2), 7, "2")

        response = self.post(admin_client, certno.lower())

        assert response.status_code == 302
        assert Person.objects.get(psn_no="37010200000999").certno == certno

    def test_shows_why_an_id_number_is_refused(self, admin_client):
        certno = make_certno("370102", date(1980, 1, 2), 7, "2")

        response = self.post(admin_client, certno[:17] + ("0" if certno[17] != "0" else "1"))

        assert response.status_code == 200
        assert "check digit is" in response.content.decode()
        assert not Person.objects.filter(psn_no="37010200000999").exists()

    def test_refuses_an_id_number_of_the_other_gender(self, admin_client):
        certno = make_certno("370102", date(1980, 1, 2), 7, "1")

        response = self.post(admin_client, certno)

        assert "disagrees with the ID" in response.content.decode()
        assert not Person.objects.exists()


class TestRegistryForms:
    def test_adding_a_designation_splits_the_period_it_falls_in(self, admin_client):
        institution = InstitutionFactory()
        designation_set(
            institution=institution,
            status="active",
            effective_from=date(2020, 1, 1),
            reason="",
            at=AT,
        )

        response = admin_client.post(
            reverse("admin:medins_designation_add"),
            {
                "institution": institution.pk,
                "status": "suspended",
                "effective_from": "2026-04-01",
                "effective_to": "2026-07-01",
                "reason": "约谈后暂停",
            },
        )

        assert response.status_code == 302
        assert list(
            institution.designations.order_by("effective_from").values_list("status", flat=True)
        ) == ["active", "suspended", "active"]

    def test_a_backwards_period_is_refused_with_the_reason(self, admin_client):
        institution = InstitutionFactory()

        response = admin_client.post(
            reverse("admin:medins_designation_add"),
            {
                "institution": institution.pk,
                "status": "suspended",
                "effective_from": "2026-04-01",
                "effective_to": "2026-03-01",
                "reason": "",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )

        assert response.status_code == 200
        assert "must end after it starts" in response.content.decode()
        assert not Designation.objects.exists()

    def test_adding_a_deduction_goes_to_the_ledger(self, admin_client):
        practitioner = PractitionerFactory()

        response = admin_client.post(
            reverse("admin:medins_pointdeduction_add"),
            {"practitioner": practitioner.pk, "points": "4", "reason": "分解住院"},
        )

        assert response.status_code == 302
        deduction = PointDeduction.objects.get(practitioner=practitioner)
        assert deduction.points == 4
        assert deduction.deducted_at is not None

    def test_institution_shows_level_and_todays_designation(self, admin_client):
        institution = InstitutionFactory(hospital_grade="02")
        designation_set(
            institution=institution,
            status="terminated",
            effective_from=date(2020, 1, 1),
            reason="解除协议",
            at=AT,
        )

        response = admin_client.get(reverse("admin:medins_institution_changelist"))

        row = next(r for r in response.context["cl"].result_list if r.pk == institution.pk)
        model_admin = response.context["cl"].model_admin
        assert model_admin.level(row) == 3
        assert model_admin.designation_today(row) == Designation.Status.TERMINATED.label

    def test_practitioner_list_shows_points_left_this_year(self, admin_client, time_machine):
        time_machine.move_to(AT)
        practitioner = PractitionerFactory()
        points_deduct(practitioner=practitioner, points=5, reason="x", at=AT)

        response = admin_client.get(reverse("admin:medins_practitioner_changelist"))

        row = response.context["cl"].result_list[0]
        assert response.context["cl"].model_admin.points_left(row) == 7


class TestSettlementPage:
    def test_shows_only_the_first_fee_lines_and_links_to_all(self, admin_client):
        settlement = SettlementFactory()
        lines = [FeeLineFactory(settlement=settlement, line_id=f"L{n:03d}") for n in range(60)]

        response = admin_client.get(
            reverse("admin:settlement_settlement_change", args=[settlement.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        )

        content = response.content.decode()
        shown = [line.line_id for line in lines if f">{line.line_id}<" in content]
        assert len(shown) == 50
        assert "All 60 fee lines of this settlement" in content
        assert f"?settlement__exact={settlement.pk}" in content

    def test_the_fee_line_list_filters_by_settlement(self, admin_client):
        settlement, other = SettlementFactory(), SettlementFactory()
        FeeLineFactory(settlement=settlement, line_id="MINE")
        FeeLineFactory(settlement=other, line_id="OTHER")

        response = admin_client.get(
            reverse("admin:settlement_feeline_changelist") + f"?settlement__exact={settlement.pk}"
        )

        assert [line.pk for line in response.context["cl"].result_list] == ["MINE"]

    def test_names_the_main_diagnosis_category(self, admin_client):
        settlement = SettlementFactory(main_diagnosis="E11.900", total=Decimal("100.00"))

        response = admin_client.get(
            reverse("admin:settlement_settlement_change", args=[settlement.pk])
        )

        assert "非胰岛素依赖型糖尿病" in response.content.decode()

    def test_the_page_stays_at_a_few_queries_with_600_lines(
        self, admin_client, django_assert_max_num_queries
    ):
        settlement = SettlementFactory()
        for n in range(600):
            FeeLineFactory(settlement=settlement, line_id=f"L{n:04d}")
        url = reverse("admin:settlement_settlement_change", args=[settlement.pk])

        with django_assert_max_num_queries(15):
            response = admin_client.get(url)

        assert response.status_code == 200
