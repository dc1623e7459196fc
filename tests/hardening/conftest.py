"""Fixtures the fault tests borrow: a real Celery worker and data a screening run flags."""

from tests.celery_worker import celery_worker, celery_worker_process  # noqa: F401  (fixtures)
from tests.screening.runs.conftest import screenable  # noqa: F401  (fixture)
