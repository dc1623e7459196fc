"""Reads of the services app: entitlements other apps rely on, and scoped back-office reads.

`chronic_certifications_in_force` and `cross_region_filing_in_force` are the interface the
settlement policy engine uses (its Claim's certified_diseases and filed fields).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import DateField, F, Q, QuerySet, Value
from django.db.models.functions import Cast

from medins.compiled import CompiledValues
from medins.models import Person, Role
from medins.selectors import AnyUser, persons_visible_to, profile_of, role_of
from services.calendar import work_calendar
from services.models import (
    ChronicCertification,
    Complaint,
    CrossRegionFiling,
    Notification,
    ServiceItem,
    ServiceRequest,
    Station,
)


def _in_force(day: str) -> Q:
    """Valid on the day (ISO text, cast to a date by the database): from valid_from, up to
    but not including valid_to."""
    on = Cast(Value(day), DateField())
    return Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))


# Every settlement reads the person's entitlements: queries compiled once (medins.compiled;
# building one cost half a millisecond, some tenth of a submission's CPU).
_CERTIFIED = CompiledValues(
    lambda psn_no, day: (
        ChronicCertification.objects.filter(_in_force(day), person_id=psn_no)
        .order_by()
        .values("disease_code")
    ),
    "psn_no",
    "day",
)
_FILED = CompiledValues(
    lambda psn_no, day: (
        CrossRegionFiling.objects.filter(_in_force(day), person_id=psn_no).order_by().values("pk")
    ),
    "psn_no",
    "day",
)


def chronic_certifications_in_force(*, psn_no: str, day: date) -> frozenset[str]:
    """Disease codes of the person's 门诊慢特病 certifications valid on the day."""
    rows = _CERTIFIED.rows(psn_no=psn_no, day=day.isoformat())
    return frozenset(row["disease_code"] for row in rows)


def cross_region_filing_in_force(*, psn_no: str, day: date) -> bool:
    """Whether the person has a 异地就医备案 valid on the day."""
    return bool(_FILED.rows(window=(0, 1), psn_no=psn_no, day=day.isoformat()))


# --- Back-office scoping: a clerk sees their station, a manager their division. ---


def stations_visible_to(user: AnyUser) -> QuerySet[Station]:
    """The clerk's own station; a manager's division's stations; every station for admins."""
    role = role_of(user)
    stations = Station.objects.select_related("county")
    if role == Role.ADMIN:
        return stations
    profile = profile_of(user)
    if role == Role.CLERK:
        return (
            stations.filter(code=profile.station_code) if profile.station_code else stations.none()
        )
    if role == Role.MANAGER:
        return stations.filter(county__code__startswith=profile.region_code)
    return stations.none()


def station_of(user: AnyUser) -> Station | None:
    """The station a clerk works at, or None (not a clerk, or no such station)."""
    profile = profile_of(user)
    if role_of(user) != Role.CLERK or not profile.station_code:
        return None
    return Station.objects.filter(code=profile.station_code, active=True).first()


def requests_visible_to(user: AnyUser) -> QuerySet[ServiceRequest]:
    """Requests made at stations the user may see."""
    return ServiceRequest.objects.filter(station__in=stations_visible_to(user)).select_related(
        "item", "person", "station"
    )


def request_visible_to(user: AnyUser, number: str) -> ServiceRequest | None:
    """The request with this number if the user may see it, else None (the view 404s)."""
    return requests_visible_to(user).filter(number=number).first()


def complaints_visible_to(user: AnyUser) -> QuerySet[Complaint]:
    """Complaints in the manager's division (all for admins); clerks see their station's."""
    role = role_of(user)
    complaints = Complaint.objects.select_related("county", "station")
    if role == Role.ADMIN:
        return complaints
    if role == Role.MANAGER:
        return complaints.filter(county__code__startswith=profile_of(user).region_code)
    if role == Role.CLERK:
        return complaints.filter(station__in=stations_visible_to(user))
    return complaints.none()


# 门诊慢特病 a certification may name when no settlement policy lists any (Shandong's common
# ones; the policy app's ChronicDiseaseQuota codes win when present).
CHRONIC_DISEASES_FALLBACK = (
    ("I10", "高血压"),
    ("E11", "糖尿病"),
    ("I25", "冠心病"),
    ("N18", "慢性肾功能衰竭(透析)"),
    ("C00", "恶性肿瘤门诊治疗"),
    ("F20", "精神分裂症"),
)


def chronic_disease_options() -> list[tuple[str, str]]:
    """(code, name) of the diseases a certification may name, in code order."""
    try:
        from settlement.policy.models import ChronicDiseaseQuota

        listed = dict(ChronicDiseaseQuota.objects.values_list("code", "name").order_by("code"))
    except Exception:
        listed = {}
    return sorted(listed.items()) if listed else list(CHRONIC_DISEASES_FALLBACK)


def person_find(user: AnyUser, query: str) -> Person | None:
    """The person whose resident ID or person number is the query, within the user's area."""
    query = query.strip().upper()
    if not query:
        return None
    return persons_visible_to(user).filter(Q(certno=query) | Q(psn_no=query)).first()


def items_at(station: Station) -> list[ServiceItem]:
    """The active items the station may handle at its level (JSON lists: filtered here, as
    SQLite has no JSON containment)."""
    return [item for item in station.items.filter(active=True) if station.level in item.levels]


def with_days_left(requests: Iterable[ServiceRequest], *, today: date) -> list[ServiceRequest]:
    """The requests, each given `days_left` (working days to its due day; None without one)."""
    calendar = work_calendar()
    rows = list(requests)
    for request in rows:
        request.days_left = (
            calendar.left(today=today, due=request.due_date)
            if request.due_date and request.is_open
            else None
        )
        request.overdue_days = -request.days_left if request.days_left else 0
    return rows


def overdue_requests(user: AnyUser, *, today: date) -> QuerySet[ServiceRequest]:
    """Open requests past their due day, oldest due first."""
    return (
        requests_visible_to(user)
        .filter(status__in=ServiceRequest.OPEN, due_date__lt=today)
        .order_by("due_date", "created_at")
    )


def overdue_among(requests: Iterable[ServiceRequest], *, today: date) -> int:
    """How many of these requests overdue_requests would give: open, past their due day."""
    return sum(
        r.status in ServiceRequest.OPEN and r.due_date is not None and r.due_date < today
        for r in requests
    )


def open_requests(user: AnyUser) -> QuerySet[ServiceRequest]:
    """Open and returned requests, the nearest due first (those without a due day last)."""
    return (
        requests_visible_to(user)
        .filter(status__in=(*ServiceRequest.OPEN, ServiceRequest.Status.RETURNED))
        .order_by(F("due_date").asc(nulls_last=True), "created_at")
    )


def person_requests(user: AnyUser, person: Person) -> QuerySet[ServiceRequest]:
    return requests_visible_to(user).filter(person=person).order_by("-created_at")


def notifications_visible_to(user: AnyUser) -> QuerySet[Notification]:
    """The outbox: messages about requests the user may see (all of them for admins)."""
    if role_of(user) == Role.ADMIN:
        return Notification.objects.all()
    return Notification.objects.filter(request__in=requests_visible_to(user))
