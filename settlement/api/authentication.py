"""`Authorization: Bearer <key>`: the request acts for the credential's institution."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from settlement.api.credentials import api_credential_for_key
from settlement.models import ApiCredential


class ApiClient:
    """The authenticated caller: an institution's system, not a back-office user."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, credential: ApiCredential) -> None:
        self.credential = credential
        self.institution = credential.institution
        self.pk = None  # not a back-office user: no user id in logs

    def __str__(self) -> str:
        return self.get_username()

    def get_username(self) -> str:
        """How logs name the caller: the institution and the key's public prefix."""
        return f"api:{self.institution.code}:{self.credential.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiClient, ApiCredential] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be: Bearer <key>.")
            )
        credential = api_credential_for_key(key=header[1])
        if credential is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API key."))
        return ApiClient(credential), credential

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The institution's API key, issued by an administrator.",
        }
