"""A supervisor starts a screening run in a real browser and follows it to its findings."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from medins.management.commands.create_demo_users import DEMO_PASSWORD
from screening.models import ScreeningRun
from tests.celery_worker import tasks_in_process
from tests.factories import CatalogItemFactory, InstitutionFactory, PersonFactory
from tests.screening.runs.conftest import CAPPED, overpriced_line

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def eager_tasks(settings):
    # The live server runs in this process: its tasks run in it too, in service mode as well.
    with tasks_in_process(settings):
        yield


@pytest.fixture
def overpriced(transactional_db):
    """A Lixia patient charged 25 yuan for a lab item capped at 10, in March 2026."""
    call_command("create_demo_users", stdout=StringIO(), stderr=StringIO())
    hospital = InstitutionFactory(code="H37010200001")  # in Lixia, 370102
    CatalogItemFactory(code=CAPPED, price_cap=Decimal("10.00"))
    overpriced_line(PersonFactory(psn_no="370102000001"), hospital, day=3, line_id="F1")


def test_a_supervisor_starts_a_run_and_reads_its_progress_and_counts(
    page, live_server, overpriced, eager_tasks
):
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.goto(f"{live_server.url}/screening/runs/")

    page.fill("#id_window_start", "2026-03-01")
    page.fill("#id_window_end", "2026-03-31")
    page.click("form.run-start button[type=submit]")

    run = ScreeningRun.objects.get()
    page.wait_for_url(f"**/screening/runs/{run.pk}/")
    assert f"筛查任务 #{run.pk} 已发起。" in page.content()
    progress = page.locator("#run-progress")
    assert "已完成" in progress.inner_text()  # the worker ran in-process: done already
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "100"
    assert "OVER_PRICE" in page.locator("main").inner_text()
    assert run.scope["divisions"] == ["3701"]  # a Jinan supervisor screens Jinan
