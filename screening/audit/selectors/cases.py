"""Cases and bed-check tasks, scoped by the division of the case's subject."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, QuerySet

from medins.models import Institution, Role
from medins.selectors import AnyUser, profile_of, role_of
from screening.audit.models import BedCheckTask, Case, CaseState


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    """Cases in the user's region; all for admins; a hospital client sees its own."""
    cases = Case.objects.select_related("institution", "assignee")
    role = role_of(user)
    if role == Role.ADMIN:
        return cases
    profile = profile_of(user)
    if role in (Role.AUDITOR, Role.SUPERVISOR):
        return cases.filter(division_code__startswith=profile.region_code)
    if role == Role.HOSPITAL_CLIENT and profile.institution_id:
        return cases.filter(institution_id=profile.institution_id)
    return cases.none()


def case_visible_to(user: AnyUser, case_id: int) -> Case | None:
    return cases_visible_to(user).filter(pk=case_id).first()


def overdue_cases(user: AnyUser, *, at: datetime) -> QuerySet[Case]:
    """Open cases whose current state's deadline has passed."""
    return cases_visible_to(user).filter(deadline__lt=at).exclude(state=CaseState.CLOSED)


def bed_check_tasks_visible_to(user: AnyUser) -> QuerySet[BedCheckTask]:
    tasks = BedCheckTask.objects.select_related("settlement", "settlement__institution", "case")
    role = role_of(user)
    if role == Role.ADMIN:
        return tasks
    profile = profile_of(user)
    if role in (Role.AUDITOR, Role.SUPERVISOR):
        return tasks.filter(settlement__institution__division_code__startswith=profile.region_code)
    if role == Role.HOSPITAL_CLIENT and profile.institution_id:
        return tasks.filter(settlement__institution_id=profile.institution_id)
    return tasks.none()


def bed_check_tasks_for_institution(institution: Institution) -> QuerySet[BedCheckTask]:
    """The institution's bed-check tasks, the ones still waiting for a result first."""
    return (
        BedCheckTask.objects.filter(settlement__institution=institution)
        .select_related("settlement")
        .order_by(F("recorded_at").asc(nulls_first=True), "due_at", "pk")
    )
