"""Who gets in: keys per institution, rotation and revocation, throttling, the schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from medins.models import Designation
from medins.services import designation_set
from settlement.api.credentials import (
    api_credential_for_key,
    api_credential_issue,
    api_credential_revoke,
    api_credential_rotate,
)
from settlement.models import ApiCredential
from tests.api.conftest import key_client

SETTLEMENTS = "/api/v1/settlements/"
PRECHECK = "/api/v1/prechecks/"


def error_code(response) -> str:
    return response.json()["error"]["code"]


class TestAuthentication:
    def test_no_key_answers_401(self, world, client):
        response = client.get(SETTLEMENTS, HTTP_ACCEPT_LANGUAGE="en")

        assert response.status_code == 401
        assert error_code(response) == "not_authenticated"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")

    def test_an_unknown_key_answers_401(self, world):
        response = key_client("mk_000000000000_nope").get(SETTLEMENTS)

        assert response.status_code == 401
        assert error_code(response) == "authentication_failed"

    def test_a_key_with_the_right_prefix_and_a_wrong_secret_answers_401(self, world):
        prefix = world.qilu_key.split("_")[1]

        response = key_client(f"mk_{prefix}_guessed").get(SETTLEMENTS)

        assert response.status_code == 401

    def test_a_back_office_session_is_not_an_api_client(self, world, admin_client):
        response = admin_client.get(SETTLEMENTS)

        assert response.status_code in (401, 403)

    def test_the_key_is_stored_only_as_a_hash(self, world):
        credential = ApiCredential.objects.get(institution=world.qilu)

        assert world.qilu_key not in (credential.key_hash, credential.prefix)
        assert api_credential_for_key(key=world.qilu_key) == credential

    def test_a_revoked_key_stops_working(self, world):
        credential = ApiCredential.objects.get(institution=world.qilu)

        api_credential_revoke(credential=credential, at=timezone.now())

        assert world.hospital.get(SETTLEMENTS).status_code == 401
        assert world.other_hospital.get(SETTLEMENTS).status_code == 200

    def test_rotation_replaces_the_key(self, world):
        credential = ApiCredential.objects.get(institution=world.qilu)

        issued = api_credential_rotate(credential=credential, at=timezone.now())

        assert world.hospital.get(SETTLEMENTS).status_code == 401
        assert key_client(issued.key).get(SETTLEMENTS).status_code == 200
        credential.refresh_from_db()
        assert credential.replaced_by == issued.credential
        assert issued.credential.institution == world.qilu

    def test_use_is_recorded_on_the_credential(self, world):
        world.hospital.get(SETTLEMENTS)

        assert ApiCredential.objects.get(institution=world.qilu).last_used_at is not None


class TestCopiesOfCredentials:
    """The credential and the designation are read from the shared cache after the first
    request; every change is seen on the very next request all the same."""

    def test_the_second_request_does_not_read_the_credential(self, world):
        world.hospital.get(SETTLEMENTS)

        with CaptureQueriesContext(connection) as queries:
            assert world.hospital.get(SETTLEMENTS).status_code == 200

        assert not [q for q in queries if "settlement_apicredential" in q["sql"]]

    def test_a_revoked_key_is_refused_right_after_the_revocation(self, world):
        assert world.hospital.get(SETTLEMENTS).status_code == 200  # now a cached copy

        api_credential_revoke(
            credential=ApiCredential.objects.get(institution=world.qilu), at=timezone.now()
        )

        assert world.hospital.get(SETTLEMENTS).status_code == 401
        assert world.other_hospital.get(SETTLEMENTS).status_code == 200

    def test_a_rotated_key_is_refused_right_after_the_rotation(self, world):
        assert world.hospital.get(SETTLEMENTS).status_code == 200

        issued = api_credential_rotate(
            credential=ApiCredential.objects.get(institution=world.qilu), at=timezone.now()
        )

        assert world.hospital.get(SETTLEMENTS).status_code == 401
        assert key_client(issued.key).get(SETTLEMENTS).status_code == 200

    def test_a_suspended_institution_is_refused_right_after_the_suspension(self, world):
        precheck = {"mdtrt_id": "nothing"}  # refused before its body is read when suspended
        assert world.hospital.post(PRECHECK, precheck, format="json").status_code == 400

        designation_set(
            institution=world.qilu,
            status=Designation.Status.SUSPENDED,
            effective_from=timezone.localdate() - timedelta(days=1),
            reason="飞行检查",
            at=timezone.now(),
        )

        response = world.hospital.post(PRECHECK, precheck, format="json")
        assert (response.status_code, error_code(response)) == (403, "institution_not_designated")
        assert world.other_hospital.post(PRECHECK, precheck, format="json").status_code == 400

    def test_a_revocation_while_a_request_reads_the_key_is_not_undone(self, world):
        """A copy read from the database before the revocation cannot be put back after it."""
        credential = ApiCredential.objects.get(institution=world.qilu)
        stale = api_credential_for_key(key=world.qilu_key)  # what a slow request read
        cache.clear()

        api_credential_revoke(credential=credential, at=timezone.now())
        cache.add(f"apikey:{credential.prefix}", stale, 60)  # that request's late add()

        assert api_credential_for_key(key=world.qilu_key) is None
        assert world.hospital.get(SETTLEMENTS).status_code == 401


class TestThrottling:
    def test_a_client_over_its_rate_answers_429_and_others_go_on(self, world):
        ApiCredential.objects.filter(institution=world.qilu).update(rate="2/min")

        answers = [world.hospital.get(SETTLEMENTS).status_code for _ in range(3)]
        other = world.other_hospital.get(SETTLEMENTS)

        assert answers == [200, 200, 429]
        assert other.status_code == 200
        limited = world.hospital.get(SETTLEMENTS)
        assert error_code(limited) == "throttled"
        assert int(limited.headers["Retry-After"]) > 0


class TestAdmin:
    def test_issuing_shows_the_key_once_and_rotating_shows_the_new_one(self, world, admin_client):
        response = admin_client.post(
            "/admin/settlement/apicredential/add/",
            {"institution": world.qilu.pk, "name": "药房系统", "rate": ""},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
        shown = [str(message) for message in response.context["messages"]]
        key = shown[0].split(": ", 1)[1].split(" ")[0]
        credential = ApiCredential.objects.get(name="药房系统")

        assert api_credential_for_key(key=key) == credential
        assert key_client(key).get(SETTLEMENTS).status_code == 200

        admin_client.post(
            "/admin/settlement/apicredential/",
            {"action": "rotate", "_selected_action": [credential.pk]},
        )

        assert key_client(key).get(SETTLEMENTS).status_code == 401
        assert ApiCredential.objects.filter(name="药房系统", revoked_at__isnull=True).count() == 1

    def test_revoking_from_the_admin(self, world, admin_client):
        credential = ApiCredential.objects.get(institution=world.qilu)

        admin_client.post(
            "/admin/settlement/apicredential/",
            {"action": "revoke", "_selected_action": [credential.pk]},
        )

        assert world.hospital.get(SETTLEMENTS).status_code == 401


class TestSchema:
    @pytest.fixture
    def schema(self, client) -> dict:
        response = client.get("/api/schema/")
        assert response.status_code == 200
        return yaml.safe_load(response.content)

    def test_documents_every_endpoint_with_its_errors(self, schema):
        paths = schema["paths"]
        submit = paths["/api/v1/settlements/"]["post"]["responses"]
        precheck = paths["/api/v1/prechecks/"]["post"]["responses"]

        assert {"201", "200", "400", "401", "403", "409", "429"} <= set(submit)
        assert {"200", "400", "401", "403", "409", "429"} <= set(precheck)
        assert "503" in paths["/api/v1/batches/"]["post"]["responses"]
        assert "404" in paths["/api/v1/settlements/{setl_id}/"]["get"]["responses"]
        assert submit["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")

    def test_uses_the_national_field_names_and_bearer_keys(self, schema):
        components = schema["components"]

        fee = components["schemas"]["FeeDetailInput"]["properties"]
        assert {"feedetl_sn", "med_list_codg", "cnt", "pric", "det_item_fee_sumamt"} <= set(fee)
        assert components["securitySchemes"]["apiKey"]["scheme"] == "bearer"
        violation = components["schemas"]["Violation"]["properties"]
        assert {"jr_id", "rule_id", "vola_cont", "vola_amt", "sev_deg", "vola_evid"} <= set(
            violation
        )


def test_issued_keys_are_unique(db):
    from tests.factories import InstitutionFactory

    institution = InstitutionFactory()

    keys = {api_credential_issue(institution=institution, name="x").key for _ in range(5)}

    assert len(keys) == 5


def test_the_browsable_documentation_serves_its_own_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn.jsdelivr.net" not in page
