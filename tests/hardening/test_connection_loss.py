"""PostgreSQL drops every connection while hospitals submit: no acknowledged settlement is lost.

A stand-in for a database restart that does not disturb the other users of the server:
pg_terminate_backend() on every other session of the test database, several times, while
threads submit encounters through the API. Every 201 must be stored, whole; a request that
lost its connection answers 503 database_unavailable (never a 500) and leaves nothing
half-written. The real restart: test_database_restart.py.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from settlement.models import FeeLine, Settlement
from tests.api.conftest import encounter, key_client

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
SUBMITTERS, KILL_ROUNDS = 3, 8
AFTER = 2  # each submitter goes on until this many of its submissions follow the last cut


def _terminate_other_sessions(done: threading.Event, kills: list[int]) -> None:
    """KILL_ROUNDS rounds of cutting every other session, then `done`."""
    with connections["default"].cursor() as cursor:
        for _round in range(KILL_ROUNDS):
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            kills.append(cursor.fetchone()[0])
            time.sleep(0.3)
    connections["default"].close()
    done.set()


def test_every_acknowledged_settlement_survives_dropped_connections(world):
    acknowledged: list[str] = []
    failed: list[str] = []
    crashed: list[str] = []
    codes: set[tuple[int, str]] = set()

    def submit(number: int) -> None:
        client = key_client(world.qilu_key)
        after = 0
        for index in range(200):  # a bound, far above what it takes
            if done.is_set():
                after += 1
                if after > AFTER:
                    break
            mdtrt_id = f"MD{number}{index:03d}"
            try:
                response = client.post("/api/v1/settlements/", encounter(mdtrt_id), format="json")
            except Exception as error:  # the test client re-raises what the view did not handle
                crashed.append(f"{mdtrt_id}: {error!r}")
                connections["default"].close()
                continue
            if response.status_code == 201:
                acknowledged.append(mdtrt_id)
            else:
                failed.append(mdtrt_id)
                codes.add((response.status_code, response.json()["error"]["code"]))
        connections["default"].close()

    done, kills = threading.Event(), []
    killer = threading.Thread(target=_terminate_other_sessions, args=(done, kills))
    submitters = [threading.Thread(target=submit, args=(n,)) for n in range(SUBMITTERS)]
    killer.start()
    for thread in submitters:
        thread.start()
    for thread in submitters:
        thread.join()
    killer.join()
    connection.close()

    stored = set(Settlement.objects.values_list("encounter_id", flat=True))
    print(f"\n{len(acknowledged)} acknowledged, {len(failed)} failed, {sum(kills)} sessions killed")
    assert crashed == []  # a lost connection is an answer (503), never an unhandled error
    assert codes <= {(503, "database_unavailable")}
    assert set(acknowledged) <= stored
    assert not (set(failed) & stored) or all(
        FeeLine.objects.filter(settlement__encounter_id=m).count() == 2
        for m in set(failed) & stored
    )
    assert FeeLine.objects.count() == 2 * Settlement.objects.count()  # none half-written
    assert acknowledged  # the API kept working between the drops
