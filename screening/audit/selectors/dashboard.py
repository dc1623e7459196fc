"""The dashboard's tables, each scoped to the user; charts and exports read the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medins.models import Division, Institution
from medins.selectors import AnyUser
from screening.audit.models import CaseState, Outcome
from screening.audit.rulebook import rule_name
from screening.audit.selectors.cases import cases_visible_to
from screening.audit.selectors.flags import flags_visible_to, rule_confirmed_precision

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple]
    chart: str = ""  # "bars": label in column 0, value in column `value_column`
    value_column: int = 1


def _month(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m") if value else "-"


def flags_by_rule(user: AnyUser) -> Table:
    rows = (
        flags_visible_to(user)
        .values("rule_code")
        .annotate(n=Count("pk"), amount=Sum("amount_at_risk"))
        .order_by("-amount", "rule_code")
    )
    return Table(
        "flags_by_rule",
        _("Flags and amount at risk by rule"),
        (_("Rule"), _("Amount at risk (yuan)"), _("Flags")),
        [
            (f"{r['rule_code']} {rule_name(r['rule_code'])}", r["amount"] or ZERO, r["n"])
            for r in rows
        ],
        chart="bars",
    )


def _by_institution(user: AnyUser) -> list[dict]:
    return list(
        flags_visible_to(user)
        .values("fixmedins_code")
        .annotate(n=Count("pk"), amount=Sum("amount_at_risk"))
        .order_by("-amount")
    )


def flags_by_institution(user: AnyUser, *, most: int = 20) -> Table:
    rows = _by_institution(user)[:most]
    names = dict(
        Institution.objects.filter(code__in=[r["fixmedins_code"] for r in rows]).values_list(
            "code", "name"
        )
    )
    return Table(
        "flags_by_institution",
        _("Institutions with the most money at risk"),
        (_("Institution"), _("Amount at risk (yuan)"), _("Flags")),
        [
            (
                f"{r['fixmedins_code']} {names.get(r['fixmedins_code'], '')}",
                r["amount"] or ZERO,
                r["n"],
            )
            for r in rows
        ],
        chart="bars",
    )


def flags_by_division(user: AnyUser) -> Table:
    """Per county (the institution's 6-digit division)."""
    division_of = dict(Institution.objects.values_list("code", "division_code"))
    totals: dict[str, list] = {}
    for row in _by_institution(user):
        county = (division_of.get(row["fixmedins_code"]) or "")[:6]
        total = totals.setdefault(county, [ZERO, 0])
        total[0] += row["amount"] or ZERO
        total[1] += row["n"]
    names = dict(Division.objects.filter(code__in=totals).values_list("code", "name"))
    ordered = sorted(totals.items(), key=lambda item: -item[1][0])
    return Table(
        "flags_by_division",
        _("Flags and amount at risk by division"),
        (_("Division"), _("Amount at risk (yuan)"), _("Flags")),
        [(f"{code} {names.get(code, '')}", amount, n) for code, (amount, n) in ordered],
        chart="bars",
    )


def flags_by_month(user: AnyUser) -> Table:
    rows = (
        flags_visible_to(user)
        .filter(event_time__isnull=False)
        .annotate(month=TruncMonth("event_time"))
        .values("month")
        .annotate(n=Count("pk"), amount=Sum("amount_at_risk"))
        .order_by("month")
    )
    return Table(
        "flags_by_month",
        _("Flags over time"),
        (_("Month"), _("Amount at risk (yuan)"), _("Flags")),
        [(_month(r["month"]), r["amount"] or ZERO, r["n"]) for r in rows],
        chart="columns",
    )


def flags_by_rule_and_month(user: AnyUser) -> Table:
    rows = (
        flags_visible_to(user)
        .filter(event_time__isnull=False)
        .annotate(month=TruncMonth("event_time"))
        .values("month", "rule_code")
        .annotate(n=Count("pk"), amount=Sum("amount_at_risk"))
        .order_by("month", "rule_code")
    )
    return Table(
        "flags_by_rule_and_month",
        _("Flags by rule and month"),
        (_("Month"), _("Rule"), _("Amount at risk (yuan)"), _("Flags")),
        [
            (
                _month(r["month"]),
                f"{r['rule_code']} {rule_name(r['rule_code'])}",
                r["amount"] or ZERO,
                r["n"],
            )
            for r in rows
        ],
    )


def outcomes_by_institution(user: AnyUser) -> Table:
    """Recovered and fined yuan per institution and month of the decision."""
    money = Q(kind__in=[Outcome.Kind.RECOVERY, Outcome.Kind.FINE])
    rows = (
        Outcome.objects.filter(money, case__in=cases_visible_to(user))
        .annotate(month=TruncMonth("at"))
        .values("case__institution_id", "case__institution__name", "month")
        .annotate(
            recovered=Sum("amount", filter=Q(kind=Outcome.Kind.RECOVERY)),
            fined=Sum("amount", filter=Q(kind=Outcome.Kind.FINE)),
            paid=Sum("amount", filter=Q(paid_at__isnull=False)),
        )
        .order_by("month", "case__institution_id")
    )
    return Table(
        "outcomes",
        _("Recovered and fined amounts by institution and month"),
        (
            _("Month"),
            _("Institution"),
            _("Recovery ordered (yuan)"),
            _("Fines (yuan)"),
            _("Paid (yuan)"),
        ),
        [
            (
                _month(r["month"]),
                f"{r['case__institution_id'] or ''} {r['case__institution__name'] or ''}",
                r["recovered"] or ZERO,
                r["fined"] or ZERO,
                r["paid"] or ZERO,
            )
            for r in rows
        ],
    )


def case_throughput(user: AnyUser, *, at: datetime) -> Table:
    cases = cases_visible_to(user)
    opened = dict(
        cases.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    closed = dict(
        cases.filter(closed_at__isnull=False)
        .annotate(month=TruncMonth("closed_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    months = sorted(set(opened) | set(closed))
    open_now = cases.exclude(state=CaseState.CLOSED)
    overdue = open_now.filter(deadline__lt=at).count()
    rows = [(_month(m), opened.get(m, 0), closed.get(m, 0)) for m in months]
    rows.append((str(_("Open now / overdue")), open_now.count(), overdue))
    return Table("cases", _("Case throughput"), (_("Month"), _("Opened"), _("Closed")), rows)


def precision_table() -> Table:
    rows = [
        (f"{code} {rule_name(code)}", "-" if value is None else f"{value:.0%}")
        for code, value in rule_confirmed_precision().items()
    ]
    return Table(
        "precision", _("Confirmed precision per rule"), (_("Rule"), _("Confirmed precision")), rows
    )


def dashboard_tables(user: AnyUser, *, at: datetime) -> dict[str, Table]:
    tables = (
        flags_by_rule(user),
        flags_by_month(user),
        flags_by_rule_and_month(user),
        flags_by_division(user),
        flags_by_institution(user),
        outcomes_by_institution(user),
        case_throughput(user, at=at),
        precision_table(),
    )
    return {table.name: table for table in tables}
