"""Reads of the registry, scoped to what the asking user may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language

from medins.models import (
    ANNUAL_POINTS,
    Designation,
    Division,
    Institution,
    Person,
    PointDeduction,
    Practitioner,
    Role,
    UserProfile,
)
from settlement.models import FeeLine, ImportBatch, Settlement

# --- Designation periods and practitioners' points (registry reads). ---


def designation_on(*, institution: Institution, day: date) -> Designation | None:
    """The period covering the day ([effective_from, effective_to)), or None."""
    return (
        Designation.objects.filter(institution=institution, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day))
        .first()
    )


def designation_status_on(*, institution: Institution, day: date) -> str:
    """The institution's designation status on the day; "active" when no period covers it."""
    period = designation_on(institution=institution, day=day)
    return period.status if period is not None else Designation.Status.ACTIVE.value


DESIGNATION_CACHED_FOR = 60  # seconds; designation_set forgets the copies at once


def designation_cache_key(*, institution_id: int, day: date) -> str:
    return f"designation:{institution_id}:{day.isoformat()}"


def designation_status_cached(*, institution: Institution, day: date) -> str:
    """designation_status_on, kept in the shared cache (every API write asks it)."""
    from medins.cache import remembered

    return remembered(
        designation_cache_key(institution_id=institution.pk, day=day),
        lambda: designation_status_on(institution=institution, day=day),
        DESIGNATION_CACHED_FOR,
    )


def practitioner_points_deducted(*, practitioner: Practitioner, year: int) -> int:
    """All points deducted in the year, even beyond the annual score."""
    deducted = PointDeduction.objects.filter(practitioner=practitioner, year=year).aggregate(
        total=Sum("points")
    )["total"]
    return deducted or 0


def practitioner_points_remaining(*, practitioner: Practitioner, year: int) -> int:
    """12 minus the year's deductions, never below 0."""
    deducted = practitioner_points_deducted(practitioner=practitioner, year=year)
    return max(0, ANNUAL_POINTS - deducted)


def practitioner_is_suspended(*, practitioner: Practitioner, year: int) -> bool:
    """Whether the practitioner has no points left in the year (suspended from billing)."""
    return practitioner_points_remaining(practitioner=practitioner, year=year) == 0


# --- User scoping (back office). Every read of something a user names goes through these. ---

# Roles whose view is a region: UserProfile.region_code is a prefix of division codes.
REGION_ROLES = (Role.AUDITOR, Role.SUPERVISOR, Role.CLERK, Role.MANAGER)
# Roles that may see a person's unmasked ID number and name (hospital clients never may).
REVEAL_ROLES = (Role.ADMIN, Role.AUDITOR, Role.SUPERVISOR, Role.CLERK)

AnyUser = AbstractBaseUser | AnonymousUser


def profile_of(user: AnyUser) -> UserProfile | None:
    """The user's profile, or None for anonymous users and users without one."""
    if not user.is_authenticated:
        return None
    try:
        return user.profile
    except UserProfile.DoesNotExist:
        return None


def role_of(user: AnyUser) -> str | None:
    """The user's Role value; a superuser without a profile counts as an administrator."""
    profile = profile_of(user)
    if profile is not None:
        return profile.role
    if user.is_authenticated and user.is_superuser:
        return Role.ADMIN
    return None


def _scope(user: AnyUser, *, division_field: str, institution_field: str) -> Q | None:
    """The filter for the user's view; None means everything, Q(pk__in=[]) nothing."""
    role = role_of(user)
    if role == Role.ADMIN:
        return None
    profile = profile_of(user)
    if role in REGION_ROLES:
        return Q(**{f"{division_field}__startswith": profile.region_code})
    if role == Role.HOSPITAL_CLIENT and profile.institution_id:
        return Q(**{institution_field: profile.institution_id})
    return Q(pk__in=[])


def _scoped(queryset: QuerySet, scope: Q | None) -> QuerySet:
    return queryset if scope is None else queryset.filter(scope)


def institutions_visible_to(user: AnyUser) -> QuerySet[Institution]:
    """Institutions in the user's region, the hospital client's own, or all for admins."""
    scope = _scope(user, division_field="division_code", institution_field="code")
    return _scoped(Institution.objects.all(), scope)


def settlements_visible_to(user: AnyUser) -> QuerySet[Settlement]:
    """Settlements made at institutions the user may see."""
    scope = _scope(
        user, division_field="institution__division_code", institution_field="institution_id"
    )
    return _scoped(Settlement.objects.select_related("person", "institution"), scope)


def fee_lines_visible_to(user: AnyUser) -> QuerySet[FeeLine]:
    """Fee lines charged at institutions the user may see."""
    scope = _scope(
        user, division_field="institution__division_code", institution_field="institution_id"
    )
    return _scoped(FeeLine.objects.all(), scope)


def persons_visible_to(user: AnyUser) -> QuerySet[Person]:
    """Persons insured in the user's region; for a hospital client, its own patients."""
    role = role_of(user)
    if role == Role.HOSPITAL_CLIENT:
        patients = settlements_visible_to(user).values("person_id")
        return Person.objects.filter(psn_no__in=patients)
    scope = _scope(user, division_field="division_code", institution_field="pk")
    return _scoped(Person.objects.all(), scope)


def import_batches_visible_to(user: AnyUser) -> QuerySet[ImportBatch]:
    """Batches an institution submitted, by the user's view; province extracts only for admins."""
    scope = _scope(
        user, division_field="institution__division_code", institution_field="institution_id"
    )
    return _scoped(ImportBatch.objects.select_related("institution"), scope)


def person_visible_to(user: AnyUser, psn_no: str) -> Person | None:
    """The person with this number if the user may see them, else None (the view 404s)."""
    return persons_visible_to(user).filter(psn_no=psn_no).first()


def may_reveal(user: AnyUser) -> bool:
    """Whether the user's role may see unmasked personal data at all."""
    return role_of(user) in REVEAL_ROLES


FIGURES_CACHED_FOR = 60  # seconds: home and dashboard figures, shown with their time


def scope_key(user: AnyUser) -> str:
    """What decides everything a user may see: two users with one key see the same rows."""
    role = role_of(user)
    profile = profile_of(user)
    if role in REGION_ROLES:
        return f"{role}:{profile.region_code}"
    if role == Role.HOSPITAL_CLIENT:
        return f"{role}:{profile.institution_id or ''}"
    return str(role)


def figures_for(user: AnyUser, name: str, compute: Callable[[], Any]) -> tuple[Any, datetime]:
    """compute()'s value for the user's scope and language, and when it was computed: counted
    once a FIGURES_CACHED_FOR per scope in the shared cache, not on every page view."""
    from medins.cache import remembered

    def computed() -> tuple[Any, datetime]:
        return compute(), timezone.now()

    key = f"figures:{name}:{scope_key(user)}:{get_language()}"
    return remembered(key, computed, FIGURES_CACHED_FOR)


def home_counts(user: AnyUser) -> dict[str, int]:
    """The figures a role's home page shows, each counted within the user's view."""
    from screening.models import Flag  # the screening app builds on the registry, not back

    role = role_of(user)
    institutions = institutions_visible_to(user)
    counts = {
        "institutions": institutions.count(),
        "settlements": settlements_visible_to(user).count(),
        "fee_lines": fee_lines_visible_to(user).count(),
        "import_batches": import_batches_visible_to(user).count(),
    }
    if role != Role.HOSPITAL_CLIENT:
        counts["persons"] = persons_visible_to(user).count()
        counts["pharmacies"] = institutions.filter(kind=Institution.Kind.PHARMACY).count()
        open_flags = Flag.objects.filter(status=Flag.Status.OPEN)
        if role != Role.ADMIN:
            open_flags = open_flags.filter(fixmedins_code__in=institutions.values("code"))
        counts["open_flags"] = open_flags.count()
    return counts


def division_name(region_code: str) -> str:
    """The name of the division a region prefix stands for ("3701" → 济南市), or ""."""
    if not region_code:
        return ""
    code = region_code.ljust(6, "0") if len(region_code) < 6 else region_code
    return Division.objects.filter(code=code).values_list("name", flat=True).first() or ""
