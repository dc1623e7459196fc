from datetime import date
from decimal import Decimal

import pytest

from settlement.policy.catalogue import shandong_version_create
from settlement.policy.models import PolicyScheme
from settlement.policy.services import policy_version_publish, policy_version_revise
from tests.celery_worker import celery_worker, celery_worker_process  # noqa: F401  (fixtures)
from tests.factories import InstitutionFactory, make_user
from tests.policy.builders import stay

D = Decimal


@pytest.fixture
def policy_admin(db):
    return make_user("admin", region_code="")


@pytest.fixture
def shandong(policy_admin):
    """The Shandong policy set, published, in force from 2026-01-01."""
    version = shandong_version_create(
        code="SD-2026.1", title="山东 2026", effective_from=date(2026, 1, 1), author=policy_admin
    )
    return policy_version_publish(version=version, user=policy_admin)


@pytest.fixture
def revision(shandong, policy_admin):
    draft = policy_version_revise(
        version=shandong,
        author=policy_admin,
        code="SD-2026.2",
        title="居民三级住院 65%",
        effective_from=date(2026, 1, 1),
    )
    PolicyScheme.objects.filter(
        version=draft, insutype="390", med_type="21", institution_level=3
    ).update(fund_ratio=D("0.65"))
    return policy_version_publish(version=draft, user=policy_admin)


@pytest.fixture
def stays(db):
    qilu = InstitutionFactory(code="H37010200001", name="齐鲁医院", hospital_grade="02")
    provincial = InstitutionFactory(code="H37010200002", name="省立医院", hospital_grade="01")
    county = InstitutionFactory(code="H37010200003", name="县医院", hospital_grade="05")
    return {
        "qilu_5000": stay(qilu, "5000", paid="2400"),
        "qilu_3000": stay(qilu, "3000", paid="1200"),
        "provincial_5000": stay(provincial, "5000", paid="2400"),
        "employee": stay(qilu, "5000", insutype="310", paid="3780"),
        "county": stay(county, "5000", paid="3600"),
    }


@pytest.fixture
def eager_refund_task(monkeypatch):
    """The refund task runs in-process when queued, in both modes (no worker needed)."""
    from settlement.policy import tasks

    monkeypatch.setattr(
        tasks.refund_run_fill, "delay", lambda **kwargs: tasks.refund_run_fill.apply(kwargs=kwargs)
    )
