"""Flags as auditors see them: scoped by region, and each rule's confirmed precision."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from medins.models import Institution, Role
from medins.selectors import AnyUser, institutions_visible_to, role_of
from screening.audit import roles
from screening.audit.models import Dismissal, DismissalReason
from screening.models import Flag


def rule_confirmed_precision() -> dict[str, float | None]:
    """Per rule code: confirmed / (confirmed + dismissed as false positive); None when no
    auditor has judged one of its flags that way yet.

    Dismissals for a policy exception or a data error say nothing about the rule's logic,
    so they do not count against it."""
    confirmed = dict(
        Flag.objects.filter(status=Flag.Status.CONFIRMED)
        .values("rule_code")
        .annotate(n=Count("pk"))
        .values_list("rule_code", "n")
    )
    false_positives = dict(
        Dismissal.objects.filter(
            reason=DismissalReason.FALSE_POSITIVE, flag__status=Flag.Status.DISMISSED
        )
        .values("flag__rule_code")
        .annotate(n=Count("pk"))
        .values_list("flag__rule_code", "n")
    )
    codes = set(Flag.objects.values_list("rule_code", flat=True).distinct())
    codes |= set(confirmed) | set(false_positives)
    precision: dict[str, float | None] = {}
    for code in sorted(codes):
        judged = confirmed.get(code, 0) + false_positives.get(code, 0)
        precision[code] = confirmed.get(code, 0) / judged if judged else None
    return precision


def rule_precision_of(rule_code: str) -> float | None:
    """One rule's confirmed precision (as rule_confirmed_precision), read by its index."""
    confirmed = Flag.objects.filter(rule_code=rule_code, status=Flag.Status.CONFIRMED).count()
    false_positives = Dismissal.objects.filter(
        reason=DismissalReason.FALSE_POSITIVE,
        flag__rule_code=rule_code,
        flag__status=Flag.Status.DISMISSED,
    ).count()
    judged = confirmed + false_positives
    return confirmed / judged if judged else None


def flags_visible_to(user: AnyUser) -> QuerySet[Flag]:
    """Flags at institutions in the user's region (all for admins); none for other roles."""
    if not roles.is_audit_user(user):
        return Flag.objects.none()
    if role_of(user) == Role.ADMIN:
        return Flag.objects.all()
    # The codes, not a subquery: PostgreSQL then estimates the share of flags in scope and
    # walks the flag_queue index in score order (measured: benchmarks/queue_bench.py). One
    # array of them (medins.lookups), not a placeholder each: 5.4 -> 4.1 ms for the queue's
    # page of a region of 73 institutions.
    codes = list(institutions_visible_to(user).values_list("code", flat=True))
    return Flag.objects.filter(fixmedins_code__any=codes)


def flag_visible_to(user: AnyUser, flag_id: str) -> Flag | None:
    """The flag if the user may see it, else None (the view answers 404)."""
    return flags_visible_to(user).filter(pk=flag_id).first()


def flags_for_institution(institution: Institution) -> QuerySet[Flag]:
    """The institution's own flags, highest triage score first (for the hospital API)."""
    return Flag.objects.filter(fixmedins_code=institution.pk).order_by("-triage_score", "pk")


def flag_counts_by_status(flags: QuerySet[Flag]) -> dict[str, int]:
    rows = flags.values("status").annotate(n=Count("pk")).values_list("status", "n")
    return dict(rows)
