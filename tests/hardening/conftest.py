"""Fixtures of the fault tests: a real Celery worker and committed data a run flags."""

import pytest

from tests.api.conftest import world  # noqa: F401  (fixture: hospitals with API keys)
from tests.celery_worker import celery_worker, celery_worker_process  # noqa: F401  (fixtures)
from tests.screening.runs.conftest import make_screenable


@pytest.fixture
def screenable(transactional_db):
    """Committed (a real worker reads them): see tests/screening/runs/conftest.py."""
    return make_screenable()
