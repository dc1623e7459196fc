"""The shared cache (CACHE_URL): Django's Redis cache, where a Redis that is down is a miss.

What the cache holds can be done without: API throttle counters (a request is let through
uncounted) and copies of sessions (read from the database instead). A cache that raised
instead would turn a Redis outage into failed settlements, which must go on being accepted.
Each failure is logged; the timeouts keep a hung Redis from holding requests up.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# Passed to redis-py for every connection: fail within half a second, and do not retry (a
# retry with back-off would hold the request for seconds).
CONNECTION_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry": None}


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        for name, value in CONNECTION_OPTIONS.items():
            options.setdefault(name, value)
        super().__init__(server, params)

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
