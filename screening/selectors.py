"""Reads of the screening back office: who may run screenings, the runs and their parts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from medins.models import Role
from medins.selectors import profile_of, role_of
from screening.models import ScreeningRun

RUN_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
LIVE = (ScreeningRun.Status.PENDING, ScreeningRun.Status.RUNNING, ScreeningRun.Status.FINISHING)


def may_run_screenings(*, user: Any) -> bool:
    """Administrators (the whole province) and supervisors (their region) start runs."""
    return role_of(user) in RUN_ROLES


def run_region(*, user: Any) -> str:
    """The division prefix a user's runs are confined to; "" for the whole province."""
    if role_of(user) == Role.ADMIN:
        return ""
    profile = profile_of(user)
    return profile.region_code if profile is not None else ""


def runs_recent(*, limit: int = 50) -> QuerySet[ScreeningRun]:
    return ScreeningRun.objects.select_related("started_by").order_by("-created_at", "-pk")[:limit]


def runs_live(*, runs: list[ScreeningRun]) -> bool:
    """Whether any of these runs is still moving (the page keeps polling while one is)."""
    return any(run.status in LIVE for run in runs)


def run_detail(*, run_id: int) -> ScreeningRun | None:
    return (
        ScreeningRun.objects.select_related("started_by")
        .prefetch_related("partitions")
        .filter(pk=run_id)
        .first()
    )
