"""The triage queue over a million flags in PostgreSQL: p50/p95 of the first page.

`python -m benchmarks.queue_bench [--flags N] [--requests R]`. Runs in a database of its
own (medins_queue_bench on the server of DATABASE_URL, else 127.0.0.1:5432): creates and
migrates it, loads N flags with COPY once (kept for the next run), then requests the first
queue page R times through Django's test client as a Jinan auditor, as an administrator and
with a filter, and prints the timings and the query plan. Prints, never asserts.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time

BENCH_DB = "medins_queue_bench"
CITIES = [f"37{n:02d}" for n in range(1, 17)]  # Shandong's 16 cities
INSTITUTIONS_PER_CITY = 40
RULES = (
    "OVER_PRICE",
    "DUP_CHARGE",
    "DUP_EXAM",
    "BED_BLOCKING",
    "SPLIT_ADMISSION",
    "EXCESS_QUANTITY",
    "FREQUENT_VISITS",
    "EXCESSIVE_COST",
)
CHUNK = 200_000  # rows per COPY: ~40 MB of CSV at a time


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url.rsplit("/", 1)[0]
    return "postgres://postgres@127.0.0.1:5432"


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get("QUEUE_BENCH_CHILD") != "1":
        _database_ensure()
        env = {
            **os.environ,
            "QUEUE_BENCH_CHILD": "1",
            "DATABASE_URL": f"{_server_url()}/{BENCH_DB}",
            "DJANGO_SETTINGS_MODULE": "medins.settings",
        }
        subprocess.run([sys.executable, "-m", "benchmarks.queue_bench", *argv], env=env, check=True)
        return
    parser = argparse.ArgumentParser(prog="queue_bench")
    parser.add_argument("--flags", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args(argv)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    users = _registry_ensure()
    _flags_ensure(args.flags)
    _measure(users, requests=args.requests)


def _database_ensure() -> None:
    import psycopg

    with psycopg.connect(f"{_server_url()}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{BENCH_DB}"')


def _registry_ensure() -> dict:
    from django.contrib.auth.models import User

    from medins.models import Institution, UserProfile

    Institution.objects.bulk_create(
        [
            Institution(
                code=f"H{city}0200{n:03d}",
                name=f"{city}第{n}医院",
                kind="1",
                hospital_grade=("02", "05", "08")[n % 3],
                division_code=f"{city}02",
            )
            for city in CITIES
            for n in range(INSTITUTIONS_PER_CITY)
        ],
        ignore_conflicts=True,
    )
    users = {}
    for username, role, region in (
        ("bench-auditor", "auditor", "3701"),
        ("bench-admin", "admin", ""),
    ):
        user, _ = User.objects.get_or_create(username=username)
        UserProfile.objects.update_or_create(
            user=user, defaults={"role": role, "region_code": region}
        )
        users[role] = user
    return users


def _flags_ensure(total: int) -> None:
    import numpy as np
    import polars as pl
    from django.db import connection

    from screening.models import Flag

    have = Flag.objects.count()
    if have >= total:
        print(f"{have:,} flags already loaded")
        return
    Flag.objects.all().delete()
    started = time.perf_counter()
    codes = [f"H{city}0200{n:03d}" for city in CITIES for n in range(INSTITUTIONS_PER_CITY)]
    statuses = np.array(["open", "assigned", "dismissed", "confirmed"])
    columns = (
        "flag_id, rule_code, setl_id, feedetl_sn, psn_no, fixmedins_code, dr_code, "
        "sev_deg, amount_at_risk, event_time, evidence, triage_score, status, detected_at"
    )
    generator = np.random.default_rng(4)
    for start in range(0, total, CHUNK):
        n = min(CHUNK, total - start)
        ids = np.arange(start, start + n)
        settlement = ids // 2  # two flags on most settlements, as screening writes them
        frame = pl.DataFrame(
            {
                "flag_id": [f"R:{i:09d}" for i in ids],
                "rule_code": np.array(RULES)[generator.integers(0, len(RULES), n)],
                "setl_id": [f"S{s:010d}" for s in settlement],
                "feedetl_sn": "",
                "psn_no": [f"3701{s % 400_000:014d}" for s in settlement],
                "fixmedins_code": np.array(codes)[settlement % len(codes)],
                "dr_code": "",
                "sev_deg": generator.integers(1, 4, n),
                "amount_at_risk": np.round(generator.lognormal(5, 1.2, n), 2),
                "event_time": "2026-03-01 08:00:00+08",
                "evidence": '{"cnt": 1}',
                "triage_score": np.round(generator.lognormal(3, 1.5, n), 4),
                "status": statuses[generator.choice(4, n, p=[0.8, 0.1, 0.05, 0.05])],
                "detected_at": "2026-04-01 02:00:00+08",
            }
        )
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY screening_flag ({columns}) FROM STDIN (FORMAT csv)") as copy,
        ):
            copy.write(buffer.getvalue())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE screening_flag")
    print(f"loaded {total:,} flags with COPY in {time.perf_counter() - started:.1f} s")


def _timed(client: object, url: str, requests: int, **headers: str) -> list[float]:
    client.get(url, **headers)  # warm: templates, connection, caches
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, **headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


def _report(label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"{label:<42} n={len(ordered)}  p50 {statistics.median(ordered):6.1f} ms  "
        f"p95 {p95:6.1f} ms  max {ordered[-1]:6.1f} ms"
    )


def _measure(users: dict, *, requests: int) -> None:
    from django.db import connection
    from django.test import Client

    from screening.audit.selectors.queue import PAGE_SIZE, QueueFilters, flag_queue

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"queue first page ({PAGE_SIZE} flags) through the test client "
        f"(load average {load} on {os.cpu_count()} cores: others' work inflates these):"
    )
    for role, label in (
        ("auditor", "Jinan auditor (3701), default filter"),
        ("admin", "administrator, whole province"),
    ):
        client = Client()
        client.force_login(users[role])
        _report(label, _timed(client, "/audit/", requests))
    client = Client()
    client.force_login(users["auditor"])
    _report(
        "Jinan auditor, htmx, rule=OVER_PRICE",
        _timed(client, "/audit/?rule=OVER_PRICE&status=open", requests, HTTP_HX_REQUEST="true"),
    )
    _report(
        "Jinan auditor, htmx, open or assigned",
        _timed(client, "/audit/?status=queue", requests, HTTP_HX_REQUEST="true"),
    )
    query = flag_queue(users["auditor"], QueueFilters())[: PAGE_SIZE + 1]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        print("plan of the auditor's first page:")
        for (line,) in cursor.fetchall():
            print(f"  {line}")


if __name__ == "__main__":
    main()
