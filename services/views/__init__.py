"""Pages of the services app. Back-office pages are for the service network's staff only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from html import escape

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from medins.models import Role
from medins.selectors import role_of

SERVICE_ROLES = (Role.ADMIN, Role.CLERK, Role.MANAGER)


def service_staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then clerks, managers and administrators only (others get a 404)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if role_of(request.user) not in SERVICE_ROLES:
            raise Http404(_("These pages are for the service network's staff."))
        return view(request, *args, **kwargs)

    return login_required(guarded)


def options(choices: Iterable[tuple[str, str]], selected: str | None = None) -> SafeString:
    """<option value="code"[ selected]>name</option> for each (code, name), escaped as the
    template would (Django's escape is html.escape): a select of every station of the
    province is hundreds of options, each two lookups and two escapes in a template."""
    return mark_safe(
        "".join(
            f'<option value="{escape(code)}"{" selected" if code == selected else ""}>'
            f"{escape(name)}</option>"
            for code, name in choices
        )
    )
