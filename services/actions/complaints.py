"""投诉 under the three-day rule: instruction on day one, contact by day two, resolution by
day three (working days, day one being the first working day from receipt)."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medins.models import Division, Role
from medins.selectors import profile_of, role_of
from services.actions import ServiceError
from services.calendar import WorkCalendar, work_calendar
from services.models import Complaint, ComplaintEvent, Station

# Each step, the field it fills, its time stamp and due field, and the step before it.
STEPS = {
    "instruct": ("instruction", "instructed_at", "instruction_due", None),
    "contact": ("contact_note", "contacted_at", "contact_due", "instructed_at"),
    "resolve": ("resolution", "resolved_at", "resolution_due", "contacted_at"),
}


def complaint_due_days(*, received: date, calendar: WorkCalendar) -> dict[str, date]:
    """Day one is the first working day from receipt; contact by day two, resolution by three."""
    day_one = calendar.first_working_day(received)
    return {
        "day_one": day_one,
        "instruction_due": day_one,
        "contact_due": calendar.add(day_one, 1),
        "resolution_due": calendar.add(day_one, 2),
    }


def _may_handle(user: AbstractBaseUser, county_code: str) -> None:
    role = role_of(user)
    if role == Role.ADMIN:
        return
    if role == Role.MANAGER and county_code.startswith(profile_of(user).region_code):
        return
    raise ServiceError(_("Only the division's service managers handle its complaints."))


@transaction.atomic(durable=True)
def complaint_record(
    *,
    user: AbstractBaseUser,
    county: Division,
    complainant_name: str,
    complainant_phone: str,
    content: str,
    at: datetime,
    station: Station | None = None,
) -> Complaint:
    """A hotline complaint with its three due days."""
    _may_handle(user, county.code)
    if not content.strip() or not complainant_name.strip():
        raise ServiceError(_("A complaint needs the complainant's name and what they complain of."))
    if station is not None and station.county_id != county.code:
        raise ServiceError(_("The station is not in the chosen county."))
    received = timezone.localtime(at).date()
    prefix = f"TS{received:%Y%m%d}-"
    count = Complaint.objects.filter(number__startswith=prefix).count()
    return Complaint.objects.create(
        number=f"{prefix}{count + 1:04d}",
        county=county,
        station=station,
        complainant_name=complainant_name.strip()[:50],
        complainant_phone=complainant_phone.strip()[:20],
        content=content.strip(),
        received_at=at,
        recorded_by=user,
        **complaint_due_days(received=received, calendar=work_calendar()),
    )


@transaction.atomic(durable=True)
def complaint_step(
    *, user: AbstractBaseUser, complaint: Complaint, step: str, note: str, at: datetime
) -> Complaint:
    """Record instruction, contact or resolution, in that order; a late step is marked late."""
    if step not in STEPS:
        raise ServiceError(_("Unknown complaint step."))
    _may_handle(user, complaint.county_id)
    field, stamp, due, before = STEPS[step]
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if getattr(locked, stamp) is not None:
        raise ServiceError(_("This step is already recorded."))
    if before and getattr(locked, before) is None:
        raise ServiceError(_("Record the previous step first."))
    if not note.strip():
        raise ServiceError(_("Write what was done."))
    setattr(locked, field, note.strip()[:1000])
    setattr(locked, stamp, at)
    locked.save()
    late = timezone.localtime(at).date() > getattr(locked, due)
    ComplaintEvent.objects.create(
        complaint=locked, step=step, note=note.strip()[:1000], user=user, at=at, late=late
    )
    return locked


def complaint_alerts(complaint: Complaint, *, today: date) -> list[str]:
    """The steps past their due day and still not done (what the list highlights)."""
    alerts = []
    for step, (_field, stamp, due, _before) in STEPS.items():
        if getattr(complaint, stamp) is None and today > getattr(complaint, due):
            alerts.append(step)
    return alerts


def complaint_alerts_send(*, today: date, at: datetime) -> int:
    """Text the county's hall (or SERVICES_COMPLAINT_ALERT_PHONE) once per overdue step."""
    from django.conf import settings

    from services.actions.notify import notification_queue

    sent = 0
    for complaint in Complaint.objects.filter(resolved_at__isnull=True, day_one__lt=today):
        fresh = [
            s for s in complaint_alerts(complaint, today=today) if s not in complaint.alerted_steps
        ]
        if not fresh:
            continue
        steps = "、".join(STEP_NAMES[step] for step in fresh)
        hall = Station.objects.filter(county=complaint.county_id, level="hall").first()
        phone = getattr(settings, "SERVICES_COMPLAINT_ALERT_PHONE", "") or (
            hall.contact_phone if hall else ""
        )
        with transaction.atomic():
            notification_queue(
                phone=phone,
                text=f"投诉{complaint.number}超期未{steps},请督办。",
                at=at,
            )
            Complaint.objects.filter(pk=complaint.pk).update(
                alerted_steps=[*complaint.alerted_steps, *fresh]
            )
        sent += 1
    return sent


STEP_NAMES = {"instruct": "批示", "contact": "联系投诉人", "resolve": "办结"}
