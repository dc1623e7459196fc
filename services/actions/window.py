"""一窗通办: start a request, tick materials, accept, return, refuse, review, close, rate.

Every move checks the model's MOVES table, is made by a clerk of the request's station,
writes one RequestEvent (with whom a proxy acted for) and queues a text message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medins.identity import InvalidCertno, certno_validate
from medins.models import Person, Role
from medins.selectors import persons_visible_to, role_of
from services.actions import ServiceError
from services.actions.notify import notification_queue
from services.calendar import work_calendar
from services.models import Channel, RequestEvent, ServiceItem, ServiceRequest, Station
from services.selectors import items_at, station_of


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ServiceError(_("The time %(at)s has no time zone.") % {"at": at})
    return at


def _clerk_station(user: AbstractBaseUser) -> Station:
    station = station_of(user)
    if station is None:
        raise ServiceError(_("Only a clerk bound to an active station may handle requests."))
    return station


def _check_actor(user: AbstractBaseUser, request: ServiceRequest) -> None:
    """The clerk of the request's station, or an administrator, may move it."""
    if role_of(user) == Role.ADMIN:
        return
    station = station_of(user)
    if station is None or station.pk != request.station_id:
        raise ServiceError(
            _("Request %(number)s belongs to another station.") % {"number": request.number}
        )


def acting_for(request: ServiceRequest) -> str:
    """ "Proxy name (relation) for psn_no" when someone handles it for the person, else ""."""
    if not request.proxy_name:
        return ""
    return f"{request.proxy_name} ({request.proxy_relation or '-'}) → {request.person_id}"


def move(
    *,
    user: AbstractBaseUser,
    request: ServiceRequest,
    action: str,
    at: datetime,
    note: str = "",
    notice: str = "",
    changes: dict | None = None,
) -> ServiceRequest:
    """Make one legal move with its field changes, record it, queue the notice.

    The caller holds the transaction; the request row is locked so two clerks cannot both move it.
    """
    _check_actor(user, request)
    locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    target = locked.next_status(action)
    if target is None:
        raise ServiceError(
            _("Request %(number)s cannot be %(action)s while it is %(status)s.")
            % {
                "number": locked.number,
                "action": ACTION_LABELS.get(action, action),
                "status": locked.get_status_display(),
            }
        )
    previous = locked.status
    for field, value in (changes or {}).items():
        setattr(locked, field, value)
    locked.status = target
    if target == ServiceRequest.Status.DONE or target == ServiceRequest.Status.REFUSED:
        locked.closed_at = at
    locked.save()
    RequestEvent.objects.create(
        request=locked,
        action=action,
        from_status=previous,
        to_status=target,
        user=user,
        acting_for=acting_for(locked),
        note=note[:1000],
        at=at,
    )
    if notice:
        notification_queue(
            phone=locked.phone, text=notice, at=at, psn_no=locked.person_id, request=locked
        )
    return locked


ACTION_LABELS = {
    "accept": gettext_lazy("accepted"),
    "complete": gettext_lazy("completed on the spot"),
    "return": gettext_lazy("returned"),
    "refuse": gettext_lazy("refused"),
    "resubmit": gettext_lazy("resubmitted"),
    "review": gettext_lazy("reviewed"),
    "to_expert": gettext_lazy("sent to expert review"),
    "first_review": gettext_lazy("given its first review"),
    "expert_decide": gettext_lazy("decided by the experts"),
    "second_review": gettext_lazy("given its second review"),
}


def sms(text: str, **values: object) -> str:
    """A text message: always in Chinese, whatever language the clerk's screen is in."""
    return text % values


def _number(station: Station, at: datetime) -> str:
    day = timezone.localtime(at).strftime("%Y%m%d")
    prefix = f"{station.code}-{day}-"
    count = ServiceRequest.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


def _materials(item: ServiceItem, ticked: Iterable[str]) -> list[str]:
    ticked = list(dict.fromkeys(ticked))
    unknown = [name for name in ticked if name not in item.materials]
    if unknown:
        raise ServiceError(
            _("%(item)s asks for no material named %(names)s.")
            % {"item": item.name, "names": "、".join(unknown)}
        )
    return ticked


@transaction.atomic(durable=True)
def request_start(
    *,
    user: AbstractBaseUser,
    person: Person,
    item: ServiceItem,
    channel: str,
    at: datetime,
    phone: str = "",
    details: dict | None = None,
    proxy_name: str = "",
    proxy_certno: str = "",
    proxy_relation: str = "",
) -> ServiceRequest:
    """Open a request at the clerk's station; raises ServiceError naming what is wrong."""
    from services.actions.flows import details_check

    _aware(at)
    station = _clerk_station(user)
    if not persons_visible_to(user).filter(pk=person.pk).exists():
        raise ServiceError(_("Person %(psn_no)s is outside your area.") % {"psn_no": person.pk})
    if item not in items_at(station):
        raise ServiceError(
            _("%(station)s may not handle %(item)s.") % {"station": station.name, "item": item.name}
        )
    if channel not in Channel.values or channel not in item.channels:
        raise ServiceError(
            _("%(item)s cannot be requested through the channel %(channel)s.")
            % {"item": item.name, "channel": channel}
        )
    if channel == Channel.PROXY and not proxy_name.strip():
        raise ServiceError(_("Proxy handling needs the name of the person acting."))
    if proxy_certno.strip():
        try:
            proxy_certno = certno_validate(proxy_certno)
        except InvalidCertno as invalid:
            raise ServiceError(
                _("The proxy's ID number %(certno)s is not valid: %(why)s.")
                % {"certno": proxy_certno.strip(), "why": invalid}
            ) from None
    request = ServiceRequest.objects.create(
        number=_number(station, at),
        item=item,
        person=person,
        station=station,
        channel=channel,
        phone=phone.strip(),
        details=details_check(item=item, details=details or {}),
        proxy_name=proxy_name.strip(),
        proxy_certno=proxy_certno.strip().upper(),
        proxy_relation=proxy_relation.strip(),
        created_by=user,
        created_at=at,
    )
    RequestEvent.objects.create(
        request=request,
        action="start",
        to_status=request.status,
        user=user,
        acting_for=acting_for(request),
        at=at,
    )
    return request


@transaction.atomic(durable=True)
def request_accept(
    *, user: AbstractBaseUser, request: ServiceRequest, materials: Iterable[str], at: datetime
) -> ServiceRequest:
    """受理 with every material ticked (an instant item closes at once); the deadline starts."""
    _aware(at)
    received = _materials(request.item, materials)
    missing = [name for name in request.item.materials if name not in received]
    if missing:
        raise ServiceError(
            _("Materials missing: %(missing)s. Return the request for them instead.")
            % {"missing": "、".join(missing)}
        )
    today = timezone.localtime(at).date()
    changes = {"materials_received": received, "missing_materials": [], "accepted_at": at}
    if request.item.instant and request.item.flow == ServiceItem.Flow.PLAIN:
        changes.update(outcome=ServiceRequest.Outcome.APPROVED, due_date=today)
        return move(
            user=user,
            request=request,
            action="complete",
            at=at,
            changes=changes,
            notice=sms("您的%(item)s已办结。", item=request.item.name),
        )
    changes["due_date"] = work_calendar().add(today, request.item.time_limit_days)
    return move(
        user=user,
        request=request,
        action="accept",
        at=at,
        changes=changes,
        notice=sms(
            "您的%(item)s已受理,办件号%(number)s,承诺%(due)s前办结。",
            item=request.item.name,
            number=request.number,
            due=changes["due_date"].isoformat(),
        ),
    )


@transaction.atomic(durable=True)
def request_return(
    *,
    user: AbstractBaseUser,
    request: ServiceRequest,
    materials: Iterable[str],
    missing: Iterable[str],
    note: str,
    at: datetime,
) -> ServiceRequest:
    """退回补正: say which materials are missing; the person brings them and it is resubmitted."""
    _aware(at)
    received = _materials(request.item, materials)
    absent = _materials(request.item, missing)
    if not absent and not note.strip():
        raise ServiceError(_("Say which materials are missing, or what must be corrected."))
    wanted = "、".join(absent) or note.strip()
    return move(
        user=user,
        request=request,
        action="return",
        at=at,
        changes={"materials_received": received, "missing_materials": absent},
        note=note.strip() or wanted,
        notice=sms("您的%(item)s需补正:%(wanted)s。", item=request.item.name, wanted=wanted),
    )


@transaction.atomic(durable=True)
def request_resubmit(
    *, user: AbstractBaseUser, request: ServiceRequest, at: datetime
) -> ServiceRequest:
    """The person came back with the missing materials: the request awaits acceptance again."""
    _aware(at)
    return move(user=user, request=request, action="resubmit", at=at)


@transaction.atomic(durable=True)
def request_refuse(
    *, user: AbstractBaseUser, request: ServiceRequest, reason: str, at: datetime
) -> ServiceRequest:
    """不予受理, with the reason the person is told."""
    _aware(at)
    if not reason.strip():
        raise ServiceError(_("Give the reason the request is not accepted."))
    reason = reason.strip()[:500]
    return move(
        user=user,
        request=request,
        action="refuse",
        at=at,
        note=reason,
        changes={"reason": reason},
        notice=sms("您的%(item)s不予受理:%(reason)s。", item=request.item.name, reason=reason),
    )


@transaction.atomic(durable=True)
def request_rate(
    *, request: ServiceRequest, rating: int, comment: str, at: datetime
) -> ServiceRequest:
    """好差评: the person rates a closed request once, 1 to 5."""
    _aware(at)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ServiceError(_("A rating is a whole number from 1 to 5."))
    updated = ServiceRequest.objects.filter(
        pk=request.pk,
        rating__isnull=True,
        status__in=(ServiceRequest.Status.DONE, ServiceRequest.Status.REFUSED),
    ).update(rating=rating, rating_comment=comment.strip()[:500], rated_at=at)
    if not updated:
        raise ServiceError(
            _("Request %(number)s is not closed yet or was already rated.")
            % {"number": request.number}
        )
    request.refresh_from_db()
    return request


def may_act(user: AbstractBaseUser, request: ServiceRequest) -> bool:
    """Whether the user may move this request (its station's clerk, or an administrator)."""
    try:
        _check_actor(user, request)
    except ServiceError:
        return False
    return True
