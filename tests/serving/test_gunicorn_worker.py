"""The gthread worker closes its wake-up pipe only after its threads are done.

gunicorn's own closes it while threads still run; each that finishes writes a NUL to the old
descriptor number, which may by then be another thread's PostgreSQL connection.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker

from medins import gunicorn_conf
from medins.gunicorn_worker import PipeClosedLast, ThreadWorker


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


class TestLoadShedding:
    """A request that waited in the worker's queue longer than the limit is refused at once
    with 503 and Retry-After; the application never sees it."""

    def _worker(self, waited: float) -> ThreadWorker:
        worker = ThreadWorker.__new__(ThreadWorker)  # no gunicorn arbiter: only what it uses
        worker.max_queue_wait = 3.0
        worker.overloaded = False
        worker.waited = threading.local()
        worker.waited.seconds = waited
        return worker

    def _call(self, worker: ThreadWorker, path: str, **headers: str) -> tuple:
        from django.test import RequestFactory

        served = []

        def app(environ: dict, start_response) -> list[bytes]:
            served.append(environ["PATH_INFO"])
            start_response("200 OK", [])
            return [b"served"]

        answered = {}

        def start_response(status: str, headers: list) -> None:
            answered.update(status=status, headers=dict(headers))

        body = b"".join(
            worker.admitting(app)(RequestFactory().get(path, **headers).environ, start_response)
        )
        return served, answered, body

    def test_a_request_in_time_is_served(self, db):
        served, answered, body = self._call(self._worker(0.5), "/api/v1/settlements/")

        assert (served, answered["status"], body) == (["/api/v1/settlements/"], "200 OK", b"served")

    def test_an_api_request_that_waited_too_long_is_a_json_503(self, db):
        served, answered, body = self._call(
            self._worker(3.5), "/api/v1/settlements/", HTTP_ACCEPT_LANGUAGE="en"
        )

        assert served == []
        assert answered["status"] == "503 Service Unavailable"
        assert answered["headers"]["Retry-After"] == "2"
        assert json.loads(body) == {
            "error": {
                "status": 503,
                "code": "overloaded",
                "message": "The server is too busy to answer now; try again in a few seconds.",
                "fields": {},
            }
        }

    def test_a_page_that_waited_too_long_is_a_503_page(self, db):
        served, answered, body = self._call(self._worker(10), "/audit/cases/")

        assert served == []
        assert answered["status"] == "503 Service Unavailable"
        assert answered["headers"]["Content-Type"].startswith("text/html")
        assert "<html" in body.decode()

    def test_the_wait_is_counted_from_the_queue_to_a_thread(self, monkeypatch):
        monkeypatch.setattr(GunicornThreadWorker, "handle", lambda self, conn: False)
        submitted = []

        def submit(function, conn):
            submitted.append((function, conn))
            return SimpleNamespace(add_done_callback=lambda callback: None)

        worker = self._worker(0)
        worker.tpool = SimpleNamespace(submit=submit)
        worker.enqueue_req(SimpleNamespace())
        time.sleep(0.05)
        handle, conn = submitted[0]
        handle(conn)  # what a thread of the pool does when it comes to the connection

        assert worker.waited.seconds >= 0.05

    def test_once_refusing_it_refuses_down_to_a_quarter_of_the_limit(self):
        worker = self._worker(0)  # limit 3 s

        answers = [worker.refuses(waited) for waited in (2.0, 3.5, 2.0, 1.0, 0.5, 2.0)]

        assert answers == [False, True, True, True, False, False]
