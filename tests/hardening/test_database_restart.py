"""PostgreSQL restarts while hospitals submit: no acknowledged settlement is lost or doubled.

The API runs under gunicorn (threads, persistent connections: the production setup) on the
test database; client threads submit encounters, each with its own Idempotency-Key, while
the cluster is restarted (`pg_ctlcluster … restart`, fast shutdown: open transactions are
aborted, every connection is cut). Proven:
  - every 201 is stored, whole (its fee lines), exactly once;
  - every other answer is a 503 in the API's JSON error shape with Retry-After, never a 500
    or a dropped connection;
  - retrying each refused request with the same key after the restart settles it exactly
    once (a request whose commit went through before its answer was lost replays, 200).

The restart cuts every session on the server, also other test processes': it runs only when
asked (MEDINS_PG_RESTART=1, see .ci/run, which runs it alone after the suite).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.db.models import Count

from settlement.models import FeeLine, Settlement
from tests.api.conftest import encounter
from tests.celery_worker import ROOT, _database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(
        os.environ.get("MEDINS_PG_RESTART") != "1",
        reason="restarts the PostgreSQL server for everybody: set MEDINS_PG_RESTART=1",
    ),
]
SUBMITTERS = 4
TIMEOUT = 30  # seconds a client waits for one answer


def _cluster() -> tuple[str, str]:
    """(version, name) of the local cluster serving the test database."""
    host = connection.settings_dict.get("HOST") or "localhost"
    if host not in ("127.0.0.1", "localhost", "::1") or shutil.which("pg_ctlcluster") is None:
        pytest.skip("needs the PostgreSQL cluster on this machine (pg_ctlcluster)")
    if pwd.getpwuid(os.geteuid()).pw_name not in ("root", "postgres"):
        pytest.skip("restarting the cluster needs root or postgres")
    versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: int(p.name))
    return versions[-1].name, "main"


def _restart_postgres() -> float:
    """Restart the cluster; the seconds it took."""
    version, name = _cluster()
    started = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
        check=True,
        timeout=120,
        capture_output=True,
    )
    return time.monotonic() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def api_server(world) -> Iterator[str]:
    """gunicorn (2 workers × 4 threads) serving the app on the test database; its URL."""
    _cluster()
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CONN_MAX_AGE": "60",
        "API_RATE": "100000/min",  # the load is ours; the throttle is tested elsewhere
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "medins.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"gunicorn exited with {process.returncode}"
            try:
                if requests.get(f"{url}/api/v1/flags/", timeout=30).status_code == 401:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within a minute"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Outcomes:
    """What each submission got, by mdtrt_id (thread-safe enough: one writer per id)."""

    acknowledged: dict[str, str] = field(default_factory=dict)  # mdtrt_id: setl_id
    refused: dict[str, requests.Response] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)  # no HTTP answer at all


def _submit(session: requests.Session, url: str, mdtrt_id: str) -> requests.Response:
    return session.post(
        f"{url}/api/v1/settlements/",
        json=encounter(mdtrt_id),
        headers={"Idempotency-Key": f"key-{mdtrt_id}"},
        timeout=TIMEOUT,
    )


def _submitter(url: str, key: str, number: int, stop: threading.Event, outcomes: Outcomes) -> None:
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {key}", "Accept-Language": "en"})
    index = 0
    while not stop.is_set():
        mdtrt_id = f"MDR{number}{index:04d}"
        index += 1
        try:
            response = _submit(session, url, mdtrt_id)
        except requests.RequestException as error:
            outcomes.broken[mdtrt_id] = repr(error)
            continue
        if response.status_code == 201:
            outcomes.acknowledged[mdtrt_id] = response.json()["setl_id"]
        else:
            outcomes.refused[mdtrt_id] = response


def _is_retryable_503(response: requests.Response) -> bool:
    body = response.json()["error"]
    return (
        response.status_code == 503
        and body["code"] == "database_unavailable"
        and body["status"] == 503
        and body["message"]
        and body["fields"] == {}
        and int(response.headers["Retry-After"]) > 0
    )


def _acknowledged_count(outcomes: Outcomes) -> int:
    return len(outcomes.acknowledged)


def _wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_restart_loses_no_acknowledged_settlement(world, api_server):
    outcomes, stop = Outcomes(), threading.Event()
    threads = [
        threading.Thread(target=_submitter, args=(api_server, world.qilu_key, n, stop, outcomes))
        for n in range(SUBMITTERS)
    ]
    for thread in threads:
        thread.start()
    try:
        _wait_for(lambda: _acknowledged_count(outcomes) >= 20)  # load is flowing
        before = _acknowledged_count(outcomes)
        took = _restart_postgres()
        _wait_for(lambda: _acknowledged_count(outcomes) >= before + 20)  # and flows again
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    connection.close()  # the test's own session died with the restart

    retried: dict[str, int] = {}
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {world.qilu_key}"})
    for mdtrt_id in outcomes.refused:
        response = _submit(session, api_server, mdtrt_id)
        retried[mdtrt_id] = response.status_code
        if response.status_code in (200, 201):
            outcomes.acknowledged[mdtrt_id] = response.json()["setl_id"]

    print(
        f"\nrestart took {took:.1f} s; {len(outcomes.acknowledged)} settled in the end, "
        f"{len(outcomes.refused)} refused (503) during it; "
        f"their retries answered {dict(Counter(retried.values()))}"
    )
    assert outcomes.broken == {}  # every request got an HTTP answer
    assert outcomes.refused, "no request met the restart: the test proved nothing"
    assert all(_is_retryable_503(r) for r in outcomes.refused.values()), {
        m: (r.status_code, r.text[:200]) for m, r in outcomes.refused.items()
    }
    assert set(retried.values()) <= {200, 201}  # the retry with the same key settles it
    stored = dict(
        Settlement.objects.filter(encounter_id__in=outcomes.acknowledged).values_list(
            "encounter_id", "setl_id"
        )
    )
    assert stored == outcomes.acknowledged  # each answered one is stored, as answered
    doubled = (
        Settlement.objects.values("encounter_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    assert doubled == 0
    assert Settlement.objects.count() == len(outcomes.acknowledged)
    assert FeeLine.objects.count() == 2 * Settlement.objects.count()  # none half-written
