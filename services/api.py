"""The third-party query API: answers only within a person's valid grant; logs every query.

GET /api/services/persons/<psn_no>/<category>/ with "Authorization: Token <token>".
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from medins.models import Person
from services.actions.consent import consent_use, token_digest
from services.models import DataCategory, ThirdParty
from services.selectors import chronic_certifications_in_force, cross_region_filing_in_force
from services.selectors_consent import third_party_by_token
from settlement.api.serializers import ErrorSerializer

RECENT_SETTLEMENTS = 20


class ThirdPartyTokenAuthentication(authentication.BaseAuthentication):
    """ "Authorization: Token <token>" of a registered, active third party."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[ThirdParty, None] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        keyword, _space, token = header.partition(" ")
        if keyword != self.keyword:
            return None
        party = third_party_by_token(token_digest(token.strip()))
        if party is None:
            raise exceptions.AuthenticationFailed(_("Unknown or inactive third-party token."))
        return party, None

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ThirdPartyTokenScheme(OpenApiAuthenticationExtension):
    """How the schema documents the third parties' token."""

    target_class = "services.api.ThirdPartyTokenAuthentication"
    name = "ThirdPartyToken"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <token>, issued once to a registered third party",
        }


class IsThirdParty(permissions.BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return isinstance(request.user, ThirdParty)


def _answer(person: Person, category: str) -> object:
    today = timezone.localdate()
    if category == "basic":
        return {
            "psn_no": person.psn_no,
            "psn_name": person.name,
            "gend": person.gender,
            "brdy": person.birth_date.isoformat(),
        }
    if category == "insurance":
        return {
            "insutype": person.insurance_type,
            "psn_type": person.person_type,
            "insuplc_admdvs": person.division_code,
        }
    if category == "chronic":
        return {
            "certified_diseases": sorted(
                chronic_certifications_in_force(psn_no=person.psn_no, day=today)
            )
        }
    if category == "filing":
        return {"filed": cross_region_filing_in_force(psn_no=person.psn_no, day=today)}
    if category == "settlements":
        return [
            {
                "setl_id": s.setl_id,
                "fixmedins_code": s.institution_id,
                "med_type": s.medical_type,
                "setl_time": s.settled_at.isoformat(),
                "medfee_sumamt": str(s.total),
                "hifp_pay": str(s.fund_paid),
            }
            for s in person.settlements.order_by("-settled_at")[:RECENT_SETTLEMENTS]
        ]
    return None


class PersonDataView(APIView):
    authentication_classes = [ThirdPartyTokenAuthentication]
    permission_classes = [IsThirdParty]

    @extend_schema(
        summary="A person's data of one category, within their grant (logged)",
        responses={
            200: OpenApiTypes.OBJECT,
            **{
                code: OpenApiResponse(ErrorSerializer, description=description)
                for code, description in (
                    (400, "A malformed request (a control character in the URL or a header)."),
                    (401, "No, unknown or inactive third-party token."),
                    (403, "The person has not granted this data, or the grant is spent."),
                    (404, "No such person or data category."),
                )
            },
        },
    )
    def get(self, request: Request, psn_no: str, category: str) -> Response:
        # Errors are raised, so they come in the API's one JSON error shape.
        person = Person.objects.filter(pk=psn_no).first()
        if person is None or not DataCategory.objects.filter(pk=category).exists():
            raise exceptions.NotFound(_("No such person or data category."))
        grant = consent_use(
            third_party=request.user, person=person, category=category, at=timezone.now()
        )
        if grant is None:
            raise exceptions.PermissionDenied(
                _("The person has not granted you this data, or the grant is spent.")
            )
        return Response({"psn_no": psn_no, "category": category, "data": _answer(person, category)})
