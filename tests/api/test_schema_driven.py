"""Schema-driven run (schemathesis): every operation of /api/schema/ against the WSGI app.

Every operation the schema publishes: the hospital API (Bearer key) and the third parties'
person-data API (Token); the schema itself is open to all (docs/api.md). Bounded: a few
examples per operation, the same ones each run. Checks the responses against the published
schema (status codes, bodies, content types), that schema-invalid input is refused with 4xx,
that nothing answers 5xx, and that every error comes in the one JSON error shape
(settlement/api/exceptions.py). Schema-valid input the database refutes (an unknown person)
is a documented 400, so "positive data acceptance" is not asked for.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.celery_worker import service_mode

THIRD_PARTY_API = "/api/services/"


def _schema() -> schemathesis.BaseSchema:
    """Every operation of the live schema, read through the WSGI app at collection."""
    from medins.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application)
    if service_mode():  # no worker here: an accepted upload would wait in the queue forever
        loaded = loaded.exclude(path="/api/v1/batches/", method="POST")
    return loaded


schema = _schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Called straight through WSGI, Django would close the test's connection around each
    request (request_started, request_finished); its test client does not, nor may this."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def tokens(world) -> dict[str, str]:
    """The Authorization header for each API: a hospital's key, a third party's token."""
    from services.actions.consent import third_party_register

    _party, token = third_party_register(name="某商业保险公司")
    return {"hospital": f"Bearer {world.qilu_key}", "third_party": f"Token {token}"}


def _authorization(case, tokens: dict[str, str]) -> dict[str, str]:
    caller = "third_party" if case.operation.path.startswith(THIRD_PARTY_API) else "hospital"
    return {"Authorization": tokens[caller]}


def one_error_shape(ctx, response, case) -> None:
    """Every 4xx/5xx body is {"error": {status, code, message, fields}}, nothing else."""
    if response.status_code < 400:
        return
    body = response.json()
    assert list(body) == ["error"], body
    error = body["error"]
    assert sorted(error) == ["code", "fields", "message", "status"], error
    assert error["status"] == response.status_code, error
    assert isinstance(error["code"], str), error
    assert error["code"], error
    assert isinstance(error["message"], str), error
    assert error["message"], error
    assert isinstance(error["fields"], dict), error
    assert all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for messages in error["fields"].values()
    ), error


@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
    derandomize=True,  # the same examples on every run: CI never flakes on a new draw
)
def test_every_operation_keeps_to_the_schema(case, tokens):
    case.call_and_validate(
        headers={**_authorization(case, tokens), "Accept-Language": "en"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[one_error_shape],
    )


def test_every_operation_of_the_schema_is_fuzzed():
    """No filter hides an endpoint: what the schema publishes is what is run above."""
    from medins.wsgi import application

    published = schemathesis.openapi.from_wsgi("/api/schema/", application)
    run = {(o.method.upper(), o.path) for o in _operations(schema)}
    every = {(o.method.upper(), o.path) for o in _operations(published)}
    left_out = {("POST", "/api/v1/batches/")} if service_mode() else set()

    assert every - run == left_out
    assert any(path.startswith(THIRD_PARTY_API) for _method, path in run)


def _operations(loaded: schemathesis.BaseSchema) -> list:
    return [result.ok() for result in loaded.get_all_operations()]


def test_an_empty_page_number_is_refused_like_a_bad_one(world):
    """Found by the run above: DRF read "?page=" as page 1, though the schema says integer."""
    response = world.hospital.get("/api/v1/settlements/?page=")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Give a page number or leave the parameter out."
