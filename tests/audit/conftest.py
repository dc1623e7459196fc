"""Flags and cases for the audit tests, on the cast's Jinan (齐鲁医院) and Qingdao hospitals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest

from screening.models import Flag
from tests.factories import SettlementFactory, shanghai

AT = shanghai(2026, 4, 1, 9, 30)
_numbers = count(1)


def make_flag(institution, *, rule_code="OVER_PRICE", settlement=None, **fields) -> Flag:
    """A flag as screening writes it, about a settlement at the institution."""
    number = next(_numbers)
    settlement = settlement or SettlementFactory(institution=institution)
    defaults = {
        "flag_id": f"{rule_code}:{settlement.pk}:{number}",
        "rule_code": rule_code,
        "setl_id": settlement.pk,
        "psn_no": settlement.person_id,
        "fixmedins_code": institution.pk,
        "sev_deg": 1,
        "amount_at_risk": Decimal("120.50"),
        "event_time": settlement.begin_time,
        "evidence": {"pric_yuan": 30.0, "pric_uplmt_amt_yuan": 25.0, "cnt": 1, "reasons": []},
        "triage_score": 50.0,
        "detected_at": AT - timedelta(days=1),
    }
    return Flag.objects.create(**{**defaults, **fields})


@pytest.fixture
def qilu_flags(cast):
    return [make_flag(cast.qilu), make_flag(cast.qilu, rule_code="DUP_CHARGE")]


@pytest.fixture
def opened_case(cast, qilu_flags):
    from screening.audit import services

    return services.case_open(
        user=cast.jinan_auditor, flag_ids=[flag.pk for flag in qilu_flags], at=AT
    )


def advance(case, user, *names, at=AT):
    """Take these transitions in turn (assign = take it yourself; propose = confirm)."""
    from screening.audit import services

    for name in names:
        if name == "assign":
            case = services.case_assign(user=user, case_id=case.pk, assignee=user, at=at)
        elif name == "propose":
            case = services.case_propose(
                user=user, case_id=case.pk, proposal="confirm", note="价格超标属实", at=at
            )
        else:
            case = services.case_transition(user=user, case_id=case.pk, name=name, at=at)
    return case
