"""A database that fails under a request (restart, failover, lock) answers 503, not 500.

The restart itself is tests/hardening/test_database_restart.py (PostgreSQL, on request); this
proves the mapping in both modes by making the database fail where a request first meets it.
"""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError

from settlement.api import authentication, encounters
from settlement.models import Settlement
from tests.api.conftest import encounter


def _raising(error: Exception):
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    return fail


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
    ],
    ids=["operational", "interface"],
)
def test_a_failed_write_is_a_retryable_503_and_stores_nothing(world, monkeypatch, error):
    monkeypatch.setattr(encounters, "_store", _raising(error))

    response = world.hospital.post(
        "/api/v1/settlements/", encounter("MD0001"), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )

    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "status": 503,
            "code": "database_unavailable",
            "message": "The database is unavailable; the request may not have been stored. "
            "Retry with the same Idempotency-Key.",
            "fields": {},
        }
    }
    assert response["Retry-After"] == "2"
    assert not Settlement.objects.exists()
    monkeypatch.undo()
    again = world.hospital.post(
        "/api/v1/settlements/", encounter("MD0001"), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert again.status_code == 201  # the key was not spent by the failed attempt


def test_a_database_down_at_authentication_is_503(world, monkeypatch):
    monkeypatch.setattr(
        authentication.ApiKeyAuthentication,
        "authenticate",
        _raising(OperationalError("connection refused")),
    )

    response = world.hospital.get("/api/v1/settlements/")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"


class TestBackOfficePages:
    """A back-office page whose database fails answers a 503 page to retry, not a 500."""

    @pytest.fixture
    def signed_in(self, cast, client):
        from django.test import Client

        browser = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
        browser.force_login(cast.jinan_auditor)
        return browser

    def test_a_lost_database_is_a_503_page_with_retry_after(self, signed_in, monkeypatch):
        from medins import selectors

        monkeypatch.setattr(selectors, "home_counts", _raising(OperationalError("terminated")))

        response = signed_in.get("/")

        assert response.status_code == 503
        assert response["Retry-After"] == "2"
        assert response["Content-Type"].startswith("text/html")
        assert "The database is unavailable at the moment" in response.content.decode()

    def test_any_other_failure_is_still_a_500(self, signed_in, monkeypatch):
        from medins import selectors

        monkeypatch.setattr(selectors, "home_counts", _raising(ValueError("a bug")))

        assert signed_in.get("/").status_code == 500
