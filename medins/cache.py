"""The shared cache (CACHE_URL): Django's Redis cache, where a Redis that is down is a miss.

What the cache holds can be done without: API throttle counters (a request is let through
uncounted), copies of sessions, API credentials and designations (read from the database
instead). A cache that raised instead would turn a Redis outage into failed settlements,
which must go on being accepted. Each failure is logged; the timeouts keep a hung Redis from
holding requests up.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# Passed to redis-py for every connection: fail within half a second, and do not retry (a
# retry with back-off would hold the request for seconds).
CONNECTION_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry": None}


class ReusedRedisClient(RedisCacheClient):
    """Django's client, keeping one redis-py client per connection pool.

    Django builds a new redis-py client for every cache call, and each copies its table of
    some 170 response callbacks: about a tenth of a millisecond, two or three times in every
    API request. A client is only a pool and those callbacks; it is safe to share between
    threads, and its pool opens new connections after a fork.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        for name, value in CONNECTION_OPTIONS.items():
            options.setdefault(name, value)
        super().__init__(server, params)
        self._class = ReusedRedisClient

    def _unavailable(self, operation: str, error: Exception) -> None:
        logger.warning("cache unavailable (%s): %s", operation, error)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as error:
            self._unavailable("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict:
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as error:
            self._unavailable("get_many", error)
            return {}

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("set", error)

    def set_many(
        self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list:
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("set_many", error)
            return list(data)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("add", error)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except UNAVAILABLE as error:
            self._unavailable("delete", error)
            return False

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        """The new value; 0 while Redis is down (a counter that cannot count lets through)."""
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as error:
            self._unavailable("incr", error)
            return 0


# --- Short-lived copies of what every API request reads (credentials, designations). ---

FORGOTTEN = "__forgotten__"  # a tombstone: read the database, and keep nothing for a while
FORGOTTEN_FOR = 10  # seconds; longer than any read of the database that could race a write


def remembered(key: str, fill: Any, timeout: int) -> Any:
    """fill()'s value, kept in the shared cache for `timeout` seconds (None is not kept).

    After forget(key) the next reads go to the database: a fill that read before the write
    cannot put the old value back, since add() leaves the tombstone in place.
    """
    from django.core.cache import cache

    value = cache.get(key)
    if value is not None and not (isinstance(value, str) and value == FORGOTTEN):
        return value
    forgotten = value is not None
    value = fill()
    if value is not None and not forgotten:
        cache.add(key, value, timeout)
    return value


def forget(*keys: str) -> None:
    """The copies are stale: now, and again when the caller's transaction commits (a read
    between the two sees the old rows and keeps nothing; after the commit, the new ones)."""
    from django.core.cache import cache
    from django.db import transaction

    def tombstones() -> None:
        cache.set_many(dict.fromkeys(keys, FORGOTTEN), FORGOTTEN_FOR)

    tombstones()
    transaction.on_commit(tombstones)
