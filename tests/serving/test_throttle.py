"""The API throttle: one counter per client and window in the shared cache."""

from __future__ import annotations

from django.core.cache import cache

from settlement.api.throttling import parse_rate
from settlement.models import ApiCredential
from tests.api.conftest import world  # noqa: F401  (fixture)

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
