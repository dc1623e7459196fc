"""Complaints under the three-day rule, and personal-data grants made at the window."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from medins.models import Division
from medins.selectors import person_visible_to
from services import selectors
from services.actions import ServiceError
from services.actions.complaints import complaint_alerts, complaint_record, complaint_step
from services.actions.consent import grant_create, grant_revoke
from services.models import ConsentGrant, DataCategory, Station, ThirdParty
from services.network import counties_of
from services.views import options, service_staff_required


@require_GET
@service_staff_required
def complaints(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = list(selectors.complaints_visible_to(request.user)[:200])
    for row in rows:
        row.alerts = complaint_alerts(row, today=today)
        row.steps = [
            ("instruct", row.instruction, row.instructed_at, row.instruction_due),
            ("contact", row.contact_note, row.contacted_at, row.contact_due),
            ("resolve", row.resolution, row.resolved_at, row.resolution_due),
        ]
    profile_region = getattr(getattr(request.user, "profile", None), "region_code", "")
    context = {
        "rows": rows,
        "alerted": sum(bool(row.alerts) for row in rows),
        "counties": options(counties_of(profile_region).values_list("code", "name")),
        "stations": options(
            selectors.stations_visible_to(request.user).values_list("code", "name")
        ),
    }
    return render(request, "services/complaints.html", context)


@require_POST
@service_staff_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    post = request.POST
    county = Division.objects.filter(pk=post.get("county", ""), level=Division.Level.COUNTY).first()
    station = Station.objects.filter(pk=post.get("station", "")).first()
    try:
        if county is None:
            raise ServiceError(_("Choose the county the complaint concerns."))
        complaint = complaint_record(
            user=request.user,
            county=county,
            station=station,
            complainant_name=post.get("name", ""),
            complainant_phone=post.get("phone", ""),
            content=post.get("content", ""),
            at=timezone.now(),
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Complaint %(number)s recorded; resolution due %(due)s.")
            % {"number": complaint.number, "due": complaint.resolution_due},
        )
    return redirect("services:complaints")


@require_POST
@service_staff_required
def complaint_act(request: HttpRequest, number: str, step: str) -> HttpResponse:
    complaint = selectors.complaints_visible_to(request.user).filter(number=number).first()
    if complaint is None:
        raise Http404(_("No such complaint in your division."))
    try:
        complaint_step(
            user=request.user,
            complaint=complaint,
            step=step,
            note=request.POST.get("note", ""),
            at=timezone.now(),
        )
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect("services:complaints")


@require_POST
@service_staff_required
def consent_grant(request: HttpRequest, psn_no: str) -> HttpResponse:
    person = person_visible_to(request.user, psn_no)
    if person is None:
        raise Http404(_("No such person in your area."))
    post = request.POST
    try:
        chosen = post.get("third_party", "")
        party = (
            ThirdParty.objects.filter(pk=chosen, active=True).first() if chosen.isdigit() else None
        )
        if party is None:
            raise ServiceError(_("Choose the third party."))
        until = post.get("valid_until", "").strip()
        count = post.get("max_uses", "").strip()
        grant_create(
            user=request.user,
            person=person,
            third_party=party,
            categories=DataCategory.objects.filter(pk__in=post.getlist("categories")),
            mode=post.get("mode", ""),
            purpose=post.get("purpose", ""),
            max_uses=int(count) if count.isdigit() else None,
            valid_until=_date(until),
            at=timezone.now(),
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Grant recorded."))
    return redirect("services:person", psn_no=psn_no)


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ServiceError(_("The last valid day must be a date YYYY-MM-DD.")) from None


@require_POST
@service_staff_required
def consent_revoke(request: HttpRequest, psn_no: str, grant_id: int) -> HttpResponse:
    person = person_visible_to(request.user, psn_no)
    grant = ConsentGrant.objects.filter(pk=grant_id, person=person).first() if person else None
    if grant is None:
        raise Http404(_("No such grant."))
    try:
        grant_revoke(user=request.user, grant=grant, at=timezone.now())
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Grant revoked."))
    return redirect("services:person", psn_no=psn_no)
