"""Who may open what: every URL pattern of the project, as every role, against one table.

A pattern without an entry in MATRIX fails the test, so a new view must say who may use it.
Objects named in URLs belong to Jinan / Lixia / 齐鲁医院 (the "own" side of the cast); the
"other" roles (Qingdao auditor, another station's clerk, 青岛市立医院's system) must not see
them. Outcomes:
  ok      the request passed the permission checks (2xx, a redirect that is not the log-in
          page, or a 400/409/422 about the request's content);
  denied  401, 403, or a redirect to a log-in page;
  hidden  404: the object is outside the role's scope (or, for a made-up id, does not exist).
Hospital clients call api/ with their institution's Bearer key and use the other pages with
their back-office login. `MEDINS_MATRIX_PRINT=1` prints what every role gets, to review a
change of the table.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from medins.models import Role
from screening.audit.models import Case
from screening.models import Flag, ScreeningRun
from tests.factories import (
    InstitutionFactory,
    PersonFactory,
    SettlementFactory,
    make_user,
    shanghai,
)

ROLES = (
    "anonymous",
    "other_auditor",
    "auditor",
    "supervisor",
    "other_clerk",
    "clerk",
    "other_hospital",
    "hospital",
    "admin",
)
OK, DENIED, HIDDEN = "ok", "denied", "hidden"
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
PSN_NO = "37010200000009001"
SETL_ID = "S9000000001"
MISSING = "999999"  # ids of objects that do not exist
FLAG_ID = "OVER_PRICE:S9000000001:F9000000001"
CASE_ID = "4242"
RUN_ID = "4343"


@dataclass(frozen=True)
class Entry:
    """How to call a pattern, and the outcome per role (`rest` for roles not listed)."""

    method: str = "GET"
    kwargs: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    rest: str = DENIED

    def expected(self, role: str) -> str:
        return self.outcomes.get(role, self.rest)


def only(*roles: str, hidden: tuple[str, ...] = (), **kw: object) -> Entry:
    """Allowed for `roles`, 404 for `hidden`, denied for the rest."""
    outcomes = dict.fromkeys(roles, OK) | dict.fromkeys(hidden, HIDDEN)
    return Entry(outcomes=outcomes, **kw)


def everyone(*, but: dict[str, str] | None = None, **kw: object) -> Entry:
    return Entry(outcomes=dict(but or {}), rest=OK, **kw)


BACK_OFFICE = ("other_auditor", "auditor", "supervisor", "other_clerk", "clerk", "admin")
SIGNED_IN = (*BACK_OFFICE, "other_hospital", "hospital")
AUDIT = ("other_auditor", "auditor", "supervisor", "admin")
HOSPITALS = ("other_hospital", "hospital")


def network_staff(**kw: object) -> Entry:
    """The service network's back office: any station's clerk and the admin; 404 for others."""
    hidden = ("other_auditor", "auditor", "supervisor", *HOSPITALS)
    return only("other_clerk", "clerk", "admin", hidden=hidden, **kw)


def own_station(**kw: object) -> Entry:
    """A person's or grant's page at the clerk's own station: that clerk and the admin; 404 for
    everyone else, the other station's clerk included."""
    hidden = ("other_auditor", "auditor", "supervisor", "other_clerk", *HOSPITALS)
    return only("clerk", "admin", hidden=hidden, **kw)


# Filled from the observed behaviour at the time of the commit and reviewed role by role.
MATRIX: dict[str, Entry] = {
    "admin": only("admin"),
    "api-batch": only(hidden=HOSPITALS),
    "api-batch-report": only(hidden=HOSPITALS),
    "api-batches": only(*HOSPITALS),
    "api-bed-check": only(*HOSPITALS),
    "api-bed-checks": only(*HOSPITALS),
    "api-case": only("hospital", hidden=("other_hospital",)),
    "api-case-appeal": only(*HOSPITALS),
    "api-cases": only(*HOSPITALS),
    "api-docs": everyone(),
    "api-flags": only(*HOSPITALS),
    "api-not-found": Entry(rest=HIDDEN),
    "api-precheck": only(hidden=HOSPITALS),
    "api-precheck-feedback": only(*HOSPITALS),
    "api-prechecks": only(*HOSPITALS),
    "api-schema": everyone(),
    "api-settlement": only("hospital", hidden=("other_hospital",)),
    "api-settlement-reverse": only(*HOSPITALS),
    "api-settlements": only(*HOSPITALS),
    "audit:attachment": only(hidden=AUDIT),
    "audit:bed-check": only(hidden=AUDIT),
    "audit:bed-check-issue": only(*AUDIT, method="POST"),
    "audit:bed-checks": only(*AUDIT),
    "audit:case": only("auditor", "supervisor", "admin", hidden=("other_auditor",)),
    "audit:case-act": only(hidden=AUDIT, method="POST"),
    "audit:case-export": only(*AUDIT),
    "audit:cases": only(*AUDIT),
    "audit:dashboard": only(*AUDIT),
    "audit:export": only(hidden=AUDIT),
    "audit:flag": only("auditor", "supervisor", "admin", hidden=("other_auditor",)),
    "audit:flag-act": only(
        "auditor", "supervisor", "admin", hidden=("other_auditor",), method="POST"
    ),
    "audit:queue": only(*AUDIT),
    "audit:queue-bulk": only(*AUDIT, method="POST"),
    "audit:queue-export": only(*AUDIT),
    "audit:report-reward": only(*AUDIT, method="POST"),
    "audit:reports": only(*AUDIT),
    "home": only(*SIGNED_IN),
    "login": everyone(),
    "logout": everyone(method="POST"),
    "password_change": only(*SIGNED_IN),
    "password_change_done": only(*SIGNED_IN),
    "password_reset": everyone(),
    "password_reset_complete": everyone(),
    "password_reset_confirm": everyone(),
    "password_reset_done": everyone(),
    "person-reveal": only(
        "auditor",
        "supervisor",
        "clerk",
        "admin",
        hidden=("other_auditor", "other_clerk", "other_hospital"),
        method="POST",
        data={"field": "certno"},
    ),
    "policy:refund-run": only(hidden=SIGNED_IN),
    "policy:refund-run-csv": only(hidden=SIGNED_IN),
    "policy:refund-run-decision": only(hidden=SIGNED_IN, method="POST"),
    "policy:refund-run-new": only(
        "supervisor",
        "admin",
        hidden=("other_auditor", "auditor", "other_clerk", "clerk", "other_hospital", "hospital"),
        method="POST",
    ),
    "policy:refund-runs": only(
        "supervisor",
        "admin",
        hidden=("other_auditor", "auditor", "other_clerk", "clerk", "other_hospital", "hospital"),
    ),
    "policy:version": only(hidden=SIGNED_IN),
    "policy:versions": only(*BACK_OFFICE, hidden=HOSPITALS),  # drafts: tests/test_object_scope.py
    "screening:run-detail": only("supervisor", "admin"),
    "screening:run-start": only("supervisor", "admin", method="POST"),
    "screening:runs": only("supervisor", "admin"),
    "services:api-person-data": only(),
    "services:complaint-act": only(hidden=SIGNED_IN, method="POST"),
    "services:complaint-new": network_staff(method="POST"),
    "services:complaints": network_staff(),
    "services:dashboard": network_staff(),
    "services:find": network_staff(),
    "services:grant": own_station(method="POST"),
    "services:grant-revoke": only(hidden=SIGNED_IN, method="POST"),
    "services:network": network_staff(),
    "services:outbox": network_staff(),
    "services:overdue": network_staff(),
    "services:person": own_station(),
    "services:public-pharmacies": everyone(),
    "services:public-stations": everyone(),
    "services:request": only(hidden=SIGNED_IN),
    "services:request-act": only(hidden=SIGNED_IN, method="POST"),
    "services:request-new": only(hidden=SIGNED_IN),
    "services:workbench": network_staff(),
    "set_language": everyone(),
}


# --- Running the matrix. ---


def _patterns() -> list[tuple[str, str]]:
    """(name, route) of every pattern; the admin site counts as one entry, "admin"."""

    def walk(patterns, prefix: str, namespace: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                space = entry.namespace or namespace
                if space == "admin":
                    yield "admin", prefix + str(entry.pattern)
                    continue
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), space)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
                yield name or prefix + str(entry.pattern), prefix + str(entry.pattern)

    return sorted(dict(walk(get_resolver().url_patterns, "", "")).items())


def role_clients(cast) -> tuple[dict, dict[str, str]]:
    """A client acting as each role (the cast plus the roles the matrix adds), and the two
    hospitals' API keys. Shared with tests/test_object_scope.py."""
    from rest_framework.test import APIClient

    from settlement.api.credentials import api_credential_issue

    cast.admin.is_staff = cast.admin.is_superuser = True
    cast.admin.save()
    users = {
        "other_auditor": cast.qingdao_auditor,
        "auditor": cast.jinan_auditor,
        "supervisor": cast.jinan_supervisor,
        "other_clerk": make_user(Role.CLERK, region_code="370202", station_code="QD01"),
        "clerk": cast.lixia_clerk,
        "other_hospital": make_user(Role.HOSPITAL_CLIENT, institution=cast.qingdao),
        "hospital": cast.qilu_hospital,
        "admin": cast.admin,
    }
    keys = {
        "other_hospital": api_credential_issue(institution=cast.qingdao, name="m").key,
        "hospital": api_credential_issue(institution=cast.qilu, name="m").key,
    }
    clients = {}
    for role in ROLES:
        client = APIClient()
        if role in users:
            client.force_login(users[role])
        clients[role] = client
    return clients, keys


@pytest.fixture
def world(db, cast):
    """Every role's client, and the objects the URLs name (made-up ids name none)."""
    clients, keys = role_clients(cast)
    person = PersonFactory(psn_no=PSN_NO, division_code="370102", birth_date=date(1970, 5, 17))
    SettlementFactory(setl_id=SETL_ID, person=person, institution=cast.qilu)
    Flag.objects.create(
        flag_id=FLAG_ID,
        rule_code="OVER_PRICE",
        setl_id=SETL_ID,
        psn_no=PSN_NO,
        fixmedins_code=cast.qilu.code,
        sev_deg=2,
        amount_at_risk=Decimal("15.00"),
        detected_at=shanghai(2026, 4, 1),
    )
    Case.objects.create(
        pk=int(CASE_ID),
        title="齐鲁医院 超标准收费",
        subject_kind=Case.Subject.INSTITUTION,
        subject_code=cast.qilu.code,
        institution=cast.qilu,
        division_code="370102",
        created_by=cast.jinan_supervisor,
        created_at=shanghai(2026, 4, 2),
    )
    ScreeningRun.objects.create(
        pk=int(RUN_ID),
        window_start=date(2026, 3, 1),
        window_end=date(2026, 3, 31),
        scope={"divisions": ["3701"]},
        created_at=shanghai(2026, 4, 1),
    )
    InstitutionFactory(code="P37010200001", division_code="370102", kind="2")
    return clients, keys


def _outcome(response) -> str:
    if response.status_code in (401, 403):
        return DENIED
    location = response.get("Location", "")
    if (
        response.status_code in (301, 302)
        and location.startswith(LOGIN_PATHS)
        and "next=" in location
    ):
        return DENIED  # (a log-out also lands on the log-in page, without a next)
    if response.status_code == 404:
        return HIDDEN
    return OK


# What a URL's parameters are, unless its entry says otherwise.
DEFAULT_KWARGS = {
    "psn_no": PSN_NO,
    "setl_id": SETL_ID,
    "flag_id": FLAG_ID,
    "case_id": CASE_ID,
    "run_id": RUN_ID,
    "item_code": "SD-YB-001",
    "name": "rules",
    "fmt": "csv",
}
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _path(name: str, route: str, entry: Entry) -> str:
    if name == "admin":
        return "/admin/"
    values = {**DEFAULT_KWARGS, **entry.kwargs}
    if name in values.get("_ids", {}):
        values.update(values["_ids"][name])
    path = PARAMETER.sub(lambda match: values.get(match[1] or match[2], MISSING), route)
    return "/" + path.removeprefix("^").removesuffix("$").replace("\\.", ".")


def _call(clients, keys, role: str, name: str, route: str, entry: Entry):
    path = _path(name, route, entry)
    client = clients[role]
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if path.startswith("/api/") and role in keys:
        client = type(client)()  # the hospital's system: its key, no session
        headers["HTTP_AUTHORIZATION"] = f"Bearer {keys[role]}"
    if entry.method == "GET":
        return client.get(path, **headers)
    if path.startswith("/api/"):
        return client.post(path, entry.data, format="json", **headers)
    return client.post(path, entry.data, **headers)


def test_every_url_pattern_has_an_entry():
    missing = [name for name, _route in _patterns() if name not in MATRIX]
    stale = sorted(set(MATRIX) - {name for name, _route in _patterns()})

    assert missing == [], f"add these patterns to MATRIX: {missing}"
    assert stale == [], f"these MATRIX entries name no pattern any more: {stale}"


@pytest.mark.parametrize(("name", "route"), _patterns(), ids=[n for n, _r in _patterns()])
def test_each_role_gets_exactly_what_the_table_says(world, name, route):
    clients, keys = world
    entry = MATRIX.get(name, Entry())
    discovering = name not in MATRIX and os.environ.get("MEDINS_MATRIX_PRINT")
    if discovering and _call(clients, keys, "admin", name, route, entry).status_code == 405:
        entry = Entry(method="POST")

    observed = {role: _outcome(_call(clients, keys, role, name, route, entry)) for role in ROLES}

    if os.environ.get("MEDINS_MATRIX_PRINT"):
        print(f"\nMATRIX {name} {entry.method} {observed}")
    assert name in MATRIX, f"{name} ({route}) has no entry in MATRIX"
    assert observed == {role: entry.expected(role) for role in ROLES}
