import hashlib
from datetime import timedelta
from io import BytesIO

import pytest

from screening.audit import selectors, services
from screening.audit.models import InvestigationStep
from settlement.models import BedCheck
from tests.audit.conftest import AT, advance
from tests.factories import SettlementFactory, make_user, shanghai


@pytest.fixture
def stay(cast):
    return SettlementFactory(
        institution=cast.qilu,
        medical_type="21",
        begin_time=shanghai(2026, 3, 28, 10),
        end_time=shanghai(2026, 4, 6, 10),
    )


@pytest.fixture
def task(cast, stay):
    return services.bed_check_issue(user=cast.jinan_auditor, setl_id=stay.pk, at=AT)


class TestBedCheckIssue:
    def test_only_an_inpatient_stay_gets_a_bed_check(self, cast):
        visit = SettlementFactory(institution=cast.qilu, medical_type="11")

        with pytest.raises(services.AuditError, match="not an inpatient"):
            services.bed_check_issue(user=cast.jinan_auditor, setl_id=visit.pk, at=AT)

    def test_a_case_records_it_as_an_investigation_step(self, cast, opened_case, stay):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start")

        services.bed_check_issue(user=cast.jinan_auditor, setl_id=stay.pk, case_id=case.pk, at=AT)

        assert case.steps.get().kind == InvestigationStep.Kind.BED_CHECK

    def test_a_stay_in_another_division_is_not_visible(self, cast):
        stay = SettlementFactory(institution=cast.qingdao, medical_type="21")

        with pytest.raises(services.NotVisible):
            services.bed_check_issue(user=cast.jinan_auditor, setl_id=stay.pk, at=AT)


class TestBedCheckRecord:
    def test_an_absent_patient_lands_in_settlement_bed_checks(self, cast, stay, task):
        services.bed_check_record(
            task_id=task.pk,
            result="absent",
            checked_at=AT + timedelta(minutes=20),
            note="床位无人",
            recorded_by=cast.jinan_auditor,
        )

        check = BedCheck.objects.get()
        assert check.settlement_id == stay.encounter_id
        assert check.result == BedCheck.Result.ABSENT
        assert check.checked_at == AT + timedelta(minutes=20)

    def test_recording_again_corrects_the_same_row(self, cast, task):
        for result in ("absent", "present"):
            services.bed_check_record(
                task_id=task.pk,
                result=result,
                checked_at=AT,
                note="",
                recorded_by=cast.qilu_hospital,
            )

        assert BedCheck.objects.get().result == BedCheck.Result.PRESENT

    def test_an_unknown_result_is_refused(self, cast, task):
        with pytest.raises(services.AuditError, match="must be one of"):
            services.bed_check_record(
                task_id=task.pk,
                result="gone",
                checked_at=AT,
                note="",
                recorded_by=cast.jinan_auditor,
            )

    def test_another_hospital_may_not_answer(self, cast, task):
        qingdao_hospital = make_user("hospital", region_code="", institution=cast.qingdao)

        with pytest.raises(services.NotVisible):
            services.bed_check_record(
                task_id=task.pk,
                result="present",
                checked_at=AT,
                note="",
                recorded_by=qingdao_hospital,
            )

    def test_the_hospital_sees_its_pending_tasks(self, cast, task):
        assert list(selectors.bed_check_tasks_for_institution(cast.qilu)) == [task]
        assert not selectors.bed_check_tasks_for_institution(cast.qingdao).exists()


class TestAttachmentCheck:
    def test_a_pdf_is_stored_with_its_checksum(self, cast, opened_case):
        upload = BytesIO(b"%PDF-1.4 evidence")
        upload.name = "病历.pdf"

        stored = services.case_attach(
            user=cast.jinan_auditor, case_id=opened_case.pk, upload=upload, at=AT
        )

        assert stored.size == 17
        assert stored.sha256 == hashlib.sha256(b"%PDF-1.4 evidence").hexdigest()
        assert stored.file.name.startswith(f"audit/{opened_case.pk}/{stored.sha256}")
        assert stored.file.read() == b"%PDF-1.4 evidence"

    def test_a_file_that_lies_about_its_type_is_refused(self):
        with pytest.raises(services.AuditError, match="does not hold"):
            services.attachment_check(name="scan.pdf", content=b"MZ\x90\x00")

    def test_an_executable_is_refused(self):
        with pytest.raises(services.AuditError, match="not accepted"):
            services.attachment_check(name="tool.exe", content=b"MZ")
