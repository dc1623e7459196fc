import io
from decimal import Decimal

import pytest

from settlement.demo import demo_seed
from settlement.policy.models import PolicyVersion, RefundRun
from settlement.policy.selectors import policy_in_force
from tests.factories import (
    FeeLineFactory,
    InstitutionFactory,
    PersonFactory,
    SettlementFactory,
    UserProfileFactory,
    shanghai,
)


@pytest.fixture
def demo_admin(db):
    return UserProfileFactory(user__username="admin", role="admin", region_code="").user


def test_demo_seed_publishes_the_policy_and_a_refund_run_once(demo_admin):
    hospital = InstitutionFactory(hospital_grade="02")
    person = PersonFactory(insurance_type="390")
    january = shanghai(2025, 1, 10, 9, 0)
    settlement = SettlementFactory(
        person=person,
        institution=hospital,
        insurance_type="390",
        medical_type="21",
        begin_time=january,
        end_time=january.replace(day=15),
        total=Decimal("5000.00"),
        in_scope=Decimal("5000.00"),
        fund_paid=Decimal("2400.00"),
        cash_paid=Decimal("2600.00"),
    )
    FeeLineFactory(settlement=settlement, amount=Decimal("5000.00"), unit_price=Decimal("5000"))

    demo_seed(stdout=io.StringIO())
    demo_seed(stdout=io.StringIO())

    assert set(PolicyVersion.objects.values_list("code", "status")) == {
        ("SD-2025.1", "published"),
        ("SD-2025.2", "published"),
    }
    kind = {"insutype": "390", "med_type": "21", "institution_level": 3}
    assert policy_in_force(**kind, day=settlement.end_time.date()).fund_ratio == Decimal("0.65")
    run = RefundRun.objects.get()
    assert run.refund_total == Decimal("200.00")
    assert run.status == RefundRun.Status.COMPUTED


def test_demo_seed_without_settlements_still_publishes(demo_admin):
    out = io.StringIO()

    demo_seed(stdout=out)

    assert PolicyVersion.objects.filter(status="published").count() == 2
    assert "no refund run" in out.getvalue()
