"""Every write over HTTP leaves one audit entry; entries are never changed or removed."""

import pytest
from django.db import connection

from medins.auditlog import audit_record
from medins.models import AppendOnlyError, AuditEntry
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


class TestAuditLogMiddleware:
    def test_a_users_write_is_recorded_with_who_what_where(self, client, cast):
        person = PersonFactory(division_code="370102")
        client.force_login(cast.jinan_auditor)

        response = client.post(
            f"/persons/{person.pk}/reveal/", {"field": "certno"}, REMOTE_ADDR="10.2.3.4"
        )

        entry = AuditEntry.objects.get(method="POST")
        assert entry.actor_kind == AuditEntry.ActorKind.USER
        assert entry.actor == cast.jinan_auditor.username
        assert entry.actor_id == cast.jinan_auditor.pk
        assert entry.path == f"/persons/{person.pk}/reveal/"
        assert entry.status_code == response.status_code
        assert entry.target == f"psn_no={person.pk}"
        assert entry.detail["view"] == "person-reveal"
        assert entry.ip_address == "10.2.3.4"
        assert entry.request_id == response["X-Request-ID"]

    def test_reads_are_not_recorded(self, client, cast):
        client.force_login(cast.jinan_auditor)

        client.get("/")

        assert not AuditEntry.objects.exists()

    def test_a_refused_anonymous_write_is_recorded_too(self, client):
        client.post("/persons/37010200000000001/reveal/", {"field": "certno"})

        entry = AuditEntry.objects.get()
        assert entry.actor_kind == AuditEntry.ActorKind.ANONYMOUS
        assert entry.status_code == 302  # to the log-in page

    def test_a_log_out_is_recorded_as_the_user_who_left(self, client, cast):
        client.force_login(cast.lixia_clerk)

        client.post("/accounts/logout/")

        assert AuditEntry.objects.get().actor == cast.lixia_clerk.username

    def test_a_plain_request_id_from_the_proxy_is_kept_and_a_hostile_one_replaced(self, client):
        kept = client.post("/i18n/setlang/", {"language": "en"}, HTTP_X_REQUEST_ID="abc-123")
        replaced = client.post(
            "/i18n/setlang/", {"language": "en"}, HTTP_X_REQUEST_ID="<x>; Set-Cookie: a=b"
        )  # (with a CR/LF it would not get this far: test_control_characters.py)

        assert kept["X-Request-ID"] == "abc-123"
        assert len(replaced["X-Request-ID"]) == 32
        assert set(AuditEntry.objects.values_list("request_id", flat=True)) == {
            "abc-123",
            replaced["X-Request-ID"],
        }

    def test_an_api_client_is_recorded_with_its_credential_but_not_the_secret(
        self, client, cast, settings
    ):
        settings.ROOT_URLCONF = "tests.hardening.api_urls"

        response = client.post(
            "/api/test/echo/H1/",
            HTTP_AUTHORIZATION="Token s3cr3t-token-key",
            HTTP_X_TEST_USER=cast.qilu_hospital.username,
        )

        entry = AuditEntry.objects.get()
        assert response.status_code == 201
        assert entry.actor_kind == AuditEntry.ActorKind.API
        assert entry.actor == cast.qilu_hospital.username
        assert entry.credential.startswith("FakeToken#")
        assert "s3cr3t" not in entry.credential
        assert entry.target == "code=H1"

    def test_a_third_party_is_recorded_as_an_api_caller(self, client):
        """A ThirdParty is no user (no get_username): this answered 500 (schemathesis)."""
        from services.actions.consent import third_party_register

        party, token = third_party_register(name="某商业保险公司")

        response = client.post(
            "/api/services/persons/1/basic/", HTTP_AUTHORIZATION=f"Token {token}"
        )

        entry = AuditEntry.objects.get()
        assert response.status_code == 405
        assert entry.actor_kind == AuditEntry.ActorKind.API
        assert entry.actor == f"ThirdParty:{party.name}"
        assert entry.actor_id is None


class TestAuditRecord:
    def test_a_service_records_an_object_by_its_label(self, cast):
        person = PersonFactory()

        entry = audit_record(
            actor=cast.admin, action="person.merge", target=person, detail={"into": "x"}
        )

        assert entry.target == f"medins.person:{person.pk}"
        assert entry.actor == cast.admin.username
        assert entry.request_id == ""

    def test_a_command_records_itself_as_the_system(self):
        entry = audit_record(actor="manage.py restore", action="backup.restore")

        assert entry.actor_kind == AuditEntry.ActorKind.SYSTEM
        assert entry.actor == "manage.py restore"


class TestAppendOnly:
    def test_an_entry_cannot_be_changed_or_deleted_through_the_orm(self):
        entry = audit_record(actor=None, action="x")
        entry.action = "y"

        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.filter(pk=entry.pk).update(action="y")
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.all().delete()
        assert AuditEntry.objects.get(pk=entry.pk).action == "x"

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
    def test_postgresql_refuses_update_and_delete_in_sql(self):
        from django.db import DatabaseError, transaction

        entry = audit_record(actor=None, action="x")

        for statement in (
            "UPDATE medins_auditentry SET action = 'y'",
            "DELETE FROM medins_auditentry",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)
        assert AuditEntry.objects.get(pk=entry.pk).action == "x"


class TestAuditAdmin:
    def test_an_administrator_searches_the_log_read_only(self, client, cast):
        cast.admin.is_staff = cast.admin.is_superuser = True
        cast.admin.save()
        audit_record(actor=cast.jinan_auditor, action="flag.dismiss", target="screening.flag:7")
        audit_record(actor=cast.lixia_clerk, action="person.register", target="medins.person:1")
        client.force_login(cast.admin)

        listing = client.get("/admin/medins/auditentry/", {"q": "flag.dismiss"})
        entry = AuditEntry.objects.get(action="flag.dismiss")
        change = client.post(f"/admin/medins/auditentry/{entry.pk}/change/", {"action": "z"})
        delete = client.post(f"/admin/medins/auditentry/{entry.pk}/delete/", {"post": "yes"})

        assert listing.status_code == 200
        assert "screening.flag:7" in listing.content.decode()
        assert "medins.person:1" not in listing.content.decode()
        assert change.status_code == 403
        assert delete.status_code == 403
        assert AuditEntry.objects.get(pk=entry.pk).action == "flag.dismiss"

    def test_staff_who_are_not_administrators_cannot_see_it(self, client, cast):
        cast.jinan_auditor.is_staff = True
        cast.jinan_auditor.save()
        client.force_login(cast.jinan_auditor)

        response = client.get("/admin/medins/auditentry/")

        assert response.status_code == 403
