"""gunicorn's settings for production: `gunicorn -c python:medins.gunicorn_conf medins.wsgi`.

Chosen by measuring with `python -m benchmarks.run load` (mixed API and back-office traffic
at a fixed offered rate; figures in docs/performance.md). Each can be overridden from the
environment (WEB_*) or on the command line, which wins over this file.
"""

from __future__ import annotations

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
# A few processes per core, each with a few threads: requests spend part of their time
# waiting on PostgreSQL, and a waiting thread lets another one run.
workers = int(os.environ.get("WEB_WORKERS", 2 * (os.cpu_count() or 1)))
worker_class = "medins.gunicorn_worker.ThreadWorker"  # gthread, stopping safely
threads = int(os.environ.get("WEB_THREADS", 4))
# Hospital systems send one request after another over one connection: keep it open rather
# than pay a TCP handshake per request.
keepalive = int(os.environ.get("WEB_KEEPALIVE", 15))
# Import Django once, then fork: workers start fast and share the imported code's memory.
preload_app = True
# polars runs only the pre-check's small frames here (screening runs in the Celery workers):
# one thread of its own per worker, not a pool per core in each of the workers, every
# collect handed from thread to thread while all cores serve requests (3 % less CPU a
# pre-check in process; benchmarks/precheck_bench.py runs its gunicorn so). Set before the
# application, and polars with it, is imported.
os.environ.setdefault("POLARS_MAX_THREADS", "1")
timeout = int(os.environ.get("WEB_TIMEOUT", 60))
graceful_timeout = 30
# A worker that grew (an unusual report, a large export) is replaced now and then.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", 20_000))
max_requests_jitter = max_requests // 10
