"""一窗通办 pages: the clerk's workbench, finding a person, starting and moving requests."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from medins.selectors import may_reveal, person_visible_to, role_of
from services import selectors
from services.actions import ServiceError, flows, reimbursement, window
from services.forms import StartForm
from services.models import ServiceItem
from services.views import service_staff_required


def _request_or_404(request: HttpRequest, number: str):
    found = selectors.request_visible_to(request.user, number)
    if found is None:
        raise Http404(_("No such request at your station."))
    return found


LISTED = 200  # open requests on the workbench


@require_GET
@service_staff_required
def workbench(request: HttpRequest) -> HttpResponse:
    """The station's open requests with their working days left, and the person search."""
    today = timezone.localdate()
    rows = selectors.with_days_left(selectors.open_requests(request.user)[:LISTED], today=today)
    if len(rows) < LISTED:  # every open request is here: count the overdue ones without asking
        overdue = selectors.overdue_among(rows, today=today)
    else:
        overdue = selectors.overdue_requests(request.user, today=today).count()
    context = {
        "station": selectors.station_of(request.user),
        "role": role_of(request.user),
        "rows": rows,
        "overdue": overdue,
        "query": request.GET.get("q", ""),
    }
    return render(request, "services/workbench.html", context)


@require_GET
@service_staff_required
def person_find(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    person = selectors.person_find(request.user, query)
    if person is None:
        messages.error(request, _("No insured person with that ID or person number in your area."))
        return redirect("services:workbench")
    return redirect("services:person", psn_no=person.psn_no)


@require_GET
@service_staff_required
def person_page(request: HttpRequest, psn_no: str) -> HttpResponse:
    """The person (masked), the items this station may start for them, their requests."""
    person = person_visible_to(request.user, psn_no)
    if person is None:
        raise Http404(_("No such person in your area."))
    station = selectors.station_of(request.user)
    today = timezone.localdate()
    context = {
        "person": person,
        "may_reveal": may_reveal(request.user),
        "station": station,
        "items": selectors.items_at(station) if station else [],
        "requests": selectors.with_days_left(
            selectors.person_requests(request.user, person), today=today
        ),
        "certifications": person.chronic_certifications.all(),
        "filings": person.cross_region_filings.all(),
    }
    from services.selectors_consent import consent_overview

    context.update(consent_overview(person=person))
    return render(request, "services/person.html", context)


def _item_or_404(code: str) -> ServiceItem:
    item = ServiceItem.objects.filter(pk=code, active=True).first()
    if item is None:
        raise Http404(_("No such service item."))
    return item


@service_staff_required
def request_new(request: HttpRequest, psn_no: str, item_code: str) -> HttpResponse:
    person = person_visible_to(request.user, psn_no)
    if person is None:
        raise Http404(_("No such person in your area."))
    item = _item_or_404(item_code)
    form = StartForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            started = window.request_start(
                user=request.user,
                person=person,
                item=item,
                channel=form.cleaned_data["channel"],
                phone=form.cleaned_data["phone"],
                proxy_name=form.cleaned_data["proxy_name"],
                proxy_certno=form.cleaned_data["proxy_certno"],
                proxy_relation=form.cleaned_data["proxy_relation"],
                details=form.details(),
                at=timezone.now(),
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            return redirect("services:request", number=started.number)
    context = {"person": person, "item": item, "form": form, "may_reveal": may_reveal(request.user)}
    return render(request, "services/request_new.html", context)


@require_GET
@service_staff_required
def request_page(request: HttpRequest, number: str) -> HttpResponse:
    found = _request_or_404(request, number)
    [found] = selectors.with_days_left([found], today=timezone.localdate())
    context = {
        "req": found,
        "person": found.person,
        "may_reveal": may_reveal(request.user),
        "events": found.events.select_related("user"),
        "documents": found.documents.all(),
        "may_act": window.may_act(request.user, found),
        "materials": [(name, name in found.materials_received) for name in found.item.materials],
    }
    return render(request, "services/request.html", context)


def _money(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise ServiceError(_("The fund amount must be a number of yuan.")) from None


def _act(request: HttpRequest, found, action: str):
    post, now, user = request.POST, timezone.now(), request.user
    materials = post.getlist("materials")
    approve = post.get("decision") == "approve"
    note = post.get("note", "")
    if action == "accept":
        return window.request_accept(user=user, request=found, materials=materials, at=now)
    if action == "return":
        missing = [name for name in found.item.materials if name not in materials]
        return window.request_return(
            user=user, request=found, materials=materials, missing=missing, note=note, at=now
        )
    if action == "refuse":
        return window.request_refuse(
            user=user, request=found, reason=post.get("reason", ""), at=now
        )
    if action == "resubmit":
        return window.request_resubmit(user=user, request=found, at=now)
    if action == "review":
        return flows.request_review(user=user, request=found, approve=approve, note=note, at=now)
    if action == "expert":
        return flows.request_expert_decide(
            user=user,
            request=found,
            approve=approve,
            expert=post.get("expert", ""),
            note=note,
            at=now,
        )
    if action == "second_review":
        return reimbursement.request_second_review(
            user=user,
            request=found,
            approve=approve,
            note=note,
            at=now,
            fund_paid=_money(post.get("fund_paid", "")),
        )
    if action == "upload":
        upload = request.FILES.get("document")
        if upload is None:
            raise ServiceError(_("Choose a scanned file to upload."))
        return reimbursement.document_upload(user=user, request=found, upload=upload, at=now)
    if action == "rate":
        try:
            rating = int(post.get("rating", ""))
        except ValueError:
            raise ServiceError(_("A rating is a whole number from 1 to 5.")) from None
        return window.request_rate(
            request=found, rating=rating, comment=post.get("comment", ""), at=now
        )
    raise Http404(_("No such action."))


DONE_MESSAGES = {
    "accept": _("Request accepted."),
    "return": _("Request returned for correction; the person has been told what is missing."),
    "refuse": _("Request not accepted; the person has been told why."),
    "resubmit": _("Materials brought: the request awaits acceptance again."),
    "review": _("Review recorded."),
    "expert": _("Expert decision recorded."),
    "second_review": _("Second review recorded."),
    "upload": _("Document stored."),
    "rate": _("Thank you for the rating."),
}


@require_POST
@service_staff_required
def request_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    found = _request_or_404(request, number)
    try:
        _act(request, found, action)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, DONE_MESSAGES[action])
    return redirect("services:request", number=number)


@require_GET
@service_staff_required
def overdue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.with_days_left(
        selectors.overdue_requests(request.user, today=today), today=today
    )
    return render(request, "services/overdue.html", {"rows": rows})


@require_GET
@service_staff_required
def outbox(request: HttpRequest) -> HttpResponse:
    rows = selectors.notifications_visible_to(request.user).select_related("request")[:200]
    return render(request, "services/outbox.html", {"rows": rows})
