"""Repeated failed log-ins lock the username (and a spraying address); admins unlock."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from medins.models import AuditEntry, LoginFailure
from medins.security import login_unlock
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-1"


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.fixture
def clerk():
    return make_user("clerk", region_code="370102", station_code="LX01")


@pytest.fixture
def _limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_IP_LIMIT = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15


@pytest.mark.usefixtures("_limits")
class TestLockout:
    def test_the_right_password_is_refused_after_too_many_failures(self, client, clerk):
        for _ in range(3):
            _login(client, clerk.username, "wrong")

        response = _login(client, clerk.username, PASSWORD)

        assert response.status_code == 200  # the form again, not a redirect
        assert "登录已锁定" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_fewer_failures_still_let_the_user_in_and_are_forgotten(self, client, clerk):
        for _ in range(2):
            _login(client, clerk.username, "wrong")

        response = _login(client, clerk.username, PASSWORD)

        assert response.status_code == 302
        assert not LoginFailure.objects.filter(username=clerk.username).exists()

    def test_the_lock_lifts_when_the_window_has_passed(self, client, clerk):
        for _ in range(3):
            _login(client, clerk.username, "wrong")

        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            response = _login(client, clerk.username, PASSWORD)

        assert response.status_code == 302

    def test_an_address_spraying_many_usernames_is_locked(self, client, clerk):
        for number in range(5):
            _login(client, f"nobody{number}", "wrong", ip="10.9.9.9")

        refused = _login(client, clerk.username, PASSWORD, ip="10.9.9.9")
        elsewhere = _login(client, clerk.username, PASSWORD, ip="10.0.0.2")

        assert "登录已锁定" in refused.content.decode()
        assert elsewhere.status_code == 302

    def test_the_admin_login_is_locked_too(self, client):
        admin = make_user("admin", region_code="")
        admin.is_staff = admin.is_superuser = True
        admin.save()
        for _ in range(3):
            client.post("/admin/login/", {"username": admin.username, "password": "wrong"})

        response = client.post(
            "/admin/login/?next=/admin/", {"username": admin.username, "password": PASSWORD}
        )

        assert response.status_code == 200
        assert "登录已锁定" in response.content.decode()


@pytest.mark.usefixtures("_limits")
class TestUnlock:
    def test_unlock_lets_the_user_in_again_and_is_recorded(self, client, clerk):
        admin = make_user("admin", region_code="")
        for _ in range(3):
            _login(client, clerk.username, "wrong")

        removed = login_unlock(actor=admin, usernames=[clerk.username], ip_addresses=[])
        response = _login(client, clerk.username, PASSWORD)

        assert removed == 3
        assert response.status_code == 302
        entry = AuditEntry.objects.get(action="login.unlock")
        assert entry.actor == admin.username
        assert entry.detail["usernames"] == [clerk.username]

    def test_the_admin_action_unlocks_the_selected_rows(self, client, clerk):
        admin = make_user("admin", region_code="")
        admin.is_staff = admin.is_superuser = True
        admin.save()
        for _ in range(3):
            _login(client, clerk.username, "wrong", ip="10.1.1.1")
        client.force_login(admin)

        response = client.post(
            "/admin/medins/loginfailure/",
            {
                "action": "unlock",
                "_selected_action": list(LoginFailure.objects.values_list("pk", flat=True)[:1]),
            },
        )

        assert response.status_code == 302
        assert not LoginFailure.objects.exists()  # the username's and the address's rows
