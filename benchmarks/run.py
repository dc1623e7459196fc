"""`make bench`: run every benchmark in turn and print its figures.

`python -m benchmarks.run [name ...]` runs only the named ones (generator, import, screen,
queue, precheck, load).
Each benchmark is a module with `main(argv)`; they print, they never assert.
"""

from __future__ import annotations

import importlib
import os
import sys
import time

BENCHMARKS = (
    "generator_bench",
    "import_bench",
    "screen_bench",
    "queue_bench",  # issue 4: the triage queue over a million flags
    "precheck_bench",  # issue 5: pre-check latency and throughput
    "load_bench",  # issue 7: mixed traffic against gunicorn
)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medins.settings")
    import django

    django.setup()
    chosen = [name for name in BENCHMARKS if not argv or name.removesuffix("_bench") in argv]
    for name in chosen:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as error:
            print(f"== {name}: not available ({error})")
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        module.main([])
        print(f"== {name} done in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
