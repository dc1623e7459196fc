"""Reads of the services app: entitlements other apps rely on, and scoped back-office reads.

`chronic_certifications_in_force` and `cross_region_filing_in_force` are the interface the
settlement policy engine uses (its Claim's certified_diseases and filed fields).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from medins.models import Role
from medins.selectors import AnyUser, profile_of, role_of
from services.models import (
    ChronicCertification,
    Complaint,
    CrossRegionFiling,
    ServiceRequest,
    Station,
)


def _in_force(day: date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def chronic_certifications_in_force(*, psn_no: str, day: date) -> frozenset[str]:
    """Disease codes of the person's 门诊慢特病 certifications valid on the day."""
    codes = ChronicCertification.objects.filter(_in_force(day), person_id=psn_no).values_list(
        "disease_code", flat=True
    )
    return frozenset(codes)


def cross_region_filing_in_force(*, psn_no: str, day: date) -> bool:
    """Whether the person has a 异地就医备案 valid on the day."""
    return CrossRegionFiling.objects.filter(_in_force(day), person_id=psn_no).exists()


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
        return stations.filter(county_id__startswith=profile.region_code)
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
        return complaints.filter(county_id__startswith=profile_of(user).region_code)
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
