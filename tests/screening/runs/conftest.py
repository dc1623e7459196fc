"""Stored data a run can screen: two persons, each with an over-priced lab line."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from screening.models import ScreeningRun
from tests.celery_worker import (  # noqa: F401  (fixtures)
    celery_worker,
    celery_worker_process,
    tasks_in_process,
)
from tests.factories import (
    CatalogItemFactory,
    FeeLineFactory,
    InstitutionFactory,
    PersonFactory,
    SettlementFactory,
    shanghai,
)

CAPPED = "002503020030000"
WINDOW = (date(2026, 3, 1), date(2026, 3, 31))


def wait_for_end(run: ScreeningRun, timeout: float = 120) -> ScreeningRun:
    """The run, once it is done or failed; fails the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in (ScreeningRun.Status.DONE, ScreeningRun.Status.FAILED):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run.pk} still {run.status} after {timeout} s")


def overpriced_line(person, institution, *, day: int, line_id: str):
    settlement = SettlementFactory(
        person=person, institution=institution, begin_time=shanghai(2026, 3, day, 9, 0)
    )
    return FeeLineFactory(
        line_id=line_id,
        settlement=settlement,
        item_code=CAPPED,
        unit_price=Decimal("25.00"),
        amount=Decimal("25.00"),
    )


@pytest.fixture(autouse=True)
def _eager_unless_a_worker(request, settings):
    """Tasks run in-process, in service mode too, except where a test asks for a worker."""
    if "celery_worker" in request.fixturenames:
        yield
        return
    with tasks_in_process(settings):
        yield


def pytest_collection_modifyitems(config, items) -> None:
    """On PostgreSQL a run reads through ADBC, a connection of its own, so the data it reads
    must be committed: every test here is transactional there. SQLite shares the test's
    connection and keeps the faster rolled-back tests."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        here = str(Path(__file__).parent)
        for item in items:
            if str(item.path).startswith(here):
                item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture
def stored(db) -> None:
    """Database access for data a run reads (transactional on PostgreSQL: see above)."""


@pytest.fixture
def screenable(stored):
    return make_screenable()


def make_screenable() -> SimpleNamespace:
    """Four persons at one hospital; the 1st and 3rd pay 25 yuan for a lab item capped at 10."""
    hospital = InstitutionFactory(code="H37010200001")
    CatalogItemFactory(code=CAPPED, price_cap=Decimal("10.00"))
    persons = [PersonFactory(psn_no=f"37010200000{n}") for n in range(1, 5)]
    first, second = persons[0], persons[2]  # one in each half of the person numbers
    lines = [
        overpriced_line(first, hospital, day=3, line_id="F1"),
        overpriced_line(second, hospital, day=4, line_id="F2"),
    ]
    return SimpleNamespace(hospital=hospital, persons=persons, lines=lines)
