"""The triage queue: scoped, filtered, highest expected recovery first, keyset-friendly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from medins.models import HOSPITAL_LEVEL_BY_CODE, Institution, Person
from medins.selectors import AnyUser
from screening.audit.selectors.flags import flags_visible_to
from screening.models import Flag

PAGE_SIZE = 50
QUEUE = "queue"  # the status filter meaning "open or assigned": what still needs a look


@dataclass(frozen=True)
class QueueFilters:
    status: str = Flag.Status.OPEN
    rule: str = ""
    sev_deg: int | None = None
    division: str = ""
    institution: str = ""
    level: int | None = None
    practitioner: str = ""
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    q: str = ""
    mine: bool = False


def _search(q: str) -> Q:
    """psn_no, setl_id or a resident ID number (the person's psn_no is looked up)."""
    q = q.strip()
    if len(q) == 18:
        person = Person.objects.filter(certno=q.upper()).values_list("psn_no", flat=True).first()
        if person:
            return Q(psn_no=person)
    return Q(psn_no=q) | Q(setl_id=q)


def flag_queue(user: AnyUser, filters: QueueFilters) -> QuerySet[Flag]:
    """The user's flags through the filters, ordered by triage score (ties: settlement, id).

    The default (status open, no other filter) walks the flag_queue index in order."""
    flags = flags_visible_to(user)
    if filters.status == QUEUE:
        flags = flags.filter(status__in=[Flag.Status.OPEN, Flag.Status.ASSIGNED])
    elif filters.status:
        flags = flags.filter(status=filters.status)
    exact = {
        "rule_code": filters.rule,
        "sev_deg": filters.sev_deg,
        "fixmedins_code": filters.institution,
        "dr_code": filters.practitioner,
        "event_time__date__gte": filters.date_from,
        "event_time__date__lte": filters.date_to,
        "amount_at_risk__gte": filters.amount_min,
        "amount_at_risk__lte": filters.amount_max,
    }
    flags = flags.filter(**{key: value for key, value in exact.items() if value not in ("", None)})
    institutions = Institution.objects.all()
    narrowed = False
    if filters.division:
        institutions, narrowed = (
            institutions.filter(division_code__startswith=filters.division),
            True,
        )
    if filters.level:
        grades = [code for code, level in HOSPITAL_LEVEL_BY_CODE.items() if level == filters.level]
        institutions, narrowed = institutions.filter(hospital_grade__in=grades), True
    if narrowed:
        flags = flags.filter(fixmedins_code__in=institutions.values("code"))
    if filters.mine:
        flags = flags.filter(assignment__assignee=user)
    if filters.q.strip():
        flags = flags.filter(_search(filters.q))
    return flags.order_by("-triage_score", "setl_id", "flag_id")


def queue_page(flags: QuerySet[Flag], *, page: int) -> tuple[list[Flag], bool]:
    """One page and whether another follows; no COUNT over a million rows."""
    start = (max(page, 1) - 1) * PAGE_SIZE
    rows = list(flags[start : start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
