"""Hospital feedback: its flags, its cases and their outcomes, appeals, remote bed checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.audit import services as audit
from screening.audit.models import Appeal, CaseState
from settlement.models import BedCheck
from tests.audit.conftest import AT, advance, make_flag
from tests.factories import SettlementFactory, make_user


@pytest.fixture
def auditor(world):
    return make_user("auditor", region_code="3701")


@pytest.fixture
def flags(world):
    return [make_flag(world.qilu), make_flag(world.qilu, rule_code="DUP_CHARGE")]


@pytest.fixture
def case(world, auditor, flags):
    opened = audit.case_open(user=auditor, flag_ids=[flag.pk for flag in flags], at=AT)
    return advance(opened, auditor, "assign", "start")


class TestFlags:
    def test_lists_only_the_flags_about_the_institution(self, world, flags):
        make_flag(world.qingdao)

        body = world.hospital.get("/api/v1/flags/").json()

        assert body["count"] == 2
        assert {row["flag_id"] for row in body["results"]} == {flag.pk for flag in flags}
        assert {row["rule_name"] for row in body["results"]} == {"超标准收费", "重复收费"}
        assert world.other_hospital.get("/api/v1/flags/").json()["count"] == 1

    def test_a_flag_in_a_case_names_the_case_and_its_state(self, world, case):
        rows = world.hospital.get("/api/v1/flags/", {"rule_id": "OVER_PRICE"}).json()["results"]

        assert [(row["case_id"], row["case_state"]) for row in rows] == [
            (case.pk, CaseState.INVESTIGATING)
        ]


class TestAppeal:
    def test_appeals_with_text_and_an_attachment(self, world, case):
        scan = SimpleUploadedFile("说明.txt", "物价局批复文件".encode(), content_type="text/plain")

        response = world.hospital.post(
            f"/api/v1/cases/{case.pk}/appeal/",
            {"text": "该项目价格经物价部门批准", "attachments": [scan]},
            format="multipart",
        )

        assert response.status_code == 201
        body = response.json()
        assert body["state"] == CaseState.APPEALED
        assert body["appeals"][0]["text"] == "该项目价格经物价部门批准"
        assert body["appeals"][0]["attachments"] == ["说明.txt"]
        appeal = Appeal.objects.get()
        assert appeal.by.username == "api-H37010200001"

    def test_the_outcome_is_visible_once_decided(self, world, case, auditor):
        from medins.models import Role

        supervisor = make_user(Role.SUPERVISOR, region_code="3701")
        advance(case, auditor, "propose")
        audit.case_transition(user=supervisor, case_id=case.pk, name="approve", at=AT)

        body = world.hospital.get(f"/api/v1/cases/{case.pk}/").json()

        assert body["state"] == CaseState.DECIDED
        assert sorted(body["flag_ids"]) == sorted(link.flag_id for link in case.case_flags.all())

    def test_an_appeal_in_a_state_that_takes_none_answers_409(self, world, auditor, flags):
        opened = audit.case_open(user=auditor, flag_ids=[flags[0].pk], at=AT)

        response = world.hospital.post(
            f"/api/v1/cases/{opened.pk}/appeal/", {"text": "不服"}, format="json"
        )

        assert response.status_code == 409
        assert not Appeal.objects.exists()

    def test_an_empty_text_or_a_bad_file_is_a_field_error(self, world, case):
        fake = SimpleUploadedFile("scan.pdf", b"not a pdf", content_type="application/pdf")

        empty = world.hospital.post(f"/api/v1/cases/{case.pk}/appeal/", {"text": ""}, format="json")
        bad = world.hospital.post(
            f"/api/v1/cases/{case.pk}/appeal/",
            {"text": "见附件", "attachments": [fake]},
            format="multipart",
        )

        assert "text" in empty.json()["error"]["fields"]
        assert "attachments" in bad.json()["error"]["fields"]
        assert not Appeal.objects.exists()

    def test_another_institutions_case_is_not_found(self, world, case):
        response = world.other_hospital.post(
            f"/api/v1/cases/{case.pk}/appeal/", {"text": "不服"}, format="json"
        )

        assert response.status_code == 404
        assert world.other_hospital.get(f"/api/v1/cases/{case.pk}/").status_code == 404
        assert world.other_hospital.get("/api/v1/cases/").json()["count"] == 0


@pytest.fixture
def bed_check(world, auditor):
    stay = SettlementFactory(
        institution=world.qilu, person=world.person, medical_type="21",
        begin_time=AT - timedelta(days=3), end_time=AT + timedelta(days=2),
    )  # fmt: skip
    return audit.bed_check_issue(user=auditor, setl_id=stay.pk, instructions="视频查床", at=AT)


class TestBedChecks:
    def test_lists_the_open_check_and_records_its_result(self, world, bed_check):
        listed = world.hospital.get("/api/v1/bed-checks/").json()["results"]

        response = world.hospital.post(
            f"/api/v1/bed-checks/{bed_check.pk}/",
            {"result": "absent", "checked_at": "2026-04-01 10:00:00", "note": "患者外出"},
            format="json",
        )

        assert [row["task_id"] for row in listed] == [bed_check.pk]
        assert response.status_code == 200
        assert response.json()["result"] == "absent"
        assert BedCheck.objects.get().result == BedCheck.Result.ABSENT

    def test_a_bad_result_is_a_field_error(self, world, bed_check):
        response = world.hospital.post(
            f"/api/v1/bed-checks/{bed_check.pk}/",
            {"result": "maybe", "checked_at": "2026-04-01 10:00:00"},
            format="json",
        )

        assert response.status_code == 400
        assert "result" in response.json()["error"]["fields"]

    def test_another_institution_cannot_record_it(self, world, bed_check):
        response = world.other_hospital.post(
            f"/api/v1/bed-checks/{bed_check.pk}/",
            {"result": "present", "checked_at": "2026-04-01 10:00:00"},
            format="json",
        )

        assert response.status_code == 404
        assert world.other_hospital.get("/api/v1/bed-checks/").json()["count"] == 0
        assert not BedCheck.objects.exists()
