"""The shared cache (medins/cache.py): a Redis that is down is a miss, never a failed request."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import caches
from django.test import override_settings

from medins.cache import ResilientRedisCache
from tests.api.conftest import world  # noqa: F401  (fixture)

REDIS = "redis://127.0.0.1:6379/13"


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there once the probe is closed


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(8).startswith(b"+PONG")
    except OSError:
        return False


def _cache(location: str) -> ResilientRedisCache:
    return ResilientRedisCache(location, {})


def test_a_redis_that_is_down_reads_as_a_miss_and_writes_as_nothing():
    cache = _cache(_closed_port_url())

    cache.set("k", 1)
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["k", "j"]) == {}
    assert cache.add("k", 1) is False
    assert cache.delete("k") is False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_a_redis_that_is_up_is_an_ordinary_cache():
    cache = _cache(REDIS)
    cache.delete("medins-test-key")

    assert cache.add("medins-test-key", {"n": 1}, timeout=30) is True
    assert cache.add("medins-test-key", {"n": 2}, timeout=30) is False
    assert cache.get("medins-test-key") == {"n": 1}
    assert cache.delete("medins-test-key") is True


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_one_redis_client_serves_every_call_and_every_thread():
    from concurrent.futures import ThreadPoolExecutor

    cache = _cache(REDIS)
    first = cache._cache.get_client()

    def round_trip(number: int) -> int:
        cache.set(f"medins-test-thread-{number}", number, timeout=30)
        return cache.get(f"medins-test-thread-{number}")

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(round_trip, range(64))) == list(range(64))
    assert cache._cache.get_client(write=True) is first
    assert first.connection_pool is cache._cache._get_connection_pool(False)


def test_the_api_answers_while_the_shared_cache_is_down(world, caplog):  # noqa: F811
    down = {"default": {"BACKEND": "medins.cache.ResilientRedisCache",
                        "LOCATION": _closed_port_url()}}  # fmt: skip
    with override_settings(CACHES=down):
        assert isinstance(caches["default"], ResilientRedisCache)
        response = world.hospital.get("/api/v1/settlements/")

    assert response.status_code == 200
    assert "cache unavailable" in caplog.text  # the throttle asked the cache, and went on
