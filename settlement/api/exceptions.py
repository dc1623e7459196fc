"""One JSON error shape for every API error, and the errors the API raises.

    {"error": {"status": 400, "code": "invalid", "message": "…",
               "fields": {"fee_details[2].cnt": ["…"]}}}

`fields` names each bad field by its path in the request (national field names), so a
hospital system can point at the offending input; it is empty when no field is at fault.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError, connections
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the stored state.")
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The task queue is unavailable; nothing was accepted. Retry later.")
    default_code = "service_unavailable"


class DatabaseUnavailable(exceptions.APIException):
    """The database went away mid-request (a restart, a failover): say so, and how to retry."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _(
        "The database is unavailable; the request may not have been stored. "
        "Retry with the same Idempotency-Key."
    )
    default_code = "database_unavailable"
    retry_after_seconds = 2


class FieldErrors(exceptions.ValidationError):
    """Validation errors found by a service (against the database), keyed by field path."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)


logger = logging.getLogger(__name__)

_MESSAGES = {
    400: _("The request is invalid; see fields."),
    404: _("Not found."),
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, then the body rewritten into the one shape above."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, OperationalError | InterfaceError):
        # A lost or refused connection is the client's cue to retry, not a server bug (500).
        logger.warning("API request failed on the database: %s", exc)
        drop_broken_connections()
        exc = DatabaseUnavailable()
    response = exception_handler(exc, context)
    if isinstance(exc, DatabaseUnavailable):
        response["Retry-After"] = str(exc.retry_after_seconds)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    fields: dict[str, list[str]] = {}
    if isinstance(exc, exceptions.ValidationError):
        _flatten(exc.detail, "", fields)
        message = str(_MESSAGES[400])
        first = fields.pop("non_field_errors", None)
        if first:
            message = first[0]
            if fields:
                fields["non_field_errors"] = first
        code = "invalid"
    else:
        message = str(exc.detail)
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    response.data = error_body(response.status_code, code, message, fields)
    return response


def drop_broken_connections() -> None:
    """Close a dead connection now, so that the thread's next request opens a new one.
    (Django does so at the end of a request, but not under every server or test client.)"""
    for alias in connections:
        connection = connections[alias]
        if connection.connection is not None and not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def error_body(
    status_code: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The one error shape (see the module's docstring), also for answers outside DRF."""
    return {
        "error": {"status": status_code, "code": code, "message": message, "fields": fields or {}}
    }


def _flatten(detail: Any, path: str, into: dict[str, list[str]]) -> None:
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a list's errors by index (ListSerializer)
                _flatten(value, f"{path}[{key}]", into)
            else:
                _flatten(value, f"{path}.{key}" if path else str(key), into)
    elif isinstance(detail, list) and detail and not all(isinstance(item, str) for item in detail):
        for index, value in enumerate(detail):
            if value:
                _flatten(value, f"{path}[{index}]", into)
    else:
        items = detail if isinstance(detail, list) else [detail]
        into.setdefault(path or "non_field_errors", []).extend(str(item) for item in items)
