"""The flows change settlement: a filing changes a cross-region stay's fund share, and a
manual reimbursement under a policy in force is settled by that policy."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from services.actions.flows import request_review
from services.actions.reimbursement import document_upload, request_second_review
from services.actions.window import request_accept, request_start
from settlement.models import Settlement
from tests.factories import (
    FeeLineFactory,
    InstitutionFactory,
    SettlementFactory,
    make_user,
    shanghai,
)
from tests.services.conftest import at


@pytest.fixture
def policy(db):
    from settlement.policy.catalogue import shandong_version_create
    from settlement.policy.services import policy_version_publish

    admin = make_user("admin", region_code="")
    version = shandong_version_create(
        code="SD-T", title="山东", effective_from=date(2026, 1, 1), author=admin
    )
    return policy_version_publish(version=version, user=admin)


def fund_paid(settlement):
    from settlement.policy.claims import claim_from_settlement
    from settlement.policy.services import claim_settle

    return claim_settle(claim=claim_from_settlement(settlement)).hifp_pay


def test_a_filing_lifts_the_unfiled_cut_of_a_stay_in_another_city(net, policy):
    qingdao = InstitutionFactory(code="H37020200001", division_code="370202", hospital_grade="02")
    stay = SettlementFactory(
        person=net.person,
        institution=qingdao,
        insurance_type="310",
        medical_type="21",
        begin_time=shanghai(2026, 4, 1, 9),
        total=Decimal("10000.00"),
    )
    FeeLineFactory(settlement=stay, amount=Decimal("10000.00"), unit_price=Decimal("10000"))
    unfiled = fund_paid(stay)
    request = request_start(
        user=net.clerk,
        person=net.person,
        item=net.items.filing,
        channel="window",
        details={"kind": "temporary", "destination": "青岛市", "valid_from": "2026-03-20"},
        at=at(2026, 3, 19, 9),
    )
    request_accept(user=net.clerk, request=request, materials=["身份证"], at=at(2026, 3, 19, 9))

    request_review(user=net.clerk, request=request, approve=True, note="", at=at(2026, 3, 19, 10))

    # 310 at level 3: (10000 − 800) × 90 %, and 20 points less when not filed.
    assert unfiled == Decimal("6440.00")
    assert fund_paid(stay) == Decimal("8280.00")


def test_a_reimbursement_under_a_policy_is_settled_by_it(net, policy):
    request = request_start(
        user=net.clerk,
        person=net.person,
        item=net.items.refund,
        channel="window",
        details={
            "institution_code": net.hospital.code,
            "medical_type": "21",
            "begin_date": "2026-03-01",
            "end_date": "2026-03-05",
            "diagnosis": "K35.800",
            "fee_lines": "X001,1,5000.00,01",
        },
        at=at(2026, 3, 9, 9),
    )
    request_accept(
        user=net.clerk, request=request, materials=["身份证", "发票"], at=at(2026, 3, 9, 9)
    )
    document_upload(
        user=net.clerk,
        request=request,
        upload=SimpleUploadedFile("bill.pdf", b"%PDF-1.4 bill"),
        at=at(2026, 3, 9, 9),
    )
    request_review(user=net.clerk, request=request, approve=True, note="", at=at(2026, 3, 9, 10))

    done = request_second_review(
        user=net.other_clerk,
        request=request,
        approve=True,
        note="",
        at=at(2026, 3, 10, 9),
        fund_paid=Decimal("1.00"),  # ignored: the policy settles it
    )

    settlement = Settlement.objects.get(pk=done.settlement_id)
    assert settlement.fund_paid == fund_paid(settlement) > Decimal("1.00")
    assert settlement.fund_paid + settlement.cash_paid + settlement.account_paid == Decimal(
        "5000.00"
    )
    assert "Policy SD-T" in done.events.last().note
