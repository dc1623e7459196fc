"""Generator benchmark: ~10 million fee lines into bench-data/, timed, with peak memory.

`python -m benchmarks.generator_bench [--persons N] [--months M] [--out DIR]`: prints only.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

# About 2.9 fee lines per person and month (measured): 290,000 persons x 12 months ≈ 10M lines.
PERSONS, MONTHS = 290_000, 12


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=PERSONS)
    parser.add_argument("--months", type=int, default=MONTHS)
    parser.add_argument("--out", type=Path, default=Path("bench-data") / "province")
    parser.add_argument("--format", dest="file_format", default="csv", choices=("csv", "parquet"))
    args = parser.parse_args([] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medins.settings")
    import django

    django.setup()
    from medins.generator import generate_province

    started = time.perf_counter()
    summary = generate_province(
        out=args.out, persons=args.persons, months=args.months, seed=1, file_format=args.file_format
    )
    seconds = time.perf_counter() - started
    lines = summary.rows["fee_details"]
    peak = max(
        resource.getrusage(who).ru_maxrss
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    print(
        f"persons {args.persons:,} x {args.months} months -> {lines:,} fee lines, "
        f"{summary.rows['settlements']:,} settlements ({args.file_format}, {args.out})"
    )
    print(
        f"seconds {seconds:.1f}  lines/s {lines / seconds:,.0f}  peak memory {peak / 1024:,.0f} MiB"
    )
    print("injected " + ", ".join(f"{rule} {n}" for rule, n in summary.injected.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
