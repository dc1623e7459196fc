"""Throttling per client: each credential has its own bucket, at its own rate or the default.

A counter per credential in the shared cache, started by the window's first request and
expiring with the window: one small integer read and written per request, in one round trip
to Redis. (DRF's own
throttle keeps every request time of the window in one entry, read and written back whole on
each request: 1,200 timestamps at the default rate.) A burst across the end of one window
and the start of the next can reach twice the rate for a moment.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from medins.cache import UNAVAILABLE
from settlement.models import ApiCredential

logger = logging.getLogger(__name__)

DEFAULT_RATE = "1200/min"
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "1200/min" → (1200, 60): requests allowed, and in how many seconds (as DRF reads it)."""
    number, period = rate.split("/")
    return int(number), SECONDS[period[0]]


class CredentialRateThrottle(BaseThrottle):
    scope = "api_client"

    def allow_request(self, request: Request, view: APIView) -> bool:
        credential = request.auth
        if not isinstance(credential, ApiCredential):
            return True
        default = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or DEFAULT_RATE
        allowed, self.duration = parse_rate(credential.rate or default)
        self.key = f"throttle:{self.scope}:{credential.prefix}"
        return self._count() <= allowed

    def _count(self) -> int:
        """This request's number in its window (0: the cache cannot count; let it through)."""
        shared = caches["default"]  # the backend itself (`cache` is a proxy to it)
        if isinstance(shared, RedisCache):
            return self._count_in_redis(shared)
        try:
            return cache.incr(self.key)
        except ValueError:  # the window's first request, or the window has just expired
            pass
        if cache.add(self.key, 1, self.duration):
            cache.set(f"{self.key}:start", time.time(), self.duration)
            return 1
        try:  # another worker started the window at this moment
            return cache.incr(self.key)
        except ValueError:
            return 1

    def _count_in_redis(self, shared: RedisCache) -> int:
        """One round trip: INCR (creates the counter at 1), EXPIRE NX (the window starts with
        its first request), TTL (how long until it ends, for Retry-After)."""
        key = shared.make_and_validate_key(self.key)
        try:
            pipeline = shared._cache.get_client(key, write=True).pipeline(transaction=False)
            pipeline.incr(key).expire(key, self.duration, nx=True).ttl(key)
            count, _, ttl = pipeline.execute()
        except UNAVAILABLE as error:
            logger.warning("cache unavailable (throttle): %s", error)
            return 0
        self.ends_at = time.time() + max(ttl, 0)
        return count

    def wait(self) -> float:
        ends_at = getattr(self, "ends_at", None)
        if ends_at is None:
            started = cache.get(f"{self.key}:start") or time.time()
            ends_at = started + self.duration
        return max(ends_at - time.time(), 1.0)
