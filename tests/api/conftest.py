"""Two hospitals with API keys, a person with history, a small catalog and a published policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from settlement.api.credentials import api_credential_issue
from settlement.policy.models import PolicyScheme, PolicyVersion
from tests.celery_worker import celery_worker, celery_worker_process  # noqa: F401  (fixtures)
from tests.factories import CatalogItemFactory, InstitutionFactory, PersonFactory

EXAM = "002503020030000"  # 化验, may not repeat within 30 days
BUNDLE = "003100000010000"  # 手术, includes COMPONENT
COMPONENT = "003100000020000"
DRUG = "XA01BAA001A001010100001"  # 西药, capped at 10.00 per unit


def key_client(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Each test starts with empty request counters."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> SimpleNamespace:
    qilu = InstitutionFactory(code="H37010200001", name="齐鲁医院", hospital_grade="05")
    qingdao = InstitutionFactory(
        code="H37020200001", name="青岛市立医院", division_code="370202", hospital_grade="05"
    )
    qilu_key = api_credential_issue(institution=qilu, name="HIS").key
    qingdao_key = api_credential_issue(institution=qingdao, name="HIS").key
    CatalogItemFactory(
        code=EXAM, charge_type="04", list_type="201", repeat_window_days=30, price_cap=30
    )
    CatalogItemFactory(
        code=BUNDLE, charge_type="06", list_type="201", includes_codes=COMPONENT, name="手术包"
    )
    CatalogItemFactory(code=COMPONENT, charge_type="06", list_type="201", name="手术组件")
    CatalogItemFactory(
        code=DRUG, charge_type="09", list_type="101", charge_level="02", price_cap=10
    )
    version = PolicyVersion.objects.create(
        code="SD-2026",
        title="山东 2026",
        effective_from=date(2020, 1, 1),
        status=PolicyVersion.Status.PUBLISHED,
    )
    for med_type in ("11", "21"):
        PolicyScheme.objects.create(
            version=version,
            insutype="310",
            med_type=med_type,
            institution_level=2,
            fund_ratio=Decimal("0.70"),
            class_b_self_ratio=Decimal("0.10"),
        )
    return SimpleNamespace(
        qilu=qilu,
        qingdao=qingdao,
        qilu_key=qilu_key,
        qingdao_key=qingdao_key,
        person=PersonFactory(psn_no="37010200000000001", gender="1"),
        hospital=key_client(qilu_key),
        other_hospital=key_client(qingdao_key),
    )


def line(number: str, code: str = EXAM, **values: Any) -> dict[str, Any]:
    cnt = Decimal(str(values.pop("cnt", "1")))
    pric = Decimal(str(values.pop("pric", "25.00")))
    return {
        "feedetl_sn": number,
        "fee_ocur_time": values.pop("fee_ocur_time", "2026-03-02 09:10:00"),
        "med_list_codg": code,
        "med_chrgitm_type": values.pop("med_chrgitm_type", "04"),
        "cnt": str(cnt),
        "pric": str(pric),
        "det_item_fee_sumamt": str((cnt * pric).quantize(Decimal("0.01"))),
        **values,
    }


def encounter(mdtrt_id: str = "MD0001", *lines: dict[str, Any], **values: Any) -> dict[str, Any]:
    return {
        "mdtrt_id": mdtrt_id,
        "psn_no": "37010200000000001",
        "insutype": "310",
        "med_type": "11",
        "begntime": "2026-03-02 09:00:00",
        "endtime": "2026-03-02 10:00:00",
        "dise_codg": "J06.900",
        "diagnoses": [{"diag_srt_no": 1, "diag_code": "J06.900"}],
        "fee_details": list(lines)
        or [
            line(f"{mdtrt_id}-1"),
            line(f"{mdtrt_id}-2", DRUG, med_chrgitm_type="09", pric="8.00", cnt="3"),
        ],
        **values,
    }
