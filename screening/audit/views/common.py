"""What every audit page shares: the role check, 404 outside the area, and the clock."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from medins.selectors import profile_of
from screening.audit import roles
from screening.audit.services import NotVisible

View = Callable[..., HttpResponse]


def audit_page(view: View) -> View:
    """Auditors, supervisors and admins only (403 for other roles); NotVisible becomes 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not roles.is_audit_user(request.user):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except NotVisible as error:
            raise Http404(str(error)) from None

    return login_required(wrapper)


def region_of(request: HttpRequest) -> str:
    profile = profile_of(request.user)
    return profile.region_code if profile is not None else ""
