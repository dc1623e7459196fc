"""Pre-check latency and throughput: 50-line claims against a person history in PostgreSQL.

`python -m benchmarks.precheck_bench [--lines N] [--persons P] [--requests R] [--threads T]
[--seconds S] [--workers W] [--worker-threads K]` works in a PostgreSQL database of its own
(medins_precheck_bench on the server of DATABASE_URL, default 127.0.0.1:5432): it migrates
it, fills it once with N synthetic fee lines (N/10 settlements over the year before
2026-03-01, P persons, so each person has about N/P lines of history), then

1. latency: R pre-checks one after another through the WSGI app in this process, each a new
   50-line claim of a random person (p50, p95, p99, and the server-side split);
2. throughput: gunicorn (W gthread workers of K threads each) on a free port, T client
   threads posting claims for S seconds over keep-alive HTTP connections: pre-checks per
   second and the latency they saw. Claims that wait at once in a worker share one run of
   the rules (settlement/api/precheck_batch.py), so the worker threads matter: with 3
   workers of 16 threads and 48 clients (hospitals' systems sending at once) some six claims
   share each run, with 2 of 8 and 16 clients about two; the printout says how many. More
   threads a worker make bigger runs but cost more in turns at the interpreter lock (2 x 24:
   141-150/s, 3 x 16: 174-178/s, 3 x 24: 160/s, 4 x 12: 136/s, 15:21-15:27).

`--database NAME --existing` measures in a database already filled by an import instead
(e.g. medins_bench's ten-million-line province): nothing is migrated, truncated or filled;
the claims are of persons with settlements there, their lines of items charged there, on the
day after its last fee line. The pre-check records it writes stay.

Prints, never asserts. The issue's target volume is ten million lines (`--lines 10000000`);
the default is smaller so that `make bench` stays within minutes, and the printout says which
volume was measured.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.load_bench import Connection, raw_request

DATABASE = "medins_precheck_bench"
HISTORY_END = datetime.fromisoformat("2026-03-01T00:00:00+08:00")
CLAIM_DAY = "2026-03-02"
INSTITUTIONS = 40
CATALOG = 600
LINES_PER_SETTLEMENT = 10
CLAIM_LINES = 50
NULL = "\\N"
FEE_CHUNK = 1_000_000  # fee lines per committed COPY
DRUGS = ("09", "10", "11")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="precheck_bench")
    parser.add_argument("--lines", type=int, default=2_000_000, help="history fee lines")
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300, help="sequential pre-checks")
    parser.add_argument("--threads", type=int, default=48, help="load generator's clients")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--worker-threads", type=int, default=16, help="threads per worker")
    parser.add_argument("--seconds", type=float, default=20.0, help="load duration")
    parser.add_argument("--database", default=DATABASE, help="PostgreSQL database name")
    parser.add_argument(
        "--existing", action="store_true", help="use the database's data as it is (no fill)"
    )
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    url = _bench_url(args.database)
    if os.environ.get("DATABASE_URL") != url:
        # A database of its own: run again in a fresh process configured for it.
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "medins.settings"}
        env.pop("CELERY_BROKER_URL", None)
        # As in the gunicorn workers below: one polars thread, the cores serve requests.
        env.setdefault("POLARS_MAX_THREADS", "1")
        command = [sys.executable, "-m", "benchmarks.precheck_bench", *(argv or [])]
        subprocess.run(command, env=env, check=True, cwd=Path(__file__).resolve().parent.parent)
        return
    if not args.existing:
        _create_database(url, args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medins.settings")
    import django

    django.setup()
    if args.existing:
        population = _existing_population()
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _fill(args.lines, args.persons)
        population = _synthetic_population(args.lines, args.persons)
    print(population.description + f"; claims of {CLAIM_LINES} lines")
    key = _credential(population.institution)
    _latency(key, args.requests, population)
    _throughput(key, args, population, url)


def _bench_url(database: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}/{database}"
    return f"postgres://postgres@127.0.0.1:5432/{database}"


def _create_database(url: str, database: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = f"postgresql://{parts.netloc}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


@dataclass(frozen=True)
class Population:
    """Whom and what the claims are about, and where they are sent from."""

    persons: list[str]  # psn_no of persons with history
    items: list[tuple[str, str]]  # (med_list_codg, med_chrgitm_type), as often as charged
    day: str  # the claims' day
    institution: str  # the sending institution's code
    description: str


def _synthetic_population(lines: int, persons: int) -> Population:
    return Population(
        persons=[f"PB{i:08d}" for i in range(persons)],
        items=[_item(i)[:2] for i in range(CATALOG)],
        day=CLAIM_DAY,
        institution="HPB00000",
        description=(
            f"history: {lines:,} fee lines, {lines // LINES_PER_SETTLEMENT:,} settlements, "
            f"{persons:,} persons (~{lines // persons} lines each) in PostgreSQL {_database()}"
            + ("" if lines >= 10_000_000 else " (smaller than the 10M-line target volume)")
        ),
    )


def _database() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def _existing_population() -> Population:
    """Persons, items and the day from the imported data itself (a sample, read only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", ["settlement_feeline"]
        )
        lines = cursor.fetchone()[0]
        cursor.execute(
            "SELECT max(occurred_at) AT TIME ZONE 'Asia/Shanghai' FROM settlement_feeline"
        )
        last = cursor.fetchone()[0]
        cursor.execute(
            "SELECT DISTINCT person_id FROM settlement_settlement TABLESAMPLE SYSTEM (2) "
            "LIMIT 20000"
        )
        persons = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT item_code, charge_type FROM settlement_feeline TABLESAMPLE SYSTEM (0.2) "
            "LIMIT 20000"
        )
        items = cursor.fetchall()
        cursor.execute(
            "SELECT institution_id, count(*) FROM settlement_settlement TABLESAMPLE SYSTEM (2) "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        institution = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM medins_person")
        insured = cursor.fetchone()[0]
    day = (last + timedelta(days=1)).date().isoformat()
    return Population(
        persons=persons,
        items=items,
        day=day,
        institution=institution,
        description=(
            f"history: ~{lines:,} fee lines of {insured:,} persons in PostgreSQL "
            f"{_database()} (imported; claims of {len(persons):,} sampled "
            f"persons with settlements, on {day})"
        ),
    )


# --- Synthetic history, written with COPY (it is benchmark data, not an import test).


def _fill(lines: int, persons: int) -> None:
    from settlement.models import FeeLine, Settlement

    stored = FeeLine.objects.filter(line_id__startswith="PB").count()
    if stored == lines:
        return
    started = time.perf_counter()
    settlements = lines // LINES_PER_SETTLEMENT
    if Settlement.objects.count() == settlements and stored % FEE_CHUNK == 0:
        _fill_fee_lines(stored // LINES_PER_SETTLEMENT, settlements, persons)  # resume
        print(f"filled the bench database in {time.perf_counter() - started:.1f} s (resumed)")
        return
    _truncate()
    rng = random.Random(7)
    _copy(
        "medins_institution",
        _institution_rows(),
        "code,name,kind,hospital_grade,division_code,beds",
    )
    _copy(
        "medins_person",
        ([f"PB{i:08d}", f"PB{i:016d}", "参保人", rng.choice("12"), f"19{rng.randint(40, 99)}-05-17",
          "310", "1101", "370102"] for i in range(persons)),
        "psn_no,certno,name,gender,birth_date,insurance_type,person_type,division_code",
    )  # fmt: skip
    _copy("medins_catalogitem", _catalog_rows(), _CATALOG_COLUMNS)
    _copy("settlement_settlement", _settlement_rows(settlements, persons, rng), _SETTLEMENT_COLUMNS)
    _fill_fee_lines(0, settlements, persons)
    print(f"filled the bench database in {time.perf_counter() - started:.1f} s")


def _fill_fee_lines(first: int, settlements: int, persons: int) -> None:
    """Fee lines of settlements first.. in chunks, each committed: a database restart (the
    hardening tests restart the shared server) loses one chunk, and a rerun resumes."""
    from django.db import connection

    step = FEE_CHUNK // LINES_PER_SETTLEMENT
    for start in range(first, settlements, step):
        _copy(
            "settlement_feeline",
            _fee_rows(start, min(start + step, settlements), persons),
            _FEE_COLUMNS,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE settlement_feeline, settlement_diagnosis, settlement_settlement, "
            "medins_catalogitem, medins_person, medins_institution CASCADE"
        )


def _copy(table: str, rows, columns: str) -> None:
    from django.db import connection

    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy,
    ):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for count, row in enumerate(rows, start=1):
            writer.writerow(NULL if value is None else value for value in row)
            if count % 50_000 == 0:
                copy.write(buffer.getvalue().encode())
                buffer.seek(0)
                buffer.truncate()
        copy.write(buffer.getvalue().encode())


def _institution_rows():
    for i in range(INSTITUTIONS):
        yield [f"HPB{i:05d}", f"基准医院{i}", "1", "05", "370102", 300]


_CATALOG_COLUMNS = (
    "code,name,list_type,charge_type,charge_level,price_cap,limit_gender,limit_diagnosis_prefixes,"
    "limit_inpatient_only,max_daily_count,repeat_window_days,includes_codes,effective_from"
)


def _item(i: int) -> tuple[str, str, str]:
    """Code, charge type, list type: a third exams and labs, a third drugs, the rest services."""
    if i % 3 == 0:
        return f"PB00250{i:08d}", ("03", "04")[i % 2], "201"
    if i % 3 == 1:
        return f"PBX{i:020d}", "09", "101"
    return f"PB00310{i:08d}", "05", "201"


def _catalog_rows():
    for i in range(CATALOG):
        code, charge_type, list_type = _item(i)
        repeat = 30 if charge_type in ("03", "04") and i % 6 == 0 else None
        cap = "50.00" if i % 10 == 1 else None
        includes = _item(i + 3)[0] if i % 50 == 2 else ""
        yield [code, f"项目{i}", list_type, charge_type, ("01", "02")[i % 2], cap, "", "",
               "f", None, repeat, includes, "2020-01-01"]  # fmt: skip


_SETTLEMENT_COLUMNS = (
    "setl_id,encounter_id,person_id,institution_id,insurance_type,medical_type,begin_time,"
    "end_time,main_diagnosis,department_code,attending_code,total,fully_self_paid,in_scope,"
    "fund_paid,account_paid,cash_paid,settled_at,is_reversal,procedure_code,radiotherapy_course"
)
_FEE_COLUMNS = (
    "line_id,settlement_id,encounter_id,person_id,institution_id,occurred_at,item_code,"
    "institution_item_code,charge_type,quantity,unit_price,amount,department_code,"
    "practitioner_code,charge_level"
)


def _begin(number: int) -> datetime:
    # Deterministic spread over the year before HISTORY_END, minutes apart per settlement.
    return HISTORY_END - timedelta(minutes=1 + (number * 7919) % (365 * 24 * 60))


def _settlement_rows(settlements: int, persons: int, rng: random.Random):
    for n in range(settlements):
        begin = _begin(n)
        end = begin + timedelta(hours=1)
        total = f"{LINES_PER_SETTLEMENT * 20:.2f}"
        yield [f"PBS{n:09d}", f"PBM{n:09d}", f"PB{n % persons:08d}",
               f"HPB{n % INSTITUTIONS:05d}", "310", "11", begin.isoformat(), end.isoformat(),
               "J06.900", "A03", "", total, "0.00", total, "120.00", "0.00", "80.00",
               end.isoformat(), "f", "", ""]  # fmt: skip


def _fee_rows(first: int, last: int, persons: int):
    for n in range(first, last):
        at = _begin(n).isoformat()
        for k in range(LINES_PER_SETTLEMENT):
            code, charge_type, _list = _item((n * 31 + k * 17) % CATALOG)
            yield [f"PB{n:09d}{k:02d}", f"PBS{n:09d}", f"PBM{n:09d}", f"PB{n % persons:08d}",
                   f"HPB{n % INSTITUTIONS:05d}", at, code, "", charge_type, "1", "20.0000",
                   "20.00", "A03", "", "01"]  # fmt: skip


def _credential(code: str) -> str:
    from medins.models import Institution
    from settlement.api.credentials import api_credential_issue

    institution = Institution.objects.get(code=code)
    return api_credential_issue(institution=institution, name="bench", rate="1000000/min").key


# --- Claims and measurements.


def claim(number: int, population: Population, rng: random.Random) -> dict:
    lines = []
    day = population.day
    for k in range(CLAIM_LINES):
        code, charge_type = rng.choice(population.items)
        price = rng.choice(("20.00", "35.00", "60.00"))
        lines.append(
            {
                "feedetl_sn": f"C{number:08d}{k:03d}",
                "fee_ocur_time": f"{day} 09:{k % 60:02d}:00",
                "med_list_codg": code,
                "med_chrgitm_type": charge_type,
                "cnt": "1",
                "pric": price,
                "det_item_fee_sumamt": price,
                **({"prd_days": rng.choice((3, 7, 14))} if charge_type in DRUGS else {}),
            }
        )
    return {
        "mdtrt_id": f"BENCH{os.getpid()}-{number}-{rng.randrange(10**9)}",
        "psn_no": rng.choice(population.persons),
        "insutype": "310",
        "med_type": "11",
        "begntime": f"{day} 09:00:00",
        "endtime": f"{day} 10:00:00",
        "dise_codg": "J06.900",
        "fee_details": lines,
    }


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def _percentiles(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return (
        f"p50 {cut[49] * 1000:.1f} ms, p95 {cut[94] * 1000:.1f} ms, "
        f"p99 {cut[98] * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
    )


def _latency(key: str, requests: int, population: Population) -> None:
    from django.test import Client

    from settlement.api import precheck as engine

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")
    rng = random.Random(11)
    split = {"read": [], "rules": [], "store": []}
    original = engine.precheck_run

    def timed(**kwargs: object) -> engine.Precheck:
        result = original(**kwargs)
        for name, value in result.timings.items():
            split[name].append(value)
        return result

    engine.precheck_run = timed
    try:
        for number in range(10):  # warm-up: imports, plans, connections
            client.post("/api/v1/prechecks/", claim(number, population, rng), "application/json")
        for values in split.values():
            values.clear()
        seconds, cpu, violations = [], [], 0
        for number in range(requests):
            body = claim(10 + number, population, rng)
            started, used = time.perf_counter(), time.process_time()
            response = client.post("/api/v1/prechecks/", body, "application/json")
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
            if response.status_code != 200:
                raise SystemExit(f"pre-check answered {response.status_code}: {response.content!r}")
            violations += len(response.json()["result"])
    finally:
        engine.precheck_run = original
    print(
        f"latency, one at a time through the WSGI app ({requests} claims, "
        f"{violations / requests:.1f} violations each): {_percentiles(seconds)}"
    )
    print(f"  machine during the run: {_load()}")
    # CPU time of this process per request: what the pre-check costs whatever else runs
    # on the machine (wall-clock latency includes waiting for a core).
    print(f"  CPU per pre-check (this process): {_percentiles(cpu)}")
    print(
        "  server-side medians: "
        + ", ".join(
            f"{name} {statistics.median(values) * 1000:.1f} ms" for name, values in split.items()
        )
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _throughput(key: str, args: argparse.Namespace, population: Population, url: str) -> None:
    threads, workers, seconds = args.threads, args.workers, args.seconds
    port = _free_port()
    # One polars thread per worker process: the processes already use every core.
    env = {**os.environ, "DATABASE_URL": url, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    env["POLARS_MAX_THREADS"] = "1"
    stats = Path(tempfile.mkdtemp()) / "batches.jsonl"
    env["PRECHECK_BATCH_STATS"] = str(stats)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "medins.wsgi", "-b", f"127.0.0.1:{port}",
         "-c", "python:benchmarks.precheck_gunicorn",
         "-w", str(workers), "-k", "gthread", "--threads", str(args.worker_threads),
         "--keep-alive", "30", "--timeout", "120", "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    try:
        _wait_for(port, server)
        # Every request is built before the clock starts (as in load_bench): the generator
        # only sends bytes and reads answers, so little of the machine is its own.
        rng = random.Random(100)
        expected = int(seconds * 400) + 2_000
        requests = iter(
            [_request(key, claim(1_000_000 + n, population, rng)) for n in range(expected)]
        )
        # Warm the workers (imports, first plans) before the clock starts.
        asyncio.run(_closed_loop(port, requests, clients=1, seconds=5))
        started = time.monotonic()
        cpu_before = _server_cpu(server.pid), time.process_time()
        done, failures = asyncio.run(_closed_loop(port, requests, clients=threads, seconds=seconds))
        elapsed = time.monotonic() - started
        cpu_after = _server_cpu(server.pid), time.process_time()
        print(
            f"throughput, gunicorn {workers} gthread workers x {args.worker_threads} threads, "
            f"{threads} clients, {elapsed:.0f} s: "
            f"{len(done) / elapsed:.0f} pre-checks/s ({len(done):,} done, {failures} failed); "
            f"latency under load {_percentiles(done)}"
        )
        print(f"  machine during the run: {_load()}; the clients and PostgreSQL share it")
        _print_cpu(cpu_before, cpu_after, len(done))
    finally:
        server.terminate()
        server.wait(timeout=30)
    _print_batches(stats)


def _request(key: str, body: dict) -> bytes:
    headers = {"Authorization": f"Bearer {key}"}
    return raw_request("POST", "/api/v1/prechecks/", headers, json.dumps(body))


async def _closed_loop(
    port: int, requests: Iterator[bytes], *, clients: int, seconds: float
) -> tuple[list[float], int]:
    """`clients` keep-alive connections, each sending its next claim once answered."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    failures = 0

    async def client() -> None:
        nonlocal failures
        connection = None
        while time.monotonic() < deadline:
            raw = next(requests, None)
            if raw is None:
                raise SystemExit("precheck_bench: more claims answered than built; raise it")
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = Connection(*await asyncio.open_connection("127.0.0.1", port))
                status = await connection.exchange(raw)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                failures += 1
                connection = None
                continue
            if status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                failures += 1
            if not connection.reusable:
                connection.close()
                connection = None
        if connection is not None:
            connection.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, failures


def _print_batches(stats: Path) -> None:
    """Claims per run of the rules in the workers (the warm-up's included)."""
    if not stats.exists():
        return
    workers = [json.loads(line) for line in stats.read_text().splitlines()]
    runs = sum(worker["batches"] for worker in workers)
    claims = sum(worker["claims"] for worker in workers)
    if runs:
        print(f"  claims per run of the rules: {claims / runs:.1f} ({claims:,} in {runs:,} runs)")


def _server_cpu(master: int) -> dict[str, dict[int, float]]:
    """CPU seconds so far of the gunicorn workers and of this database's PostgreSQL backends
    (same machine: /proc), by process."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    workers = [pid for pid in _pids() if _stat(pid)[1] == master]
    return {
        "web": {pid: _stat(pid)[0] for pid in workers},
        "db": {pid: _stat(pid)[0] for pid in backends},
    }


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _stat(pid: int) -> tuple[float, int]:
    """(user + system CPU seconds, parent pid) of a process; (0, 0) once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks, int(fields[1])


def _print_cpu(before: tuple, after: tuple, done: int) -> None:
    """CPU per pre-check, whatever else the machine was doing: what 2 free cores would do."""
    if not done:
        return
    used = {
        side: sum(value - before[0][side].get(pid, 0.0) for pid, value in after[0][side].items())
        for side in ("web", "db")
    }
    client = after[1] - before[1]
    total = used["web"] + used["db"] + client
    print(
        f"  CPU per pre-check: gunicorn {used['web'] / done * 1000:.1f} ms, PostgreSQL "
        f"{used['db'] / done * 1000:.1f} ms, load generator {client / done * 1000:.1f} ms; "
        f"{(os.cpu_count() or 1) * done / total:.0f} pre-checks/s if these had every core"
    )


def _wait_for(port: int, server: subprocess.Popen) -> None:
    for _attempt in range(100):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


if __name__ == "__main__":
    main(sys.argv[1:])
