"""The API throttle: one counter per client and window in the shared cache."""

from __future__ import annotations

from unittest.mock import patch

import pytest
import redis.client
from django.core.cache import cache, caches
from django.test import override_settings

from settlement.api.throttling import parse_rate
from settlement.models import ApiCredential
from tests.api.conftest import world  # noqa: F401  (fixture)
from tests.serving.test_cache import _redis_up

REDIS = "redis://127.0.0.1:6379/7"  # this test's own database

SETTLEMENTS = "/api/v1/settlements/"


def test_rates_read_as_drf_reads_them():
    assert parse_rate("1200/min") == (1200, 60)
    assert parse_rate("5/s") == (5, 1)
    assert parse_rate("100/hour") == (100, 3600)


def test_the_window_holds_one_counter_not_every_request_time(world):  # noqa: F811
    credential = ApiCredential.objects.get(institution=world.qilu)
    credential.rate = "3/min"
    credential.save(update_fields=["rate"])

    answers = [world.hospital.get(SETTLEMENTS).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert cache.get(f"throttle:api_client:{credential.prefix}") == 4
    limited = world.hospital.get(SETTLEMENTS)
    assert 0 < int(limited.headers["Retry-After"]) <= 60


def test_a_window_that_expired_starts_again(world):  # noqa: F811
    credential = ApiCredential.objects.get(institution=world.qilu)
    credential.rate = "1/min"
    credential.save(update_fields=["rate"])
    assert world.hospital.get(SETTLEMENTS).status_code == 200
    assert world.hospital.get(SETTLEMENTS).status_code == 429

    cache.delete(f"throttle:api_client:{credential.prefix}")  # as when the window expires

    assert world.hospital.get(SETTLEMENTS).status_code == 200


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_the_window_is_counted_in_one_round_trip(world):  # noqa: F811
    shared = {"default": {"BACKEND": "medins.cache.ResilientRedisCache", "LOCATION": REDIS}}
    with override_settings(CACHES=shared):
        caches["default"].clear()
        credential = ApiCredential.objects.get(institution=world.qilu)
        credential.rate = "3/min"
        credential.save(update_fields=["rate"])
        pipelines = []
        real = redis.client.Pipeline.execute

        def counted(pipeline, *args, **kwargs):
            pipelines.append([command[0][0] for command in pipeline.command_stack])
            return real(pipeline, *args, **kwargs)

        with patch.object(redis.client.Pipeline, "execute", counted):
            answers = [world.hospital.get(SETTLEMENTS).status_code for _ in range(4)]
        limited = world.hospital.get(SETTLEMENTS)
        counter = caches["default"].make_and_validate_key(
            f"throttle:api_client:{credential.prefix}"
        )
        ttl = caches["default"]._cache.get_client(counter).ttl(counter)
        caches["default"].clear()

    assert answers == [200, 200, 200, 429]
    assert pipelines == [["INCRBY", "EXPIRE", "TTL"]] * 4
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert 0 < ttl <= 60
