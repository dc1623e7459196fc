"""Processes that stall at a chosen point so a test can kill them there (SIGKILL).

    python -m tests.hardening.fault_runner import BATCH_DIR   # stalls before settlements load
    python -m tests.hardening.fault_runner worker QUEUE       # stalls inside a partition's write

Each touches the file named by FAULT_MARKER when it has reached the point, with its writes
made and its transaction still open, then sleeps until it is killed.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path


def _stall() -> None:
    Path(os.environ["FAULT_MARKER"]).touch()
    time.sleep(3600)


def _import(batch: str) -> None:
    from settlement.services import batch_import

    def progress(name: str) -> None:
        if name == "settlements":  # institutions, persons, catalog are written by now
            _stall()

    batch_import(source=Path(batch), today=date(2026, 4, 1), progress=progress)


def _worker(queue: str) -> None:
    from medins.celery import app
    from screening.services import runs

    real_upsert = runs.flags_upsert

    def stalled_upsert(*args: object, **kwargs: object) -> object:
        result = real_upsert(*args, **kwargs)  # the flags are written, not committed
        _stall()
        return result

    runs.flags_upsert = stalled_upsert
    app.worker_main(
        [
            "worker",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "-P",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ]
    )


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medins.settings")
    import django

    django.setup()
    mode, argument = argv
    {"import": _import, "worker": _worker}[mode](argument)


if __name__ == "__main__":
    main(sys.argv[1:])
