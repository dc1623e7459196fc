"""Load: mixed back-office and hospital API traffic against gunicorn on PostgreSQL.

`python -m benchmarks.run load` (or `python -m benchmarks.load_bench --seconds 30`):
1. creates the database `medins_load` on 127.0.0.1:5432 (LOAD_DATABASE_URL to change it),
   migrates it and fills a small province with `manage.py demo` (once; kept for next time);
2. starts gunicorn on 127.0.0.1 (a free port) with PRODUCTION-like settings minus TLS;
3. sends closed-loop traffic from N threads: back-office pages as the demo auditor,
   supervisor, clerk and administrator, and API reads as a hospital (settlements list and
   detail, flags); reports throughput, p50/p95/p99 latency and errors per kind of request.
Loopback only. It prints; it never asserts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/medins_load"
BACK_OFFICE_USERS = ("auditor", "supervisor", "clerk", "admin")


def _seed(database_url: str) -> dict:
    """Run in a subprocess on the load database: data once, then sessions, a key and URLs."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medins.settings")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.test import Client

    from medins.models import Institution
    from settlement.api.credentials import api_credential_issue
    from settlement.models import Settlement

    call_command("migrate", verbosity=0, interactive=False)
    if not Settlement.objects.exists():
        with tempfile.TemporaryDirectory() as folder:
            call_command("demo", persons=2000, months=1, out=Path(folder) / "batch", verbosity=0)
    sessions = {}
    for username in BACK_OFFICE_USERS:
        user = User.objects.get(username=username)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "medins.security.LockoutModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[username] = store.session_key
    institution = Institution.objects.get(
        pk=Settlement.objects.order_by("pk").values_list("institution_id", flat=True).first()
    )
    key = api_credential_issue(institution=institution, name="load bench", rate="1000000/min")
    setl_ids = list(
        Settlement.objects.filter(institution=institution).values_list("setl_id", flat=True)[:200]
    )
    return {
        "sessions": sessions,
        "pages": {user: _pages_for(Client(), User.objects.get(username=user)) for user in sessions},
        "api_key": key.key,
        "setl_ids": setl_ids,
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 300) -> None:
    """Until every worker answers: the app is imported once (--preload), then forked."""
    deadline = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < deadline and answered < 20:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/accounts/login/", headers={"Host": "127.0.0.1"})
            answered += connection.getresponse().status == 200
            connection.close()
        except OSError:
            time.sleep(0.5)
    if answered < 20:
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


class Traffic:
    """Closed-loop clients: each thread sends one request after another for `seconds`."""

    def __init__(self, port: int, seed: dict) -> None:
        self.port = port
        self.seed = seed
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: dict[str, str] = {}
        self.lock = threading.Lock()

    def _request(self, rng: random.Random) -> tuple[str, str, dict[str, str]]:
        if rng.random() < 0.5 and self.seed["setl_ids"]:
            headers = {"Authorization": f"Bearer {self.seed['api_key']}"}
            choice = rng.random()
            if choice < 0.4:
                return (
                    "api settlement",
                    f"/api/v1/settlements/{rng.choice(self.seed['setl_ids'])}/",
                    headers,
                )
            if choice < 0.8:
                return "api settlements", "/api/v1/settlements/", headers
            return "api flags", "/api/v1/flags/", headers
        user = rng.choice([u for u in BACK_OFFICE_USERS if self.seed["pages"][u]])
        path = rng.choice(self.seed["pages"][user])
        return "page", path, {"Cookie": f"sessionid={self.seed['sessions'][user]}"}

    def client(self, seconds: float, number: int) -> None:
        rng = random.Random(number)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            kind, path, headers = self._request(rng)
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={**headers, "Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                ok = response.status < 400
                status = str(response.status)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                ok, status = False, type(error).__name__
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies[kind].append(elapsed)
                if not ok:
                    self.errors[kind] += 1
                    self.samples.setdefault(f"{kind} {status}", path)
        connection.close()


def _percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def _report(traffic: Traffic, seconds: float) -> None:
    everything = [v for values in traffic.latencies.values() for v in values]
    rows = [("all", everything), *sorted(traffic.latencies.items())]
    header = ("requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
    print(f"{'kind':<18}{header[0]:>9}" + "".join(f"{name:>8}" for name in header[1:]))
    for kind, values in rows:
        if len(values) < 2:
            continue
        errors = sum(traffic.errors.values()) if kind == "all" else traffic.errors[kind]
        print(
            f"{kind:<18}{len(values):>9}{len(values) / seconds:>8.1f}"
            f"{_percentile(values, 0.50) * 1000:>8.1f}{_percentile(values, 0.95) * 1000:>8.1f}"
            f"{_percentile(values, 0.99) * 1000:>8.1f}{errors:>8}"
        )
    for sample, path in traffic.samples.items():
        print(f"  error {sample}: e.g. {path}")


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


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="load_bench")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL)
    if args.seed_only:
        print(json.dumps(_seed(url)))
        return
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        print("  skipped: the load database must be on a loopback address")
        return
    if not _database_ready(url):
        return
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "medins.settings"}
    environment.pop("CELERY_BROKER_URL", None)  # reads only: no task is queued
    started = time.perf_counter()
    seeded = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_bench", "--seed-only"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if seeded.returncode != 0:
        print(f"  seeding failed:\n{seeded.stderr[-3000:]}")
        return
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    print(
        f"  seeded in {time.perf_counter() - started:.1f} s: "
        f"{sum(map(len, seed['pages'].values()))} page routes, {len(seed['setl_ids'])} settlements"
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "medins.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--preload",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**environment, "DEBUG": "false"},
    )
    try:
        _wait_for(port, server)
        traffic = Traffic(port, seed)
        threads = [
            threading.Thread(target=traffic.client, args=(args.seconds, n))
            for n in range(args.concurrency)
        ]
        print(
            f"  gunicorn {args.workers} workers, {args.concurrency} clients, {args.seconds:.0f} s"
        )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _report(traffic, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main(sys.argv[1:])
