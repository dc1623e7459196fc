"""The pre-check's fast body check accepts exactly what PrecheckInputSerializer accepts."""

from __future__ import annotations

import copy
import random
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.exceptions import ValidationError

from settlement.api import precheck_input
from settlement.api.precheck_input import precheck_encounter
from settlement.api.serializers import PrecheckInputSerializer
from tests.api.conftest import BUNDLE, DRUG, encounter, line

ODD_VALUES = (
    "", " ", " x", "x ", None, 0, 1, -1, 1.5, True, [], {}, "abc", "1e3", "-1", "0", "+1",
    "0.00001", "1.23456", "12345678901.2345", "123456789012345", "99.999", "1,5", "١٢",
    "2026-02-30 09:00:00", "2026-03-02T09:00:00+08:00", "2026-03-02T09:00:00Z",
    "2026-3-2 9:10:00", "2026-03-02 09:10", "2026-03-02 24:00:00", "A\x00B", "\ud800",
    "A" * 41, "A" * 151, "09", "02", "21", "310", "1", "99", "100", "  09",
    "007.50", "-0", "0.0000", "1.", ".5", "12345678901234567890", "1.00000000000000000000",
    "9999999999.9999", "10000000000", " 12.00", "12.00 ", "999999999999.99", "1000000000000",
    "000000000000001", "0000000000.0001", "-999999999999.99",
)  # fmt: skip


def _exact(value: Any) -> Any:
    """Values compared to the letter: 1.0000 is not 1.00, nor Shanghai UTC."""
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_exact(item) for item in value]
    if isinstance(value, Decimal):
        return ("decimal", str(value))
    if isinstance(value, datetime):
        return ("time", value.isoformat(), str(value.tzinfo))
    return value


def _drf(body: Any) -> dict | None:
    incoming = PrecheckInputSerializer(data=copy.deepcopy(body))
    return incoming.validated_data if incoming.is_valid() else None


def _fast(body: Any) -> dict | None:
    try:
        return precheck_input.fast_encounter(copy.deepcopy(body))
    except Exception:  # any refusal: the serializer decides
        return None


def _bodies() -> list[dict]:
    full = encounter(
        "MD0001",
        line("L1", DRUG, med_chrgitm_type="09", pric="12.00", cnt="2", prd_days=14),
        line(
            "L2",
            BUNDLE,
            med_chrgitm_type="06",
            pric="500.00",
            medins_list_codg="HIS-9",
            bilg_dept_codg="A03",
            bilg_dr_codg="D001",
            chrgitm_lv="01",
        ),
        line("L3", chrgitm_lv="", bilg_dept_codg="", medins_list_codg=""),
        trig_scen="3",
        adm_dept_codg="A03",
        atddr_no="",
    )
    bare = encounter()
    del bare["diagnoses"], bare["dise_codg"]
    return [full, bare, encounter(diagnoses=[])]


def _paths(body: dict) -> list[tuple]:
    paths = [(name,) for name in body]
    paths += [("fee_details", 0, name) for name in body["fee_details"][0]]
    paths += [("fee_details", 1, name) for name in body["fee_details"][1]]
    paths += [("diagnoses", 0, name) for name in (body.get("diagnoses") or [{}])[0]]
    return paths


def _set(body: dict, path: tuple, value: Any) -> dict:
    changed = copy.deepcopy(body)
    target = changed
    try:
        for step in path[:-1]:
            target = target[step]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    except (TypeError, KeyError, IndexError):
        pass  # an earlier change replaced what the path goes through
    return changed


_DELETE = object()


def test_the_fast_path_follows_the_serializer():
    assert precheck_input._ENCOUNTER is not None


@pytest.mark.parametrize("body", _bodies())
def test_well_formed_bodies_take_the_fast_path_with_the_same_result(body):
    fast = _fast(body)

    assert fast is not None
    assert _exact(fast) == _exact(_drf(body))


def test_any_body_it_accepts_the_serializer_accepts_alike():
    rng = random.Random(5)
    bodies = []
    for body in _bodies():
        for path in _paths(body):
            bodies += [_set(body, path, value) for value in (*ODD_VALUES, _DELETE)]
    for _attempt in range(300):  # a few values wrong at once
        body = rng.choice(_bodies())
        paths = _paths(body)
        for _change in range(rng.randint(2, 4)):
            body = _set(body, rng.choice(paths), rng.choice(ODD_VALUES))
        bodies.append(body)
    taken = 0

    for body in bodies:
        fast, drf = _fast(body), _drf(body)
        if fast is not None:
            taken += 1
            assert drf is not None, body
            assert _exact(fast) == _exact(drf), body

    assert taken > len(bodies) // 10  # the comparison did cover accepted bodies


def test_refused_bodies_get_the_serializers_own_errors():
    body = encounter("MD0001", line("L1", cnt="0"), line("L1"))
    expected = PrecheckInputSerializer(data=body)
    expected.is_valid()

    with pytest.raises(ValidationError) as raised:
        precheck_encounter(body)

    assert raised.value.detail == expected.errors


def test_inconsistent_amounts_and_times_are_the_serializers_business():
    late = encounter(endtime="2026-03-01 10:00:00")
    wrong = encounter("MD0001", line("L1", det_item_fee_sumamt="99.00"))

    assert _fast(late) is None
    assert _fast(wrong) is None
    for body in (late, wrong):
        with pytest.raises(ValidationError):
            precheck_encounter(body)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_times_are_made_aware_in_the_zone_in_force(zone):
    from django.utils import timezone

    body = encounter("MD0001", line("L1", fee_ocur_time="2026-03-08 02:30:00"))
    with timezone.override(zone):
        fast, drf = _fast(body), _drf(body)

    if drf is None:  # a time the zone skips (New York's spring forward): refused alike
        assert fast is None
    else:
        assert _exact(fast) == _exact(drf)
        assert str(fast["fee_details"][0]["fee_ocur_time"].tzinfo) == zone
