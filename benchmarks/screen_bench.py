"""Screening speed: screen_batch over a batch folder, then each rule timed on its own.

`python -m benchmarks.screen_bench [BATCH] [--lines N]`. Without BATCH it uses the generated
province of `benchmarks.generator_bench` (bench-data/province, ~10 million fee lines) when
present, else synthesizes N fee lines (default 2 million) of plausible, lightly irregular data
into a temporary CSV batch. Each screen_batch runs in a child process, so its peak memory is
the batch's alone. Prints, never asserts.

`python -m benchmarks.screen_bench BATCH --postgres [--workers 1,2] [--partitions P]` then
measures the stored path: with DATABASE_URL on PostgreSQL (a database of its own, e.g.
medins_bench) and CELERY_BROKER_URL set, it imports BATCH once (skipped when its fee lines
are there already), and for each worker count starts real Celery workers and runs `screen`
over the batch's window, printing wall time, lines/s and the read, compute and write seconds
the partitions and the finishing step recorded.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

DEFAULT_BATCH = Path("bench-data/province")
SHANGHAI_NOW = datetime.fromisoformat("2025-07-01T00:00:00+08:00")
START = datetime(2025, 3, 1)  # noqa: DTZ001 - frames hold naive Shanghai wall clock


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medins.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(prog="screen_bench")
    parser.add_argument("batch", nargs="?", type=Path)
    parser.add_argument("--lines", type=int, default=2_000_000, help="synthetic fee lines")
    parser.add_argument(
        "--postgres",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also screen from PostgreSQL (default: when DATABASE_URL names a *bench* database "
        "on PostgreSQL and CELERY_BROKER_URL is set, as `make bench` may)",
    )
    parser.add_argument("--files", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--workers", default="1,2", help="worker processes to try, e.g. 1,2")
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    if args.postgres is None:
        args.postgres = _bench_database()
    batch = args.batch or (DEFAULT_BATCH if DEFAULT_BATCH.is_dir() else None)
    if args.postgres and batch is not None and not args.files:
        _measure_postgres(batch, [int(n) for n in args.workers.split(",")], args.partitions)
        return
    with tempfile.TemporaryDirectory(prefix="screen-bench-") as scratch:
        if batch is None:
            started = time.perf_counter()
            batch = synthesize(Path(scratch) / "batch", lines=args.lines)
            print(f"synthesized {args.lines:,} fee lines in {time.perf_counter() - started:.1f} s")
        if args.files:
            _measure(batch, Path(scratch) / "out")
        if args.postgres:
            _measure_postgres(batch, [int(n) for n in args.workers.split(",")], args.partitions)


def _bench_database() -> bool:
    """A PostgreSQL database made for benchmarks (its name says so) and a broker."""
    from django.conf import settings
    from django.db import connection

    name = str(connection.settings_dict.get("NAME") or "")
    return (
        connection.vendor == "postgresql" and "bench" in name and bool(settings.CELERY_BROKER_URL)
    )


def _measure_postgres(batch: Path, workers: list[int], partitions: int) -> None:
    """Import once, then `screen` the batch's window with N real workers for each N."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from settlement.models import FeeLine

    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL:
        print("postgres: needs DATABASE_URL on PostgreSQL and CELERY_BROKER_URL; skipped")
        return
    call_command("migrate", verbosity=0)
    lines = FeeLine.objects.count()
    if not lines:
        from settlement.services import batch_import

        started = time.perf_counter()
        record = batch_import(source=batch, today=SHANGHAI_NOW.date())
        lines = FeeLine.objects.count()
        print(
            f"postgres: imported {lines:,} fee lines in {time.perf_counter() - started:.1f} s "
            f"({record.status})"
        )
    window = _stored_window()
    for count in workers:
        worker = _start_workers(count)
        try:
            started = time.perf_counter()
            call_command(
                "screen",
                "--from",
                window[0].isoformat(),
                "--to",
                window[1].isoformat(),
                "--partitions",
                str(partitions),
                "--kind",
                "monthly",
                stdout=open(os.devnull, "w"),  # noqa: SIM115 - the report is printed below
            )
            wall = time.perf_counter() - started
        finally:
            worker.terminate()
            worker.wait(timeout=60)
        _report_run(count, partitions, lines, wall)


def _stored_window():
    from django.db.models import Max, Min
    from django.utils import timezone

    from settlement.models import FeeLine

    span = FeeLine.objects.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    return timezone.localdate(span["first"]), timezone.localdate(span["last"])


def _start_workers(count: int):
    import subprocess

    from medins.celery import app

    command = [sys.executable, "-m", "celery", "-A", "medins", "worker", "-c", str(count)]
    command += ["-n", f"screen-bench-{count}@%h", "--without-gossip", "--without-mingle"]
    command += ["-l", "warning"]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (app.control.ping(timeout=1.0) or []):
        pass
    return process


def _report_run(workers: int, partitions: int, lines: int, wall: float) -> None:
    from screening.models import ScreeningRun

    run = ScreeningRun.objects.order_by("-pk").first()
    t = run.timings
    print(
        f"postgres, {workers} worker(s), {partitions} partitions: run #{run.pk} {run.status} "
        f"in {wall:.1f} s ({lines / wall:,.0f} lines/s), {sum(run.counts.values()):,} flags"
    )
    print(
        "  partitions (summed over workers): "
        f"read {t.get('read', 0):.1f} s, compute {t.get('compute', 0):.1f} s, "
        f"write {t.get('write', 0):.1f} s; finishing step: "
        f"read {t.get('population_read', 0):.1f} s, compute {t.get('population_compute', 0):.1f}"
        f" s, write {t.get('population_write', 0):.1f} s"
    )


def _measure(batch: Path, out: Path) -> None:
    """screen_batch in a fresh process (peak memory its own), then each rule timed alone."""
    for per_rule in (False, True):
        command = [sys.executable, "manage.py", "screen_batch", str(batch), "--out", str(out)]
        started = time.perf_counter()
        report = subprocess.run(
            command + (["--per-rule-timings"] if per_rule else []),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(report.rstrip())
        lines = int(report.split(" fee lines")[0].rsplit(" ", 1)[1])
        label = "each rule alone" if per_rule else "all rules together"
        print(
            f"screen_batch ({label}): {wall:.1f} s wall with start-up, "
            f"{lines / wall:,.0f} lines/s; peak memory (largest child so far) {peak:,.0f} MiB"
        )


def synthesize(folder: Path, *, lines: int, seed: int = 7) -> Path:
    """A CSV batch: catalog with limits, institutions, persons, settlements, fee lines."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    catalog = _catalog()
    institutions = _institutions(200)
    persons = _persons(rng, max(1_000, lines // 40))
    settlements = _settlements(rng, lines // 8, persons.height, institutions)
    fee_lines = _fee_lines(rng, lines, settlements, catalog)
    for name, frame in (
        ("catalog", catalog),
        ("institutions", institutions),
        ("persons", persons),
        ("settlements", settlements),
        ("fee_details", fee_lines),
    ):
        frame.write_csv(folder / f"{name}.csv", datetime_format="%Y-%m-%d %H:%M:%S")
    return folder


def _catalog() -> pl.DataFrame:
    codes = [f"00{number:013d}" for number in range(1_000)] + [
        f"X{number:022d}" for number in range(1_000)
    ]
    kind = np.array(["05"] * 1_000 + ["09"] * 1_000)
    kind[:20] = "01"  # beds
    kind[20:120] = "03"  # exams
    index = np.arange(2_000)
    return pl.DataFrame(
        {
            "med_list_codg": codes,
            "name": [f"item {number}" for number in index],
            "list_type": np.where(kind == "09", "101", "201"),
            "med_chrgitm_type": kind,
            "chrgitm_lv": "01",
            "pric_uplmt_amt": [f"{20 + number % 300}.00" for number in index],
            "lmt_gend": _maybe(index % 97 == 5, "2"),
            "lmt_min_age": _maybe(index % 89 == 3, 18),
            "lmt_dise_prefixes": _maybe(index % 53 == 7, "E10|E11"),
            "lmt_min_hosp_lv": _maybe(index % 71 == 9, 3),
            "max_daily_cnt": _maybe(kind == "01", 1),
            "max_supply_days": _maybe((kind == "09") & (index % 5 == 0), 14),
            "repeat_window_days": _maybe(kind == "03", 30),
            "includes_codes": [
                f"{codes[number + 1]}|{codes[number + 2]}" if number % 100 == 150 % 100 else None
                for number in index
            ],
        }
    )


def _maybe(mask: np.ndarray, value: object) -> pl.Series:
    return pl.Series([value if chosen else None for chosen in mask.tolist()])


def _institutions(count: int) -> pl.DataFrame:
    levels = ["02", "05", "08", "11"]
    return pl.DataFrame(
        {
            "fixmedins_code": [f"H{number:011d}" for number in range(count)],
            "fixmedins_name": [f"hospital {number}" for number in range(count)],
            "fixmedins_type": "1",
            "hosp_lv": [levels[number % 4] for number in range(count)],
            "admdvs": "370102",
            "open_bed_cnt": 300,
        }
    )


def _persons(rng: np.random.Generator, count: int) -> pl.DataFrame:
    births = np.datetime64("1940-01-01") + rng.integers(0, 80 * 365, count).astype("timedelta64[D]")
    return pl.DataFrame(
        {
            "psn_no": [f"P{number:015d}" for number in range(count)],
            "certno": "",
            "psn_name": "",
            "gend": rng.choice(["1", "2"], count),
            "brdy": births,
            "insutype": "310",
            "insuplc_admdvs": "370102",
        }
    )


def _settlements(
    rng: np.random.Generator, count: int, persons: int, institutions: pl.DataFrame
) -> pl.DataFrame:
    med_type = rng.choice(["11", "14", "21", "41"], count, p=[0.6, 0.15, 0.15, 0.1])
    begin = START + _seconds(rng.integers(0, 120 * 86_400, count))
    stay = np.where(med_type == "21", rng.integers(1, 10, count) * 86_400, 3_600)
    total = rng.integers(1_000, 500_000, count)
    return pl.DataFrame(
        {
            "setl_id": [f"S{number:012d}" for number in range(count)],
            "mdtrt_id": [f"M{number:012d}" for number in range(count)],
            "psn_no": [f"P{number:015d}" for number in rng.integers(0, persons, count)],
            "fixmedins_code": institutions["fixmedins_code"].gather(
                rng.integers(0, institutions.height, count)
            ),
            "insutype": "310",
            "med_type": med_type,
            "begntime": begin,
            "endtime": begin + _seconds(stay),
            "dise_codg": rng.choice(["E11.900", "I10.x00", "J06.900", "K29.700"], count),
            "medfee_sumamt": pl.Series(total / 100).round(2),
            "fulamt_ownpay_amt": 0,
            "inscp_scp_amt": pl.Series(total / 100).round(2),
            "hifp_pay": pl.Series(total * 0.6 / 100).round(2),
            "acct_pay": 0,
            "psn_cash_pay": pl.Series(total * 0.4 / 100).round(2),
            "setl_time": begin,
            "refd_setl_flag": 0,
        }
    ).with_columns(pl.col("begntime", "endtime", "setl_time").cast(pl.Datetime("us")))


def _seconds(values: np.ndarray) -> pl.Series:
    return pl.Series(values.astype(np.int64) * 1_000_000).cast(pl.Duration("us"))


def _fee_lines(
    rng: np.random.Generator, count: int, settlements: pl.DataFrame, catalog: pl.DataFrame
) -> pl.DataFrame:
    encounter = rng.integers(0, settlements.height, count)
    item = rng.integers(0, catalog.height, count)
    chosen = settlements.select(
        "setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "begntime", "endtime"
    )[encounter]
    items = catalog.select("med_list_codg", "med_chrgitm_type", "pric_uplmt_amt")[item]
    span = (chosen["endtime"] - chosen["begntime"]).dt.total_seconds().to_numpy()
    offset = (rng.random(count) * span).astype(np.int64)
    cap = items["pric_uplmt_amt"].str.replace(".00", "", literal=True).cast(pl.Int64).to_numpy()
    price = np.where(rng.random(count) < 0.002, cap + 1, cap - rng.integers(0, 10, count))
    cnt = rng.integers(1, 4, count)
    drug = items["med_chrgitm_type"].to_numpy() == "09"
    return pl.DataFrame(
        {
            "feedetl_sn": [f"F{number:014d}" for number in range(count)],
            **chosen.drop("begntime", "endtime").to_dict(),
            "fee_ocur_time": chosen["begntime"] + _seconds(offset),
            **items.drop("pric_uplmt_amt").to_dict(),
            "cnt": cnt,
            "pric": pl.Series(price).cast(pl.String) + ".00",
            "det_item_fee_sumamt": pl.Series(price * cnt).cast(pl.String) + ".00",
            # Mostly within every limit; about 1 in 500 lines asks for too many days.
            "prd_days": pl.Series(
                np.where(rng.random(count) < 0.002, 40, rng.integers(1, 8, count))
            ).set(pl.Series(~drug), None),
            "bilg_dr_codg": [f"D{number:06d}" for number in rng.integers(0, 2_000, count)],
            "chrgitm_lv": "01",
        }
    ).with_columns(pl.col("fee_ocur_time").cast(pl.Datetime("us")))


if __name__ == "__main__":
    main()
