"""The gthread worker closes its wake-up pipe only after its threads are done.

gunicorn's own closes it while threads still run; each that finishes writes a NUL to the old
descriptor number, which may by then be another thread's PostgreSQL connection.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from medins import gunicorn_conf
from medins.gunicorn_worker import PipeClosedLast


def test_the_production_configuration_uses_this_worker():
    assert gunicorn_conf.worker_class == "medins.gunicorn_worker.ThreadWorker"


def test_a_request_still_running_finishes_before_the_pipe_closes_and_queued_ones_are_dropped():
    pool = ThreadPoolExecutor(max_workers=1)
    pipe = PipeClosedLast(SimpleNamespace(tpool=pool))
    pipe.init()
    running = threading.Event()
    finished = []

    def request() -> None:
        running.set()
        time.sleep(0.2)  # still running when the worker stops
        pipe.defer(lambda: None)  # what gunicorn's done-callback does: write to the pipe
        finished.append(True)

    first = pool.submit(request)
    queued = pool.submit(request)
    running.wait()

    pipe.close()

    assert first.done()
    assert finished == [True]
    assert queued.cancelled()
