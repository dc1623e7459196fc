"""The flows that feed settlement: certification, filing, manual reimbursement."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from services.actions import ServiceError
from services.actions.flows import request_expert_decide, request_review
from services.actions.reimbursement import document_upload, request_second_review
from services.actions.window import request_accept, request_start
from services.models import ServiceRequest
from services.selectors import chronic_certifications_in_force, cross_region_filing_in_force
from settlement.models import Settlement
from tests.services.conftest import at

PDF = b"%PDF-1.4\n% scanned invoice\n"


def accepted(net, item, details, materials):
    request = request_start(
        user=net.clerk,
        person=net.person,
        item=item,
        channel="window",
        details=details,
        at=at(2026, 3, 2, 9),
    )
    return request_accept(
        user=net.clerk, request=request, materials=materials, at=at(2026, 3, 2, 9)
    )


class TestChronicCertification:
    def test_expert_approval_creates_the_entitlement_in_force_from_that_day(self, net):
        request = accepted(net, net.items.chronic, {"disease_code": "E11"}, ["身份证", "病历"])
        reviewed = request_review(
            user=net.clerk, request=request, approve=True, note="", at=at(2026, 3, 3)
        )
        assert reviewed.status == ServiceRequest.Status.EXPERT
        assert (
            chronic_certifications_in_force(psn_no=net.person.pk, day=date(2026, 3, 4))
            == frozenset()
        )

        request_expert_decide(
            user=net.clerk,
            request=reviewed,
            approve=True,
            expert="市专家组",
            note="",
            at=at(2026, 3, 4, 10),
        )

        assert chronic_certifications_in_force(psn_no=net.person.pk, day=date(2026, 3, 4)) == {
            "E11"
        }
        assert (
            chronic_certifications_in_force(psn_no=net.person.pk, day=date(2026, 3, 3))
            == frozenset()
        )
        assert (
            chronic_certifications_in_force(psn_no=net.person.pk, day=date(2028, 3, 4))
            == frozenset()
        )

    def test_denied_by_the_experts_creates_nothing(self, net):
        request = accepted(net, net.items.chronic, {"disease_code": "I10"}, ["身份证", "病历"])
        request_review(user=net.clerk, request=request, approve=True, note="", at=at(2026, 3, 3))

        done = request_expert_decide(
            user=net.clerk,
            request=request,
            approve=False,
            expert="市专家组",
            note="指标未达标准",
            at=at(2026, 3, 4),
        )

        assert done.outcome == "denied"
        assert (
            chronic_certifications_in_force(psn_no=net.person.pk, day=date(2026, 3, 5))
            == frozenset()
        )

    def test_an_unknown_disease_is_refused_at_the_start(self, net):
        with pytest.raises(ServiceError, match="XYZ"):
            accepted(net, net.items.chronic, {"disease_code": "XYZ"}, ["身份证", "病历"])


class TestCrossRegionFiling:
    def test_approval_files_the_person_from_the_day_asked(self, net):
        details = {"kind": "resident", "destination": "海南省三亚市", "valid_from": "2026-03-10"}
        request = accepted(net, net.items.filing, details, ["身份证"])

        request_review(
            user=net.clerk, request=request, approve=True, note="", at=at(2026, 3, 2, 10)
        )

        assert not cross_region_filing_in_force(psn_no=net.person.pk, day=date(2026, 3, 9))
        assert cross_region_filing_in_force(psn_no=net.person.pk, day=date(2026, 3, 10))

    def test_a_bad_date_is_named(self, net):
        with pytest.raises(ServiceError, match="YYYY-MM-DD"):
            accepted(
                net,
                net.items.filing,
                {"kind": "resident", "destination": "三亚", "valid_from": "3/10"},
                ["身份证"],
            )


def reimbursement(net):
    details = {
        "institution_code": net.hospital.code,
        "medical_type": "11",
        "begin_date": "2026-02-20",
        "end_date": "2026-02-20",
        "diagnosis": "J06.900",
        "fee_lines": "001,2,50.00\n002,1,30.50,02",
    }
    return accepted(net, net.items.refund, details, ["身份证", "发票"])


class TestManualReimbursement:
    def test_two_reviews_by_two_clerks_create_a_settlement(self, net, settings):
        request = reimbursement(net)
        upload = SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf")
        document = document_upload(
            user=net.clerk, request=request, upload=upload, at=at(2026, 3, 2, 9)
        )
        request_review(
            user=net.clerk, request=request, approve=True, note="票据齐全", at=at(2026, 3, 2, 11)
        )
        with pytest.raises(ServiceError, match="another clerk"):
            request_second_review(
                user=net.clerk,
                request=request,
                approve=True,
                note="",
                at=at(2026, 3, 3),
                fund_paid=Decimal("80"),
            )

        done = request_second_review(
            user=net.other_clerk,
            request=request,
            approve=True,
            note="",
            at=at(2026, 3, 3),
            fund_paid=Decimal("80.00"),
        )

        settlement = Settlement.objects.get(pk=done.settlement_id)
        assert settlement.total == Decimal("130.50")
        assert settlement.fee_lines.count() == 2
        assert settlement.person_id == net.person.pk
        if settlement.fund_paid != Decimal("80.00"):  # a policy in force settled it instead
            assert (
                settlement.fund_paid + settlement.cash_paid + settlement.account_paid
                == settlement.total
            )
        assert Path(document.file.path).is_relative_to(Path(settings.MEDIA_ROOT))
        assert len(document.sha256) == 64

    def test_first_review_needs_the_scans(self, net):
        request = reimbursement(net)

        with pytest.raises(ServiceError, match="scanned"):
            request_review(
                user=net.clerk, request=request, approve=True, note="", at=at(2026, 3, 2)
            )

    @pytest.mark.parametrize(
        ("name", "content", "error"),
        [
            ("invoice.exe", b"MZ", "not accepted"),
            ("invoice.pdf", b"<html>", "not a .pdf"),
            ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2048, "larger than the limit"),
        ],
    )
    def test_uploads_are_checked_for_type_and_size(self, net, settings, name, content, error):
        settings.SERVICES_UPLOAD_MAX_BYTES = 1024
        request = reimbursement(net)

        with pytest.raises(ServiceError, match=error):
            document_upload(
                user=net.clerk,
                request=request,
                upload=SimpleUploadedFile(name, content),
                at=at(2026, 3, 2),
            )

    def test_a_bad_fee_line_is_named_by_its_number(self, net):
        with pytest.raises(ServiceError, match="Fee line 2"):
            accepted(
                net,
                net.items.refund,
                {
                    "institution_code": net.hospital.code,
                    "begin_date": "2026-02-20",
                    "end_date": "2026-02-20",
                    "fee_lines": "001,1,5\n002,x,5",
                },
                ["身份证", "发票"],
            )
