"""A real Celery worker for tests in service mode (PostgreSQL + Redis).

The worker is a separate process on the test database, so tests that use it need committed
data (`transactional_db`). Each pytest-xdist worker gets its own queue, so two test processes
never run each other's tasks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from medins.celery import app

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def tasks_in_process(settings) -> Iterator[None]:
    """Celery tasks run eagerly in this process for the block, in service mode too (a live
    server's thread shares the process); `settings` is pytest-django's fixture."""
    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = before


def service_mode() -> bool:
    return bool(settings.CELERY_BROKER_URL) and connection.vendor == "postgresql"


def _database_url() -> str:
    db = connection.settings_dict
    auth = f"{db['USER']}@" if db.get("USER") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or 'localhost'}{port}/{db['NAME']}"


def _wait_until_ready(queue: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {process.returncode}")
        replies = app.control.ping(timeout=1.0) or []
        if any(queue in name for reply in replies for name in reply):
            return
    raise RuntimeError("the Celery worker did not answer within a minute")


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, worker_id: str) -> Iterator[str]:
    """Start `celery worker` on this session's test database; yield its queue name."""
    if not service_mode():
        pytest.skip("needs CELERY_BROKER_URL and PostgreSQL (service mode)")
    queue = f"test-{worker_id}-{os.getpid()}"
    app.conf.task_default_queue = queue
    with django_db_blocker.unblock():
        env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_TASK_DEFAULT_QUEUE": queue}
    env.pop("CONN_MAX_AGE", None)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "medins",
        "worker",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "-c",
        "2",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        app.control.purge()
        _wait_until_ready(queue, process)
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE


@pytest.fixture
def celery_worker(celery_worker_process: str, transactional_db) -> str:
    """A live worker for one test, with the test's data committed where it can see it."""
    return celery_worker_process
