"""Log-in lock-out after repeated failures, and the headers Django's settings cannot set.

A username is locked after `LOGIN_FAILURE_LIMIT` failures within `LOGIN_LOCKOUT_MINUTES`, an
address after `LOGIN_FAILURE_IP_LIMIT`; the lock lifts when the window passes or when an
administrator unlocks it (admin, failed log-ins). Failures live in the database, so every
gunicorn worker sees the same count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from medins.auditlog import audit_record, client_ip
from medins.compiled import CompiledValues, field_names, instance
from medins.models import LoginFailure, UserProfile


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def login_locked(*, username: str, ip_address: str | None, at: datetime) -> bool:
    """True while the username or the address has too many recent failures."""
    recent = LoginFailure.objects.filter(failed_at__gt=at - _window())
    if recent.filter(username=username).count() >= settings.LOGIN_FAILURE_LIMIT:
        return True
    return bool(
        ip_address
        and recent.filter(ip_address=ip_address).count() >= settings.LOGIN_FAILURE_IP_LIMIT
    )


def login_failure_record(*, username: str, ip_address: str | None, at: datetime) -> None:
    LoginFailure.objects.create(username=username[:150], ip_address=ip_address, failed_at=at)


@transaction.atomic
def login_unlock(
    *, actor: AbstractBaseUser, usernames: Iterable[str], ip_addresses: Iterable[str]
) -> int:
    """Forget the failures of these usernames and addresses; returns how many were removed."""
    usernames, ip_addresses = sorted(set(usernames)), sorted(set(ip_addresses))
    removed, _ = LoginFailure.objects.filter(
        Q(username__in=usernames) | Q(ip_address__in=ip_addresses)
    ).delete()
    audit_record(
        actor=actor,
        action="login.unlock",
        target=",".join(usernames)[:200],
        detail={"usernames": usernames, "ip_addresses": ip_addresses, "failures": removed},
    )
    return removed


def lockout_message() -> str:
    return gettext(
        "Too many failed log-ins for this account or from this address: log-in is locked "
        "for %(minutes)s minutes. Try again later or ask an administrator to unlock it."
    ) % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}


class LockoutModelBackend(ModelBackend):
    """Django's username and password check, refused while locked, counting each failure."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if username is None:
            username = kwargs.get("username")
        if username is None or password is None:
            return None
        ip_address = client_ip(request) if isinstance(request, HttpRequest) else None
        now = timezone.now()
        if login_locked(username=username, ip_address=ip_address, at=now):
            if isinstance(request, HttpRequest):
                # A form's clean() turns this into the message on the log-in page.
                raise ValidationError(lockout_message(), code="locked")
            raise PermissionDenied  # e.g. an API's basic authentication: just refuse
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username, ip_address=ip_address, at=now)
        else:
            LoginFailure.objects.filter(username=username).delete()
        return user

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        """The session's user and its profile in one query: every page asks for the role."""
        user = session_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def session_user(user_id: int) -> AbstractBaseUser | None:
    """The user with its profile (or with none) as select_related("profile").get(pk=…) gives
    them, by a query compiled once (medins.compiled): on every page of the back office."""
    found = _SESSION_USER.rows(window=(0, 1), pk=user_id)
    if not found:
        return None
    row, model = found[0], get_user_model()
    user = instance(model, row)
    profile = None
    if row["profile__id"] is not None:
        profile = instance(UserProfile, row, prefix="profile__")
        UserProfile.user.field.set_cached_value(profile, user)
    model.profile.related.set_cached_value(user, profile)
    return user


_SESSION_USER = CompiledValues(
    lambda pk: (
        get_user_model()
        ._default_manager.filter(pk=pk)
        .order_by("pk")
        .values(
            *field_names(get_user_model()),
            *(f"profile__{name}" for name in field_names(UserProfile)),
        )
    ),
    "pk",
    numbers=("pk",),
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and friends; pages for signed-in users are never cached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        relaxed = request.path.startswith(tuple(settings.CSP_RELAXED_PATHS))
        policy = settings.CSP_RELAXED_POLICY if relaxed else settings.CSP_POLICY
        header = "Content-Security-Policy"
        if not settings.CSP_ENFORCE:
            header += "-Report-Only"
        response.headers.setdefault(header, policy)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response


# Cells a spreadsheet would run as a formula (CSV injection); plain numbers are left alone.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def spreadsheet_safe(value: object) -> str:
    """A cell for a CSV people open in Excel or WPS: text that looks like a formula gets a
    leading apostrophe, so it shows as written and never runs. Not for interchange files,
    whose values must round-trip exactly."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text
