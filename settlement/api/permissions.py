"""Who may call: an institution's credential; writes only while it is designated."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from medins.models import Designation
from medins.selectors import designation_status_cached
from settlement.models import ApiCredential


class IsInstitutionClient(permissions.BasePermission):
    """Authenticated with an API credential (a back-office session does not count)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, ApiCredential)


class InstitutionNotDesignated(exceptions.PermissionDenied):
    default_code = "institution_not_designated"


class IsDesignated(permissions.BasePermission):
    """The institution's designation is active today (suspended or terminated: refused).

    Read through the shared cache; designation_set forgets the copy at once."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        institution = request.auth.institution
        status = designation_status_cached(institution=institution, day=timezone.localdate())
        if status == Designation.Status.SUSPENDED:
            raise InstitutionNotDesignated(
                _("Institution %(code)s is suspended (暂停定点): it may not settle or submit now.")
                % {"code": institution.code}
            )
        if status == Designation.Status.TERMINATED:
            raise InstitutionNotDesignated(
                _(
                    "Institution %(code)s's agreement is terminated (解除协议): "
                    "it may not settle or submit."
                )
                % {"code": institution.code}
            )
        return True
