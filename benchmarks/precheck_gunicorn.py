"""gunicorn hooks of the pre-check benchmark: each worker tells how its claims were batched.

`gunicorn -c python:benchmarks.precheck_gunicorn …` with PRECHECK_BATCH_STATS set to a file:
at exit every worker appends one JSON line (its pid, runs of the rules and claims in them).
"""

from __future__ import annotations

import json
import os
from typing import Any


def worker_exit(server: Any, worker: Any) -> None:
    path = os.environ.get("PRECHECK_BATCH_STATS")
    if not path:
        return
    from settlement.api.precheck import CHECKER

    line = {"pid": os.getpid(), "batches": CHECKER.batches, "claims": CHECKER.jobs}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
