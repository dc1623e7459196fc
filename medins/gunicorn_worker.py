"""gunicorn's gthread worker, made to stop without writing into someone else's socket.

gunicorn 27's ThreadWorker, stopping (SIGTERM, or recycled after max_requests) with requests
still queued past graceful_timeout, closes the pipe its threads use to wake the main loop
while those threads go on running: each one that finishes writes a wake-up byte (NUL) to the
pipe's old descriptor number, which by then may be a new PostgreSQL connection of another
thread. PostgreSQL answers "invalid frontend message type 0" and drops it; the request on it
fails. Seen under the load benchmark (benchmarks/load_bench.py). Here the pipe is closed only
after the threads are done, and requests not started by then are dropped (their clients see
the connection close, as they would when the worker is killed).
"""

from __future__ import annotations

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
