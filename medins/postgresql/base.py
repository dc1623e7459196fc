"""Django's PostgreSQL backend, checking a kept connection without a round trip.

With CONN_HEALTH_CHECKS, Django checks a kept connection before each request reuses it by
sending SELECT 1: one more round trip in every request, some 200 a second under the load
test (benchmarks/load_bench.py), each waking PostgreSQL and the worker thread. A connection
PostgreSQL has closed (a restart, pg_terminate_backend, a crash) has something to read on
its socket while nothing was asked: the server's farewell message, or the end of the
stream. Only then is Django's check made, which finds it dead and closes it; the request
then opens a new one. An idle connection with nothing to read is reused as it is.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.pool
            or self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            return
        if _has_unread_input(self.connection) and not self.is_usable():
            self.close()
        self.health_check_done = True


def _has_unread_input(connection) -> bool:
    """Whether the server sent something unasked (or the connection is known broken)."""
    try:
        if connection.broken or connection.closed:
            return True
        socket = connection.pgconn.socket
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(socket, select.POLLIN | select.POLLPRI)
            return bool(poller.poll(0))
        readable, _, _ = select.select([socket], [], [], 0)
        return bool(readable)
    except Exception:  # no socket to look at: let Django's own check decide
        return True
