"""A supervisor approves a refund run and downloads its list, in a real browser."""

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from medins.management.commands.create_demo_users import DEMO_PASSWORD
from settlement.policy.catalogue import shandong_version_create
from settlement.policy.models import PolicyScheme, RefundRun
from settlement.policy.refunds import refund_run_compute
from settlement.policy.services import policy_version_publish, policy_version_revise
from tests.factories import InstitutionFactory
from tests.policy.builders import stay

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def refund_run(transactional_db):
    """Residents' level-3 share raised from 60 % to 65 %: one 5000 stay gets 200 back."""
    call_command("create_demo_users", stdout=StringIO(), stderr=StringIO())
    admin = User.objects.get(username="admin")
    base = shandong_version_create(
        code="SD-2026.1", title="山东 2026", effective_from=date(2026, 1, 1), author=admin
    )
    base = policy_version_publish(version=base, user=admin)
    draft = policy_version_revise(
        version=base, author=admin, code="SD-2026.2", title="调整", effective_from=date(2026, 1, 1)
    )
    PolicyScheme.objects.filter(
        version=draft, insutype="390", med_type="21", institution_level=3
    ).update(fund_ratio=Decimal("0.65"))
    revision = policy_version_publish(version=draft, user=admin)
    hospital = InstitutionFactory(code="H37010299999", name="济南测试医院", hospital_grade="02")
    stay(hospital, "5000", paid="2400")
    return refund_run_compute(
        version=revision, period_from=date(2026, 1, 1), period_to=date(2027, 1, 1), user=admin
    )


def test_a_supervisor_approves_a_refund_run_and_downloads_the_list(page, live_server, refund_run):
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.stacked button[type=submit]")

    page.click("text=政策性差额退费")
    page.click(f"a[href$='/refunds/{refund_run.pk}/']")
    assert page.locator("text=济南测试医院").first.is_visible()
    page.fill("input[name=note]", "核对无误")
    page.click("button[value=approve]")
    page.wait_for_selector("text=导出退费清单（CSV）")
    with page.expect_download() as download_info:
        page.click("text=导出退费清单（CSV）")
    body = Path(download_info.value.path()).read_text(encoding="utf-8-sig")

    refund_run.refresh_from_db()
    assert refund_run.status == RefundRun.Status.APPROVED
    assert refund_run.decided_by.username == "supervisor"
    assert "H37010299999,济南测试医院," in body
    assert body.strip().endswith(",200.00")
