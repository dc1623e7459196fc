"""Writes to the registry: designation periods of institutions and practitioners' points."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.cache import forget
from medins.models import ANNUAL_POINTS, Designation, Institution, PointDeduction, Practitioner
from medins.selectors import designation_cache_key

SHANGHAI = ZoneInfo("Asia/Shanghai")


class RegistryError(ValueError):
    """A refused registry change; the message says what is wrong and can be shown as it is."""


def designation_check(*, status: str, effective_from: date, effective_to: date | None) -> None:
    """Raise RegistryError unless the status is known and the period is ordered."""
    if status not in Designation.Status.values:
        raise RegistryError(
            _("Unknown designation status %(status)s; expected one of %(allowed)s.")
            % {"status": status, "allowed": ", ".join(Designation.Status.values)}
        )
    if effective_to is not None and effective_to <= effective_from:
        raise RegistryError(
            _("The period must end after it starts: %(start)s to %(end)s (the end is exclusive).")
            % {"start": effective_from, "end": effective_to}
        )


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise RegistryError(_("The time %(at)s has no time zone.") % {"at": at})
    return at


# Not durable: the admin calls this inside its own transaction (ModelAdmin.changeform_view).
@transaction.atomic
def designation_set(
    *,
    institution: Institution,
    status: str,
    effective_from: date,
    effective_to: date | None = None,
    reason: str,
    at: datetime,
) -> Designation:
    """Record a designation period; overlapping periods are trimmed or split so none overlap.

    Periods are [effective_from, effective_to); an open end means "until further notice".
    A period entirely inside the new one is replaced by it.
    """
    designation_check(status=status, effective_from=effective_from, effective_to=effective_to)
    _aware(at)
    # Lock the institution so two changes of one institution's periods cannot interleave.
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    overlapping = Designation.objects.filter(institution=institution).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=effective_from)
    )
    if effective_to is not None:
        overlapping = overlapping.filter(effective_from__lt=effective_to)
    for period in overlapping.order_by("effective_from"):
        _make_room(period, effective_from=effective_from, effective_to=effective_to)
    created = Designation.objects.create(
        institution=institution,
        status=status,
        effective_from=effective_from,
        effective_to=effective_to,
        reason=reason,
    )
    # recorded_at is auto_now_add; the caller's clock is the one to keep.
    Designation.objects.filter(pk=created.pk).update(recorded_at=at)
    created.recorded_at = at
    _forget_designation(institution)
    return created


def _forget_designation(institution: Institution) -> None:
    """The API's copies of today's status (and of the days either side, around midnight)."""
    today = timezone.localdate()
    forget(
        *(
            designation_cache_key(institution_id=institution.pk, day=today + timedelta(days=d))
            for d in (-1, 0, 1)
        )
    )


def _make_room(period: Designation, *, effective_from: date, effective_to: date | None) -> None:
    """Shrink, split or remove an existing period so that [from, to) is free."""
    starts_before = period.effective_from < effective_from
    ends_after = effective_to is not None and (
        period.effective_to is None or period.effective_to > effective_to
    )
    if starts_before and ends_after:  # the new period sits inside: keep both ends
        Designation.objects.create(
            institution_id=period.institution_id,
            status=period.status,
            effective_from=effective_to,
            effective_to=period.effective_to,
            reason=period.reason,
        )
    if starts_before:
        period.effective_to = effective_from
        period.save(update_fields=["effective_to"])
    elif ends_after:
        period.effective_from = effective_to
        period.save(update_fields=["effective_from"])
    else:
        period.delete()


@transaction.atomic
def points_deduct(
    *, practitioner: Practitioner, points: int, reason: str, at: datetime
) -> PointDeduction:
    """Deduct points from the practitioner's score for the year of `at` (Shanghai time).

    Deductions beyond the 12 points are still recorded (the ledger keeps every decision);
    the remaining score never goes below zero.
    """
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= ANNUAL_POINTS:
        raise RegistryError(
            _("Points to deduct must be a whole number from 1 to %(most)s, not %(points)s.")
            % {"most": ANNUAL_POINTS, "points": points}
        )
    if not reason.strip():
        raise RegistryError(_("A point deduction needs a reason."))
    year = _aware(at).astimezone(SHANGHAI).year
    return PointDeduction.objects.create(
        practitioner=practitioner, year=year, points=points, reason=reason.strip(), deducted_at=at
    )
