"""Throttling per client: each credential has its own bucket, at its own rate or the default."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from settlement.models import ApiCredential

DEFAULT_RATE = "1200/min"


class CredentialRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def get_rate(self) -> str:
        return self.THROTTLE_RATES.get(self.scope, DEFAULT_RATE)

    def allow_request(self, request: Request, view: APIView) -> bool:
        credential = request.auth
        if isinstance(credential, ApiCredential) and credential.rate:
            self.rate = credential.rate
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        credential = request.auth
        if not isinstance(credential, ApiCredential):
            return None
        return self.cache_format % {"scope": self.scope, "ident": credential.prefix}
