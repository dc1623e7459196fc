"""Fixtures of the fault tests: a real Celery worker and committed data a run flags."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.api.conftest import world  # noqa: F401  (fixture: hospitals with API keys)
from tests.celery_worker import celery_worker, celery_worker_process  # noqa: F401  (fixtures)
from tests.factories import (
    CatalogItemFactory,
    FeeLineFactory,
    InstitutionFactory,
    PersonFactory,
    SettlementFactory,
    shanghai,
)

CAPPED = "002503020030000"


@pytest.fixture
def screenable(transactional_db):
    """Four persons at one hospital; the 1st and 3rd pay 25 yuan for a lab item capped at 10."""
    hospital = InstitutionFactory(code="H37010200001")
    CatalogItemFactory(code=CAPPED, price_cap=Decimal("10.00"))
    persons = [PersonFactory(psn_no=f"37010200000{n}") for n in range(1, 5)]
    for person, day, line_id in ((persons[0], 3, "F1"), (persons[2], 4, "F2")):
        settlement = SettlementFactory(
            person=person, institution=hospital, begin_time=shanghai(2026, 3, day, 9, 0)
        )
        FeeLineFactory(
            line_id=line_id,
            settlement=settlement,
            item_code=CAPPED,
            unit_price=Decimal("25.00"),
            amount=Decimal("25.00"),
        )
    return SimpleNamespace(hospital=hospital, persons=persons)
