"""Pages of the services app. Back-office pages are for the service network's staff only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
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
