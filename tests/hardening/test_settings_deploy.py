"""Production settings pass `check --deploy`; the demo's plain-HTTP settings stay usable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "q7Lw!9zR2#kP5mX8vB1nC4tY6hJ0fD3sG7aQ2wE5rT8yU1iO4pZ"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' conftest allows async-unsafe ORM calls in this process; a deployment
    # never sets that, and check --deploy says so (async.E001).
    dropped = {"DEBUG", "PRODUCTION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestCheckDeploy:
    def test_production_settings_pass_with_no_warning(self):
        result = _manage(
            "check", "--deploy", "--fail-level", "WARNING", PRODUCTION="true", SECRET_KEY=STRONG_KEY
        )

        # drf-spectacular's notes on how well it could document a view are about the API
        # schema, not the deployment; every other warning counts.
        warnings = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if line.startswith("?:") or ": (" in line
        ]
        deploy_warnings = [line for line in warnings if "(drf_spectacular." not in line]
        assert deploy_warnings == [], result.stdout + result.stderr
        assert result.returncode == 0 or warnings, result.stdout + result.stderr

    def test_demo_settings_are_what_deploy_warns_about(self):
        result = _manage("check", "--deploy", "--fail-level", "WARNING")

        assert result.returncode != 0
        assert "SECURE_SSL_REDIRECT" in result.stderr + result.stdout

    def test_production_refuses_the_demo_secret_key(self):
        result = _manage("check", PRODUCTION="true", SECRET_KEY="demo-only-not-a-secret")

        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr


class TestHeaders:
    def test_login_page_carries_the_security_headers(self, client):
        response = client.get("/accounts/login/")

        assert response.status_code == 200
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy-Report-Only"]
        assert response["X-Request-ID"]

    def test_csp_is_enforced_when_asked(self, client, settings):
        settings.CSP_ENFORCE = True

        response = client.get("/accounts/login/")

        assert "script-src 'self';" in response["Content-Security-Policy"]

    @pytest.mark.django_db
    def test_signed_in_pages_are_not_cached(self, client, cast):
        client.force_login(cast.jinan_auditor)

        response = client.get("/")

        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"

    def test_demo_mode_serves_plain_http_without_redirect(self, client, settings):
        assert settings.SECURE_SSL_REDIRECT is False

        response = client.get("/accounts/login/")

        assert response.status_code == 200
        assert "Strict-Transport-Security" not in response
