"""Answers for when the server cannot serve: 503 with Retry-After, never a 500 or a time-out.

- The database is lost (a restart, a failover): the back office answers a 503 page, the API
  its JSON error (settlement.api.exceptions, the same Retry-After); see server_error.
- Too much load: a request that waited in a worker's queue longer than the limit is refused
  at once (medins.gunicorn_worker), so that the requests behind it are served in time
  instead of all of them timing out; see overloaded.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

RETRY_AFTER = 2  # seconds; what the API's DatabaseUnavailable says too


def unavailable(request: HttpRequest, *, code: str, message: str) -> HttpResponse:
    """503 with Retry-After: in the API's JSON error shape under /api/, else a page."""
    if request.path.startswith("/api/"):
        from settlement.api.exceptions import error_body

        response: HttpResponse = JsonResponse(error_body(503, code, message), status=503)
    else:
        page = render_to_string("medins/unavailable.html", {"message": message}, request)
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database is a 503 to retry, anything else Django's 500 page."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return django_server_error(request)
    from settlement.api.exceptions import DatabaseUnavailable, drop_broken_connections

    drop_broken_connections()
    if request.path.startswith("/api/"):
        message = str(DatabaseUnavailable.default_detail)
    else:
        message = _("The database is unavailable at the moment; try again in a few seconds.")
    return unavailable(request, code=DatabaseUnavailable.default_code, message=message)


StartResponse = Callable[[str, list[tuple[str, str]]], object]


def overloaded(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
    """A WSGI answer for a request the server has no time for (outside Django's handler: no
    middleware, no database), in the caller's language."""
    from django.core.handlers.wsgi import WSGIRequest

    request = WSGIRequest(environ)
    with translation.override(translation.get_language_from_request(request)):
        response = unavailable(
            request,
            code="overloaded",
            message=_("The server is too busy to answer now; try again in a few seconds."),
        )
    start_response(f"503 {response.reason_phrase}", list(response.items()))
    return response
