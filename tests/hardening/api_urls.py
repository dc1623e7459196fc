"""A tiny API behind a fake token, to see how the audit log records an API client."""

from django.urls import include, path
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView


class FakeToken:
    def __init__(self, key):
        self.pk = key


class FakeTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        from django.contrib.auth.models import User

        key = request.headers.get("Authorization", "").removeprefix("Token ")
        user = User.objects.filter(username=request.headers.get("X-Test-User", "")).first()
        return (user, FakeToken(key)) if user and key else None


class EchoApi(APIView):
    authentication_classes = [FakeTokenAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request, code):
        return Response({"code": code}, status=201)


urlpatterns = [
    path("api/test/echo/<str:code>/", EchoApi.as_view(), name="test-echo"),
    path("", include("medins.urls")),
]
