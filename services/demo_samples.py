"""Sample activity for the demo: a second clerk, a fortnight of requests, two complaints."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from medins.models import Division, Person, Role, UserProfile
from services.models import Complaint, Station


def second_clerk_ensure() -> User | None:
    """A second clerk at the demo clerk's station: 零星报销's second review needs another."""
    from medins.management.commands.create_demo_users import DEMO_PASSWORD

    profile = UserProfile.objects.filter(user__username="clerk", role=Role.CLERK).first()
    if profile is None:
        return None
    user, created = User.objects.get_or_create(
        username="clerk2", defaults={"first_name": "历下复审员"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    UserProfile.objects.update_or_create(
        user=user,
        defaults={
            "role": Role.CLERK,
            "region_code": profile.region_code,
            "station_code": profile.station_code,
        },
    )
    return user


def sample_requests_make() -> int:
    """A fortnight of requests at the demo clerk's station, for its dashboard; once only."""
    from services.actions.window import request_accept, request_rate, request_return, request_start

    clerk = User.objects.filter(username="clerk", profile__role=Role.CLERK).first()
    station = Station.objects.filter(
        code=getattr(getattr(clerk, "profile", None), "station_code", "")
    ).first()
    if clerk is None or station is None or station.requests.exists():
        return 0
    persons = list(
        Person.objects.filter(division_code__startswith=station.county_id).order_by("psn_no")[:12]
    )
    items = {item.code: item for item in station.items.all()}
    now = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    made = 0
    for index, person in enumerate(persons):
        when = now - timedelta(days=14 - index)
        returned = index % 5 == 4  # every fifth lacks a material (SD-YB-005 asks for three)
        code = (
            "SD-YB-005"
            if returned
            else ("SD-YB-001", "SD-YB-004", "SD-YB-005", "SD-YB-006")[index % 4]
        )
        if code not in items:
            continue
        item = items[code]
        request = request_start(
            user=clerk,
            person=person,
            item=item,
            channel="window",
            at=when,
            phone=f"1380000{index:04d}",
        )
        if returned:
            request_return(
                user=clerk,
                request=request,
                materials=item.materials[:1],
                missing=item.materials[1:],
                note="",
                at=when + timedelta(minutes=8),
            )
        else:
            done = request_accept(
                user=clerk,
                request=request,
                materials=item.materials,
                at=when + timedelta(minutes=6),
            )
            if not done.is_open:
                request_rate(
                    request=done, rating=5 - index % 3, comment="", at=when + timedelta(minutes=9)
                )
        made += 1
    return made


def sample_complaints_make() -> int:
    from services.actions.complaints import complaint_record, complaint_step

    manager = User.objects.filter(username="manager", profile__role=Role.MANAGER).first()
    county = Division.objects.filter(code="370102").first()
    if manager is None or county is None or Complaint.objects.exists():
        return 0
    received = timezone.now() - timedelta(days=6)
    done = complaint_record(
        user=manager,
        county=county,
        complainant_name="周先生",
        complainant_phone="13900001111",
        content="服务站中午不开门",
        at=received,
    )
    for step, note, days in (
        ("instruct", "请服务站核实开放时间", 0),
        ("contact", "已电话说明", 1),
        ("resolve", "已调整为午间轮岗", 2),
    ):
        complaint_step(
            user=manager,
            complaint=done,
            step=step,
            note=note,
            at=received + timedelta(days=days, hours=1),
        )
    complaint_record(
        user=manager,
        county=county,
        complainant_name="吴女士",
        complainant_phone="13900002222",
        content="零星报销材料要求不一致",
        at=timezone.now() - timedelta(days=4),
    )
    return 2
