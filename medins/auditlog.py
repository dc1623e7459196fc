"""The append-only audit log: every write over HTTP, and what services choose to record.

`AuditLogMiddleware` writes one `AuditEntry` for each request with a non-safe method (who,
which credential, path, method, status, the object its URL names, address, request id).
Services call `audit_record(actor=..., action=..., target=..., detail=...)`; inside a request
the entry carries that request's id and address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from medins.inserts import insert_row
from medins.models import AuditEntry

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# A request id a proxy or client sent us is kept only if it is short and plain.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip_address: str | None


_current: ContextVar[RequestContext | None] = ContextVar("medins_audit_request", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the proxy's X-Forwarded-For when we trust one."""
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        address = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip() or address
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def current_request_id() -> str:
    """The id of the request being served, or "" outside one (commands, tasks)."""
    context = _current.get()
    return context.request_id if context else ""


def _actor_of(user: Any) -> tuple[str, str, int | None]:
    if user is None or not getattr(user, "is_authenticated", False):
        return AuditEntry.ActorKind.ANONYMOUS, "", None
    if not hasattr(user, "get_username"):  # an API caller that is no user (a third party)
        return AuditEntry.ActorKind.API, f"{type(user).__name__}:{user}", None
    return AuditEntry.ActorKind.USER, user.get_username(), user.pk


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry. `actor` is a user, None for the system, or a name (e.g. a command).

    `target` is a model instance (recorded as "app.model:pk") or a text naming the object.
    """
    if isinstance(actor, str):
        kind, name, user_id = AuditEntry.ActorKind.SYSTEM, actor, None
    elif actor is None:
        kind, name, user_id = AuditEntry.ActorKind.SYSTEM, "", None
    else:
        kind, name, user_id = _actor_of(actor)
    context = _current.get()
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor_kind=kind,
        actor=name[:150],
        actor_id=user_id,
        action=action[:100],
        target=_target_label(target)[:200],
        detail=detail or {},
        ip_address=context.ip_address if context else None,
        request_id=context.request_id if context else "",
    )


def _target_label(target: models.Model | str) -> str:
    if isinstance(target, models.Model):
        return f"{target._meta.label_lower}:{target.pk}"
    return str(target)


def _credential_label(auth: Any) -> str:
    """Which API credential was used, never the secret itself: its type and a short hash."""
    if auth is None:
        return ""
    secret = str(getattr(auth, "pk", None) or auth)
    digest = hashlib.sha256(secret.encode()).hexdigest()[:12]
    return f"{type(auth).__name__}#{digest}"


class AuditLogMiddleware:
    """Tags every request with an id (X-Request-ID) and logs every non-safe one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if REQUEST_ID_PATTERN.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        writes = request.method not in SAFE_METHODS
        # Who sent it, read before the view: a log-out leaves the request anonymous after.
        user_before = getattr(request, "user", None) if writes else None
        if user_before is not None and not user_before.is_authenticated:
            user_before = None
        token = _current.set(RequestContext(request_id=request_id, ip_address=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if writes:
            try:
                self._record(request, response, user_before)
            except Exception:
                # The write itself is done; a failed log line must be loud, not a 500.
                logger.exception("audit log entry lost for %s %s", request.method, request.path)
        response.headers["X-Request-ID"] = request_id
        return response

    def _record(self, request: HttpRequest, response: HttpResponse, user_before: Any) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            user = user_before
        kind, name, user_id = _actor_of(user)
        auth = getattr(request, "auth", None)
        if auth is not None:
            kind = AuditEntry.ActorKind.API
        match = request.resolver_match
        view_name = match.view_name if match else ""
        kwargs = {key: str(value) for key, value in (match.kwargs if match else {}).items()}
        target = getattr(request, "audit_target", "") or ",".join(
            f"{key}={value}" for key, value in kwargs.items()
        )
        _entry_insert(
            AuditEntry(
                at=timezone.now(),
                actor_kind=kind,
                actor=name[:150],
                actor_id=user_id,
                credential=_credential_label(auth),
                action=f"http.{request.method.lower()}"[:100],
                method=request.method[:10],
                path=request.path[:500],
                status_code=response.status_code,
                target=_target_label(target)[:200],
                detail={"view": view_name, **({"kwargs": kwargs} if kwargs else {})},
                ip_address=client_ip(request),
                request_id=request.request_id,
            )
        )


def _entry_insert(entry: AuditEntry) -> None:
    """A new entry by one plain INSERT (medins.inserts): the middleware writes one on every
    write request. The entry's fields as the instance holds them, defaults filled."""
    fields = [field for field in AuditEntry._meta.concrete_fields if not field.primary_key]
    insert_row(AuditEntry, {field.name: getattr(entry, field.attname) for field in fields})
