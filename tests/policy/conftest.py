from datetime import date

import pytest

from settlement.policy.catalogue import shandong_version_create
from settlement.policy.services import policy_version_publish
from tests.factories import make_user


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
