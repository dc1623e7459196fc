"""gunicorn's gthread worker, made to stop without writing into someone else's socket.

gunicorn 27's ThreadWorker, stopping (SIGTERM, or recycled after max_requests) with requests
still queued past graceful_timeout, closes the pipe its threads use to wake the main loop
while those threads go on running: each one that finishes writes a wake-up byte (NUL) to the
pipe's old descriptor number, which by then may be a new PostgreSQL connection of another
thread. PostgreSQL answers "invalid frontend message type 0" and drops it; the request on it
fails. Seen under the load benchmark (benchmarks/load_bench.py). Here the pipe is closed only
after the threads are done, and requests not started by then are dropped (their clients see
the connection close, as they would when the worker is killed).

It also sheds load: a request that waited in the worker's queue for a thread longer than
WEB_MAX_QUEUE_WAIT seconds (default 2) is answered 503 with Retry-After at once
(medins.serving.overloaded), without Django's middleware or the database. Above capacity the
queue would otherwise grow until every request waits longer than its client does: all of
them time out while the server works for clients that are gone. Refusing the excess keeps
the requests it accepts answered in time. 2 s: under the load test's 256 connections at
about 100 req/s a request waits at most about 2.5 s in a worker, so a longer limit would
never refuse and the excess would queue in the clients instead (measured: 3 s refused 3 %
at 150 req/s and two thirds timed out; 2 s refused half and none timed out).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.workers.gthread import PollableMethodQueue
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker


class PipeClosedLast(PollableMethodQueue):
    def __init__(self, worker: GunicornThreadWorker) -> None:
        super().__init__()
        self.worker = worker

    def close(self) -> None:
        if self.worker.tpool is not None:
            self.worker.tpool.shutdown(wait=True, cancel_futures=True)
        super().close()


class ThreadWorker(GunicornThreadWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.method_queue = PipeClosedLast(self)
        self.max_queue_wait = float(os.environ.get("WEB_MAX_QUEUE_WAIT", 2))
        self.overloaded = False  # refusing until a request comes through quickly
        self.waited = threading.local()  # this thread's request: seconds in the queue

    def refuses(self, waited: float) -> bool:
        """Over the limit, refuse; and once refusing, go on refusing what waited over a
        quarter of it until a request comes through quickly: the standing queue drains in
        about a quarter of the limit, while a short burst under it is served whole."""
        if waited > self.max_queue_wait:
            self.overloaded = True
        elif waited <= self.max_queue_wait / 4:
            self.overloaded = False
        return self.overloaded

    def enqueue_req(self, conn: Any) -> None:
        conn.queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        self.waited.seconds = time.monotonic() - getattr(conn, "queued_at", time.monotonic())
        return super().handle(conn)

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = self.admitting(self.wsgi)

    def admitting(self, app: Callable) -> Callable:
        """The application, or a quick 503 for a request that waited too long for a thread."""

        def admit(environ: dict, start_response: Callable) -> Iterable[bytes]:
            if not self.refuses(getattr(self.waited, "seconds", 0.0)):
                return app(environ, start_response)
            from medins.serving import overloaded

            return overloaded(environ, start_response)

        return admit
