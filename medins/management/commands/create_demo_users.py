"""python manage.py create_demo_users: one login per role, for the demo only.

The password is fixed and printed: never run this against a database with real data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from medins.models import Institution, Role, UserProfile

DEMO_PASSWORD = "medins-demo"  # demo only: printed on the console and in the README


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    region_code: str = ""
    station_code: str = ""
    full_name: str = ""


DEMO_USERS = (
    DemoUser("admin", Role.ADMIN, full_name="系统管理员"),
    DemoUser("auditor", Role.AUDITOR, region_code="3701", full_name="济南稽核员"),
    DemoUser("supervisor", Role.SUPERVISOR, region_code="3701", full_name="济南稽核科长"),
    DemoUser(
        "clerk", Role.CLERK, region_code="370102", station_code="370102001", full_name="历下经办员"
    ),
    DemoUser("manager", Role.MANAGER, region_code="3701", full_name="济南协议管理员"),
    DemoUser("hospital", Role.HOSPITAL_CLIENT, full_name="医院接口用户"),
)


@transaction.atomic
def demo_users_ensure(*, password: str) -> list[tuple[DemoUser, Institution | None]]:
    """Create or refresh every demo user and profile; running it twice changes nothing more."""
    hospital = Institution.objects.filter(kind=Institution.Kind.MEDICAL).order_by("code").first()
    ensured = []
    for demo in DEMO_USERS:
        institution = hospital if demo.role == Role.HOSPITAL_CLIENT else None
        if demo.role == Role.HOSPITAL_CLIENT and institution is None:
            continue  # no hospital in the registry yet: the caller says so
        user, _created = User.objects.get_or_create(username=demo.username)
        user.first_name = demo.full_name
        user.is_staff = user.is_superuser = demo.role == Role.ADMIN
        user.is_active = True
        user.set_password(password)
        user.save()
        UserProfile.objects.update_or_create(
            user=user,
            defaults={
                "role": demo.role,
                "region_code": demo.region_code,
                "station_code": demo.station_code,
                "institution": institution,
            },
        )
        ensured.append((demo, institution))
    return ensured


class Command(BaseCommand):
    help = "Create (or refresh) one demo login per role, with a fixed demo-only password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=DEMO_PASSWORD, help="demo password for all")

    def handle(self, *args: object, **options: object) -> None:
        password = str(options["password"])
        ensured = demo_users_ensure(password=password)
        self.stdout.write("Demo logins (DEMO ONLY, never on real data):")
        for demo, institution in ensured:
            scope = demo.region_code or demo.station_code
            if institution is not None:
                scope = f"{institution.code} {institution.name}"
            self.stdout.write(f"  {demo.username:<11} {demo.role:<10} {scope or '*'}")
        self.stdout.write(self.style.WARNING(f"  password for every demo login: {password}"))
        if len(ensured) < len(DEMO_USERS):
            self.stderr.write(
                "No hospital in the registry yet, so no 'hospital' login: import a batch "
                "with institutions.csv, then run create_demo_users again."
            )
