"""Control characters in text from outside: refused, with a clear error, wherever text enters.

PostgreSQL cannot store NUL in text at all (the request would fail with a 500, the import as a
database error); the other C0 controls and DEL are never part of a name, code or note and
only hide what a value says. Tab, line feed and carriage return are ordinary text.
Used by the batch validator (as a polars pattern), the API's text fields (a validator) and
`ControlCharacterMiddleware` (URLs, query strings and headers of every request).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The same class in Python's re and in polars (Rust regex) syntax.
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CONTROL = re.compile(CONTROL_PATTERN)
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # a header may hold a tab only

CONTROL_REASON = gettext_lazy("contains a control character (such as NUL); not allowed in text")


def control_character(value: str) -> str | None:
    """The first control character in value, as U+XXXX, or None."""
    found = _CONTROL.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def no_control_characters(value: str) -> None:
    """Validator for text fields (DRF and Django forms)."""
    if isinstance(value, str) and (found := control_character(value)):
        raise ValidationError(
            _("Contains the control character %(char)s; text may not hold control characters.")
            % {"char": found},
            code="control_character",
        )


def _request_problem(request: HttpRequest) -> str | None:
    if control_character(request.path):
        return _("The URL contains a control character.")
    for key, values in request.GET.lists():
        if control_character(key) or any(control_character(value) for value in values):
            return _("The query parameter %(name)s contains a control character.") % {
                "name": _CONTROL.sub("?", key)
            }
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and _HEADER_CONTROL.search(value):
            header = key.removeprefix("HTTP_").replace("_", "-").title()
            return _("The header %(name)s contains a control character.") % {"name": header}
    return None


class ControlCharacterMiddleware:
    """Refuses (400) a request whose URL, query string or headers hold a control character,
    before any view hands it to the database; API paths answer in the API's error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = _request_problem(request)
        if problem is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            from settlement.api.exceptions import error_body

            return JsonResponse(error_body(400, "invalid", problem), status=400)
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
