"""What the flag page shows around one flag: its settlement, lines, the person's timeline
and the history of the institution and practitioner."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, QuerySet, Sum

from screening.audit.models import Case, CaseState
from screening.models import Flag
from settlement.models import FeeLine, Settlement

TIMELINE_DAYS = 30  # encounters this many days either side of the flagged one
MOST_LINES = 200


def flag_settlement(flag: Flag) -> Settlement | None:
    if not flag.setl_id:
        return None
    return (
        Settlement.objects.select_related("institution", "person").filter(pk=flag.setl_id).first()
    )


def flag_fee_lines(flag: Flag, settlement: Settlement | None) -> QuerySet[FeeLine]:
    """The settlement's fee lines (the flagged line first), or the flagged line alone."""
    if settlement is not None:
        lines = FeeLine.objects.filter(settlement=settlement)
    else:
        lines = FeeLine.objects.filter(pk=flag.feedetl_sn)
    return lines.order_by("occurred_at", "pk")[:MOST_LINES]


def person_timeline(flag: Flag) -> QuerySet[Settlement]:
    """The person's encounters at any institution around the flag's time.

    Across institutions on purpose: a stay elsewhere is what proves bed blocking."""
    if not flag.psn_no:
        return Settlement.objects.none()
    around = flag.event_time
    encounters = Settlement.objects.filter(person_id=flag.psn_no).select_related("institution")
    if around is not None:
        span = timedelta(days=TIMELINE_DAYS)
        encounters = encounters.filter(begin_time__lte=around + span, end_time__gte=around - span)
    return encounters.order_by("begin_time", "pk")[:100]


def confirmed_history(**subject: str) -> list[dict]:
    """Confirmed findings per rule for an institution (fixmedins_code=) or practitioner
    (dr_code=), with their money."""
    rows = (
        Flag.objects.filter(status=Flag.Status.CONFIRMED, **subject)
        .values("rule_code")
        .annotate(findings=Count("pk"), amount=Sum("amount_at_risk"))
        .order_by("-findings", "rule_code")
    )
    return list(rows)


def institution_cases(code: str) -> dict[str, int]:
    rows = Case.objects.filter(institution_id=code).values("state").annotate(n=Count("pk"))
    counts = {row["state"]: row["n"] for row in rows}
    return {str(CaseState(state).label): n for state, n in counts.items()}
