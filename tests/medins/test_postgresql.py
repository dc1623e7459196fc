"""medins.postgresql: a kept connection is checked before reuse without a round trip, and a
connection the server has closed is still found dead and replaced."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import close_old_connections, connection, connections

from medins.postgresql.base import _has_unread_input

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    params = connection.get_connection_params()
    with psycopg.connect(
        host=params.get("host"),
        port=params.get("port"),
        user=params.get("user"),
        dbname=params["dbname"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while not _has_unread_input(connection.connection) and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.fixture
def kept(monkeypatch):
    """The test's connection made a kept one with health checks, as under gunicorn."""
    wrapper = connections["default"]  # not the proxy: monkeypatch undoes on the object
    monkeypatch.setattr(wrapper, "health_check_enabled", True)
    monkeypatch.setattr(wrapper, "close_at", None)
    calls = []
    real = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda: calls.append(1) or real())
    return calls


def test_the_backend_is_in_use():
    assert type(connections["default"]).__module__ == "medins.postgresql.base"


def test_a_healthy_kept_connection_is_reused_without_a_query(kept):
    pid = _backend_pid()
    close_old_connections()  # what every request starts with
    assert _backend_pid() == pid
    assert kept == []  # no SELECT 1 was sent


def test_a_connection_the_server_closed_is_replaced_before_the_request_uses_it(kept):
    pid = _backend_pid()
    _terminate(pid)
    assert _has_unread_input(connection.connection)
    close_old_connections()
    assert _backend_pid() != pid  # the request's first query ran on a new connection
    assert kept == [1]  # found by Django's own check, made only for this one
