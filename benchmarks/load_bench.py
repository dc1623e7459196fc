"""Load: mixed hospital API and back-office traffic at a fixed offered rate against gunicorn.

`python -m benchmarks.run load` (or `python -m benchmarks.load_bench --rate 200 --seconds 30`):
1. creates the database `medins_load` on 127.0.0.1:5432 (LOAD_DATABASE_URL to change it),
   migrates it and fills a province with `manage.py demo` (once; kept for next time); then
   sessions for the demo auditor, supervisor, clerk and administrator, API keys for the
   institutions with the most settlements, and encounters to submit shaped like theirs;
2. starts gunicorn with the production configuration (medins/gunicorn_conf.py) on PostgreSQL
   and Redis (cache, sessions, throttles, broker: LOAD_REDIS_URL, default db 13);
3. sends an open-model load: requests leave at a fixed rate whether or not earlier ones have
   been answered (a late answer does not slow the next request down, as with real hospitals),
   from one asyncio process over keep-alive connections; latency runs from the moment a
   request was due, so a queue in front of the server counts. The mix (`--mix`) is hospital
   submissions, pre-checks and reads and back-office page views;
4. reports the offered and the achieved rate, p50/p95/p99 latency and errors per kind of
   request, and where the machine's CPU went meanwhile (gunicorn, PostgreSQL, this load
   generator, everything else), with the load average: the machine is shared.
Loopback only. It prints; it never asserts. `--py-spy FILE` also samples the gunicorn workers
during the measured window (raw folded stacks, for profiling).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/medins_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
BACK_OFFICE_USERS = ("auditor", "supervisor", "clerk", "admin")
KEYED_INSTITUTIONS = 8
# Per 100 requests. Hospital systems make most of the traffic; every encounter is pre-checked
# before it is settled; auditors and clerks browse the back office.
DEFAULT_MIX = "submit=15,precheck=15,read=25,list=10,flags=5,page=30"
# A connection idle this long is not reused: gunicorn closes one idle for its keep-alive (15 s,
# medins/gunicorn_conf.py), and a request sent as it does so meets a closed socket.
CLIENT_IDLE_LIMIT = 10.0
KINDS = ("submit", "precheck", "read", "list", "flags", "page")
RUN_PREFIX = "LB"  # the encounters a run submits and pre-checks: mdtrt_id LB<run><number>
DATA_SHIFT = timedelta(days=28)  # submitted encounters follow the stored month: real history


# --- Seeding (in a subprocess configured for the load database) ---


def _seed(database_url: str, persons: int, months: int) -> dict:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medins.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from medins.models import Institution
    from settlement.models import ApiCredential, Settlement

    call_command("migrate", verbosity=0, interactive=False)
    forgotten = _forget_earlier_runs()
    if not Settlement.objects.exists():
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "batch"
            call_command("demo", persons=persons, months=months, out=out, verbosity=0)
    ApiCredential.objects.filter(name="load bench", revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    ranked = (
        Settlement.objects.filter(is_reversal=False)
        .values("institution_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "institution_id")[:KEYED_INSTITUTIONS]
    )
    hospitals = [_hospital(Institution.objects.get(pk=row["institution_id"])) for row in ranked]
    seed = {
        "sessions": _sessions(),
        "pages": _all_pages(),
        "hospitals": [hospital for hospital in hospitals if hospital["templates"]],
        "settlements": Settlement.objects.count(),
        "forgotten": forgotten,
    }
    # The demo's load and the deletions above leave work for autovacuum, which would
    # otherwise do it (and analyze the new tables) during the first measured step.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return seed


def _forget_earlier_runs() -> int:
    """Deletes what earlier runs submitted and pre-checked (encounters LB…), so that every run
    meets the same stored data: the same persons' histories grew by some thirty encounters in
    five runs, and the pre-checks and submissions that read them grew slower run by run (the
    audit log, append-only, keeps its entries). Returns the settlements deleted."""
    from django.db import transaction

    from settlement.models import PrecheckRecord, Settlement

    with transaction.atomic():
        PrecheckRecord.objects.filter(encounter_id__startswith=RUN_PREFIX).delete()
        submitted = Settlement.objects.filter(encounter_id__startswith=RUN_PREFIX)
        count = submitted.count()
        submitted.delete()
        return count


def _sessions() -> dict[str, str]:
    """A logged-in session per back-office user, as a browser would hold after logging in."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    sessions = {}
    for username in BACK_OFFICE_USERS:
        user = User.objects.get(username=username)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "medins.security.LockoutModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[username] = store.session_key
    return sessions


def _all_pages() -> dict[str, list[str]]:
    from django.contrib.auth.models import User
    from django.test import Client

    return {
        name: _pages_for(Client(), User.objects.get(username=name)) for name in BACK_OFFICE_USERS
    }


def _pages_for(client, user) -> list[str]:
    """The parameterless back-office pages this user may open (answer 200), admin left out."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    client.force_login(user)
    pages = []
    for route in walk(get_resolver().url_patterns):
        path = "/" + route.lstrip("^").rstrip("$")
        skip = ("admin/", "api/", "accounts/", "i18n/", "public/")
        if "<" in path or "(" in path or "\\" in path or path[1:].startswith(skip):
            continue
        if client.get(path).status_code == 200:
            pages.append(path)
    return sorted(set(pages))


def _hospital(institution) -> dict:
    """A key for the institution, its settlements to read, encounters shaped like its own."""
    from django.test import Client

    from settlement.api.credentials import api_credential_issue
    from settlement.models import Settlement

    key = api_credential_issue(institution=institution, name="load bench", rate="1000000/min")
    stored = Settlement.objects.filter(institution=institution, is_reversal=False).exclude(
        encounter_id__startswith=RUN_PREFIX  # not the trial submissions below
    )
    templates = [_template(settlement) for settlement in stored.order_by("pk")[:40]]
    # One real submission each: a template the policy cannot settle is left out.
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key.key}")
    usable = []
    for number, template in enumerate(templates):
        body = encounter_body(template, f"LBSEED{key.credential.prefix}{number:03d}")
        response = client.post("/api/v1/settlements/", body, content_type="application/json")
        if response.status_code == 201:
            usable.append(template)
    return {
        "code": institution.code,
        "key": key.key,
        "setl_ids": list(stored.values_list("setl_id", flat=True)[:500]),
        "list_pages": min(3, 1 + (len(templates) + stored.count()) // 50),
        "templates": usable,
    }


def _template(settlement) -> dict:
    """The encounter as the API takes it, times as offsets (seconds) from its begin time."""
    begin = settlement.begin_time + DATA_SHIFT

    def offset(moment: datetime) -> float:
        return (moment + DATA_SHIFT - begin).total_seconds()

    return {
        "begin": begin.isoformat(),
        "psn_no": settlement.person_id,
        "insutype": settlement.insurance_type,
        "med_type": settlement.medical_type,
        "end": offset(settlement.end_time),
        "dise_codg": settlement.main_diagnosis,
        "adm_dept_codg": settlement.department_code,
        "atddr_no": settlement.attending_code,
        "diagnoses": [
            {"diag_srt_no": item.rank, "diag_code": item.code}
            for item in settlement.diagnoses.order_by("rank")
        ],
        "lines": [
            {
                "at": offset(line.occurred_at),
                "med_list_codg": line.item_code,
                "medins_list_codg": line.institution_item_code,
                "med_chrgitm_type": line.charge_type,
                "cnt": str(line.quantity),
                "pric": str(line.unit_price),
                "prd_days": line.supply_days,
                "bilg_dept_codg": line.department_code,
                "bilg_dr_codg": line.practitioner_code,
                "chrgitm_lv": line.charge_level,
            }
            for line in settlement.fee_lines.order_by("line_id")
        ],
    }


TIME = "%Y-%m-%d %H:%M:%S"


def encounter_body(template: dict, mdtrt_id: str) -> str:
    """A new encounter (new IDs) from a template, as the JSON a hospital system would send."""
    begin = datetime.fromisoformat(template["begin"]).astimezone()

    def at(seconds: float) -> str:
        return (begin + timedelta(seconds=seconds)).strftime(TIME)

    lines = []
    for number, line in enumerate(template["lines"], start=1):
        cnt, pric = Decimal(line["cnt"]), Decimal(line["pric"])
        fields = {key: value for key, value in line.items() if key != "at" and value is not None}
        fields.update(
            feedetl_sn=f"{mdtrt_id}-{number}",
            fee_ocur_time=at(line["at"]),
            det_item_fee_sumamt=str((cnt * pric).quantize(Decimal("0.01"))),
        )
        lines.append(fields)
    body = {
        "mdtrt_id": mdtrt_id,
        "psn_no": template["psn_no"],
        "insutype": template["insutype"],
        "med_type": template["med_type"],
        "begntime": at(0),
        "endtime": at(template["end"]),
        "dise_codg": template["dise_codg"],
        "adm_dept_codg": template["adm_dept_codg"],
        "atddr_no": template["atddr_no"],
        "diagnoses": template["diagnoses"],
        "fee_details": lines,
    }
    return json.dumps(body, ensure_ascii=False)


# --- Requests, built before the clock starts so the generator only sends ---


def raw_request(method: str, path: str, headers: dict[str, str], body: str = "") -> bytes:
    data = body.encode()
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if method != "GET":
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


class Requests:
    """Draws the next request of the mix: its kind, its bytes, and a label for error samples."""

    def __init__(self, seed: dict, mix: dict[str, int], run_tag: str) -> None:
        self.seed = seed
        self.rng = random.Random(7)
        self.kinds = [kind for kind in KINDS for _ in range(mix.get(kind, 0))]
        self.run_tag = run_tag
        self.count = 0
        self.users = [user for user in BACK_OFFICE_USERS if seed["pages"].get(user)]

    def next(self) -> tuple[str, bytes, str]:
        self.count += 1
        kind = self.rng.choice(self.kinds)
        if kind == "page":
            user = self.rng.choice(self.users)
            path = self.rng.choice(self.seed["pages"][user])
            cookie = {"Cookie": f"sessionid={self.seed['sessions'][user]}"}
            return kind, raw_request("GET", path, cookie), path
        hospital = self.rng.choice(self.seed["hospitals"])
        auth = {"Authorization": f"Bearer {hospital['key']}"}
        if kind in ("submit", "precheck"):
            mdtrt_id = f"{RUN_PREFIX}{self.run_tag}{self.count:07d}"
            body = encounter_body(self.rng.choice(hospital["templates"]), mdtrt_id)
            if kind == "submit":
                auth["Idempotency-Key"] = mdtrt_id
                return kind, raw_request("POST", "/api/v1/settlements/", auth, body), mdtrt_id
            return kind, raw_request("POST", "/api/v1/prechecks/", auth, body), mdtrt_id
        if kind == "read":
            path = f"/api/v1/settlements/{self.rng.choice(hospital['setl_ids'])}/"
        elif kind == "list":
            page = min(self.rng.choice((1, 1, 1, 2, 3)), hospital["list_pages"])
            path = f"/api/v1/settlements/?page={page}"
        else:
            path = "/api/v1/flags/"
        return kind, raw_request("GET", path, auth), path


# --- The open-model load generator ---

CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)")


class Connection:
    """One keep-alive HTTP/1.1 connection: send a request, read one whole response."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.reusable = True
        self.idle_since = 0.0

    def stale(self, now: float) -> bool:
        """Closed by the server, or idle long enough that it may be closing it now: as real
        clients do (urllib3 drops a pooled socket that reads as closed; aiohttp and Go keep
        an idle limit under the server's keep-alive), open a new one instead."""
        return self.reader.at_eof() or now - self.idle_since > CLIENT_IDLE_LIMIT

    async def exchange(self, raw: bytes) -> int:
        self.writer.write(raw)
        head = (await self.reader.readuntil(b"\r\n\r\n")).lower()
        status = int(head[9:12])
        self.reusable = b"\r\nconnection: close" not in head
        length = CONTENT_LENGTH.search(head)
        if length:
            await self.reader.readexactly(int(length.group(1)))
        elif b"\r\ntransfer-encoding: chunked" in head:
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        else:
            await self.reader.read()
            self.reusable = False
        return status

    def close(self) -> None:
        self.writer.close()


class OpenLoad:
    """Sends `rate` requests a second for `warmup + seconds`; measures after the warm-up."""

    def __init__(self, port: int, requests: Requests, rate: float, timeout: float, limit: int):
        self.port, self.requests, self.rate, self.timeout = port, requests, rate, timeout
        self.slots = asyncio.Semaphore(limit)  # open connections at most
        self.idle: list[Connection] = []
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[tuple[str, str]] = Counter()
        self.samples: dict[tuple[str, str], str] = {}
        self.lag = 0.0  # how late the generator sent its worst request (its own starvation)
        self.connections = 0
        self.stale = 0  # idle connections not reused (closed by the server, or idle too long)

    async def run(self, warmup: float, seconds: float) -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.05
        measured_from = start + warmup
        total = int(self.rate * (warmup + seconds))
        pending: set[asyncio.Task] = set()
        for number in range(total):
            due = start + number / self.rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                self.lag = max(self.lag, -delay)
            kind, raw, label = self.requests.next()
            task = asyncio.create_task(self._one(kind, raw, label, due, due >= measured_from))
            pending.add(task)
            task.add_done_callback(pending.discard)
        sent_until = loop.time()
        await asyncio.gather(*pending)
        for connection in self.idle:
            connection.close()
        return measured_from, max(sent_until, measured_from + seconds)

    async def _one(self, kind: str, raw: bytes, label: str, due: float, measured: bool) -> None:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.timeout), self.slots:
                status = await self._send(raw)
            outcome = "" if status < 400 else str(status)
        except TimeoutError:
            outcome = "timeout"
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as e:
            outcome = type(e).__name__
        if not measured:
            return
        self.latencies[kind].append(loop.time() - due)
        if outcome:
            self.errors[kind, outcome] += 1
            self.samples.setdefault((kind, outcome), label)

    async def _send(self, raw: bytes) -> int:
        now = asyncio.get_running_loop().time()
        while self.idle and self.idle[-1].stale(now):
            self.idle.pop().close()
            self.stale += 1
        if self.idle:
            connection = self.idle.pop()
        else:
            connection = Connection(*await asyncio.open_connection("127.0.0.1", self.port))
            self.connections += 1
        try:
            status = await connection.exchange(raw)
        except BaseException:
            connection.close()
            raise
        if connection.reusable:
            connection.idle_since = asyncio.get_running_loop().time()
            self.idle.append(connection)
        else:
            connection.close()
        return status


# --- CPU accounting: where the machine's time went during the measured window ---

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


def _process_ticks(match, reaper: int | None = None) -> dict[int, int]:
    """utime + stime of every process whose (pid, ppid, cmdline) `match` accepts; and, under
    the key -reaper, the cutime + cstime of the process that reaps them: what those that
    have exited took (a PostgreSQL backend ends when Django drops its connection after
    CONN_MAX_AGE, a gunicorn worker when it is recycled), or their CPU would go uncounted."""
    found = {}
    for pid, ppid, cmdline, fields in _processes():
        if match(pid, ppid, cmdline):
            found[pid] = int(fields[11]) + int(fields[12])
        if pid == reaper:
            found[-pid] = int(fields[13]) + int(fields[14])
    return found


def _processes() -> Iterator[tuple[int, int, bytes, list[str]]]:
    """(pid, ppid, cmdline, the fields of /proc/pid/stat after the name) of every process."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        yield int(entry.name), int(fields[1]), cmdline, fields


class CpuWatch:
    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid = server_pid
        self.database = database.encode()
        # The postmaster: the parent of PostgreSQL's processes ("postgres: ..." titles).
        self.postmaster = next(
            (ppid for _pid, ppid, cmd, _f in _processes() if cmd.startswith(b"postgres: ")), None
        )

    def snapshot(self) -> dict:
        return {
            "machine": _machine_ticks(),
            "gunicorn": _process_ticks(
                lambda pid, ppid, _c: self.server_pid in (pid, ppid), reaper=self.server_pid
            ),
            "postgres": _process_ticks(
                lambda _p, _pp, cmd: cmd.startswith(b"postgres: ") and self.database in cmd,
                reaper=self.postmaster,
            ),
            "generator": time.process_time(),
            "wall": time.monotonic(),
            "load": Path("/proc/loadavg").read_text().split()[:3],
        }

    @staticmethod
    def report(before: dict, after: dict, requests: int) -> None:
        wall = after["wall"] - before["wall"]
        cores = os.cpu_count() or 1
        busy = (after["machine"][0] - before["machine"][0]) / TICK
        total = (after["machine"][1] - before["machine"][1]) / TICK

        def spent(name: str) -> float:
            return sum(t - before[name].get(pid, 0) for pid, t in after[name].items()) / TICK

        ours = {
            "gunicorn": spent("gunicorn"),
            "postgres": spent("postgres"),
            "generator": after["generator"] - before["generator"],
        }
        others = max(0.0, busy - sum(ours.values()))
        print(
            f"  CPU over {wall:.0f} s on {cores} cores: machine {100 * busy / total:.0f}% busy"
            f" (load average {' '.join(before['load'])} before, {' '.join(after['load'])} after)"
        )
        for name, seconds in [*ours.items(), ("everything else", others)]:
            per = f", {1000 * seconds / requests:.1f} ms per request" if requests else ""
            print(f"    {name:<16}{100 * seconds / wall:6.0f}% of one core{per}")


REFERENCE_LOOP = 2_000_000


def reference_loop_ms() -> float:
    """CPU milliseconds of a fixed pure-Python loop, the least of three: how fast this shared
    machine is at the moment, so that runs made at different times can be compared (the same
    code's CPU a request has varied threefold within a day, and this loop with it)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        sum(number * number for number in range(REFERENCE_LOOP))
        best = min(best, time.process_time() - started)
    return 1000 * best


# --- Report ---


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _report(load: OpenLoad, seconds: float, mix: dict[str, int]) -> int:
    everything = [v for values in load.latencies.values() for v in values]
    rows = [("all", everything), *[(k, load.latencies[k]) for k in KINDS if load.latencies[k]]]
    print(
        f"  {'kind':<10}{'mix %':>6}{'sent':>7}{'ok/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'max ms':>8}{'errors':>7}"
    )
    for kind, values in rows:
        ordered = sorted(values)
        errors = sum(n for (k, _outcome), n in load.errors.items() if kind in ("all", k))
        share = sum(mix.values()) if kind == "all" else mix.get(kind, 0)
        print(
            f"  {kind:<10}{share:>6}{len(values):>7}{(len(values) - errors) / seconds:>8.1f}"
            + "".join(f"{_percentile(ordered, q) * 1000:>8.0f}" for q in (0.50, 0.95, 0.99, 1.0))
            + f"{errors:>7}"
        )
    for (kind, outcome), count in sorted(load.errors.items()):
        print(f"    error {kind} {outcome} ×{count}: e.g. {load.samples[kind, outcome]}")
    return len(everything)


# --- Orchestration ---


def _database_ready(url: str) -> bool:
    import psycopg

    parts = urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            name = parts.path.lstrip("/")
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"  skipped: PostgreSQL is not answering at {parts.hostname}:{parts.port}: {error}")
        return False
    return True


def _redis_ready(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as probe:
                probe.sendall(b"GET /accounts/login/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if probe.recv(12).endswith(b"200"):
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


def _parse_mix(text: str) -> dict[str, int]:
    mix = {}
    for part in text.split(","):
        kind, _, share = part.partition("=")
        if kind.strip() not in KINDS:
            raise SystemExit(f"--mix: unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
        mix[kind.strip()] = int(share)
    return mix


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="load_bench")
    parser.add_argument(
        "--rate", default="200", help="offered requests per second; a list (50,100,200): steps"
    )
    parser.add_argument("--seconds", type=float, default=30, help="measured duration")
    parser.add_argument("--warmup", type=float, default=5, help="sent first, not measured")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"per 100 (default {DEFAULT_MIX})")
    parser.add_argument("--timeout", type=float, default=10, help="a slower answer is an error")
    parser.add_argument("--connections", type=int, default=256, help="open connections at most")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: its config)")
    parser.add_argument("--worker-class", help="gunicorn worker class (default: its config)")
    parser.add_argument("--persons", type=int, default=5000, help="demo size on first run")
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--py-spy", dest="py_spy", help="sample the workers into this file")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="serve this checkout instead")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.rates = [float(rate) for rate in args.rate.split(",")]
    return args


def main(argv: list[str]) -> None:
    args = _arguments(argv)
    url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL)
    if args.seed_only:
        print(json.dumps(_seed(url, args.persons, args.months)))
        return
    redis = os.environ.get("LOAD_REDIS_URL", DEFAULT_REDIS)
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        print("  skipped: the load database must be on a loopback address")
        return
    if not _database_ready(url):
        return
    if not _redis_ready(redis):
        print(f"  skipped: Redis is not answering at {redis}")
        return
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "CACHE_URL": redis,
        "CELERY_BROKER_URL": redis,
        "DJANGO_SETTINGS_MODULE": "medins.settings",
        "DEBUG": "false",
    }
    seed = _seeded(environment, args)
    if seed is None:
        return
    port = _free_port()
    server = _serve(environment, port, args)
    try:
        _wait_for(port, server)
        _measure(server, port, seed, args, urlsplit(url).path.lstrip("/"))
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL to the whole group when requests are still queued after 15 s
    (an overloaded step leaves many; no orphaned worker goes on serving them)."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _seeded(environment: dict[str, str], args: argparse.Namespace) -> dict | None:
    started = time.perf_counter()
    command = [sys.executable, "-m", "benchmarks.load_bench", "--seed-only"]
    command += ["--persons", str(args.persons), "--months", str(args.months)]
    # The demo's screening runs in this process: no Celery worker serves the load's broker.
    eager = {name: value for name, value in environment.items() if not name.startswith("CELERY_")}
    seeded = subprocess.run(
        command, cwd=ROOT, env=eager, capture_output=True, text=True, check=False
    )
    if seeded.returncode != 0:
        print(f"  seeding failed:\n{seeded.stderr[-3000:]}")
        return None
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    print(
        f"  seeded in {time.perf_counter() - started:.1f} s: {seed['settlements']:,} settlements"
        f" stored (earlier runs' {seed['forgotten']:,} deleted),"
        f" {sum(map(len, seed['pages'].values()))} page routes,"
        f" {len(seed['hospitals'])} keyed institutions,"
        f" {sum(len(h['templates']) for h in seed['hospitals'])} encounter shapes"
    )
    return seed


def _serve(environment: dict[str, str], port: int, args: argparse.Namespace) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn"]
    if (args.app_dir / "medins" / "gunicorn_conf.py").exists():
        command += ["-c", "python:medins.gunicorn_conf"]
    command += ["medins.wsgi:application", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if args.worker_class:
        command += ["--worker-class", args.worker_class]
    return subprocess.Popen(command, cwd=args.app_dir, env=environment, start_new_session=True)


def _measure(server: subprocess.Popen, port: int, seed: dict, args, database: str) -> None:
    mix = _parse_mix(args.mix)
    requests = Requests(seed, mix, run_tag=f"{int(time.time()) % 100_000_000:08d}")
    print(f"  gunicorn {_config_line(server.pid, args)}; mix {args.mix}")
    # Every worker thread imports and compiles on its first requests: not part of a step.
    asyncio.run(OpenLoad(port, requests, PRIME_RATE, args.timeout, args.connections).run(3, 0))
    for number, rate in enumerate(args.rates):
        if number:
            time.sleep(DRAIN_SECONDS)  # an overloaded step leaves abandoned requests queued
        _step(server, port, requests, rate, args, database, mix)


PRIME_RATE = 20
DRAIN_SECONDS = 10


def _step(server, port: int, requests: Requests, rate: float, args, database: str, mix) -> None:
    load = OpenLoad(port, requests, rate, args.timeout, args.connections)
    watch = CpuWatch(server.pid, database)
    print(
        f"  offered {rate:.0f} req/s for {args.seconds:.0f} s after {args.warmup:.0f} s warm-up;"
        f" the reference loop took {reference_loop_ms():.0f} ms just before"
    )

    async def go() -> tuple[dict, dict, float, float]:
        loop = asyncio.get_running_loop()
        marks: dict[str, dict] = {}
        profiler: list[subprocess.Popen] = []

        def start_measuring() -> None:
            marks["before"] = watch.snapshot()
            if args.py_spy:
                profiler.append(_py_spy(server.pid, args.seconds, args.py_spy))

        loop.call_later(args.warmup + 0.05, start_measuring)
        begin, end = await load.run(args.warmup, args.seconds)
        after = watch.snapshot()
        for process in profiler:
            process.wait(timeout=60)
        return marks["before"], after, begin, end

    before, after, begin, end = asyncio.run(go())
    window = end - begin
    print(
        f"  achieved over {window:.1f} s, {load.connections} connections opened"
        f" ({load.stale} idle ones closed instead of reused),"
        f" generator at most {1000 * load.lag:.0f} ms late"
    )
    count = _report(load, window, mix)
    CpuWatch.report(before, after, count)


def _config_line(pid: int, args: argparse.Namespace) -> str:
    from medins import gunicorn_conf

    workers = len(_process_ticks(lambda _pid, ppid, _cmd: ppid == pid))
    configured = (args.app_dir / "medins" / "gunicorn_conf.py").exists()
    kind = args.worker_class or (gunicorn_conf.worker_class if configured else "sync")
    threaded = kind == "gthread" or kind.endswith("ThreadWorker")
    threads = f" × {args.threads or gunicorn_conf.threads} threads" if threaded else ""
    served = "" if args.app_dir == ROOT else f", serving {args.app_dir}"
    return f"{workers} workers{threads} ({kind}){served}"


def _py_spy(pid: int, seconds: float, out: str) -> subprocess.Popen:
    """py-spy sampling the workers (not a dependency: `.venv/bin/pip install py-spy`)."""
    binary = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(binary).exists():
        raise SystemExit("--py-spy: py-spy is not installed (.venv/bin/pip install py-spy)")
    command = [binary, "record", "-p", str(pid), "--subprocesses", "-d", str(int(seconds))]
    command += ["-r", "50", "-f", "raw", "-o", out, "--nonblocking"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main(sys.argv[1:])
