"""The clerk at the window in a real browser: an instant item, a return for missing
materials, and a chronic-disease certification that then changes how a settlement pays."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from medins.management.commands.create_demo_users import DEMO_PASSWORD
from medins.models import Institution
from services.demo import demo_seed
from services.models import Notification, ServiceRequest
from tests.factories import (
    DivisionFactory,
    FeeLineFactory,
    InstitutionFactory,
    PersonFactory,
    SettlementFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def window(transactional_db):
    """The demo network of Lixia, the demo clerk at its first town station, one person."""
    DivisionFactory(code="370102", name="历下区")  # an earlier transactional test flushed it
    person = PersonFactory(name="王小明", division_code="370102", insurance_type="310")
    InstitutionFactory(code="H37010200001", name="山东大学齐鲁医院", hospital_grade="01")
    call_command("create_demo_users", stdout=StringIO(), stderr=StringIO())
    demo_seed(stdout=StringIO())
    return person


def log_in_and_find(page, live_server, person):
    page.goto(f"{live_server.url}/services/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.goto(f"{live_server.url}/services/")
    page.fill("#find-q", person.certno)
    page.click("form[action$='/services/find/'] button[type=submit]")
    assert page.locator("h1").inner_text() == "参保人"


def start(page, item_code, **fields):
    page.click(f"a.start[data-item='{item_code}']")
    page.fill("#id_phone", "13800000000")
    for name, value in fields.items():
        page.select_option(f"#id_{name}", value)
    page.click("#start-form button[type=submit]")


def test_a_clerk_completes_an_instant_item_on_the_spot_and_it_is_rated(page, live_server, window):
    log_in_and_find(page, live_server, window)
    start(page, "SD-YB-001")

    page.check("input[name=materials][value='身份证或医保电子凭证']")
    page.click("#accept-form button[value=accept]")

    assert page.locator("#status").inner_text() == "已办结"
    page.select_option("#rating select[name=rating]", "5")
    page.click("#rating button[type=submit]")
    assert "5/5" in page.locator("#rating").inner_text()
    request = ServiceRequest.objects.latest("created_at")  # the demo seed made an older one
    assert (request.status, request.rating) == ("done", 5)
    assert "已办结" in Notification.objects.get(request=request).text


def test_a_request_missing_a_material_is_returned_and_says_what_is_missing(
    page, live_server, window
):
    log_in_and_find(page, live_server, window)
    start(page, "SD-YB-005")

    page.check("input[name=materials][value='身份证']")
    page.check("input[name=materials][value='参保凭证']")
    page.click("#accept-form button[value=return]")

    assert page.locator("#status").inner_text() == "退回补正"
    assert "转移申请表" in page.locator("#missing").inner_text()
    assert ServiceRequest.objects.latest("created_at").missing_materials == ["转移申请表"]


def _chronic_settlement(person):
    """A 2000-yuan outpatient chronic-disease visit for diabetes, tomorrow, at a grade-3
    hospital (above the 600-yuan yearly deductible)."""
    begin = timezone.localtime() + timedelta(days=1)
    settlement = SettlementFactory(
        person=person,
        institution=Institution.objects.get(pk="H37010200001"),
        insurance_type="310",
        medical_type="14",
        main_diagnosis="E11.900",
        begin_time=begin,
        total=Decimal("2000.00"),
    )
    FeeLineFactory(settlement=settlement, amount=Decimal("2000.00"), unit_price=Decimal("2000"))
    return settlement


def _fund_paid(settlement):
    from settlement.policy.claims import claim_from_settlement
    from settlement.policy.services import claim_settle

    return claim_settle(claim=claim_from_settlement(settlement)).hifp_pay


def test_a_chronic_certification_at_the_window_changes_what_the_fund_pays(
    page, live_server, window
):
    from settlement.policy.catalogue import shandong_version_create
    from settlement.policy.services import policy_version_publish
    from tests.factories import make_user

    admin = make_user("admin", region_code="")
    version = shandong_version_create(
        code="SD-T",
        title="山东",
        effective_from=timezone.localdate().replace(month=1, day=1),
        author=admin,
    )
    policy_version_publish(version=version, user=admin)
    settlement = _chronic_settlement(window)
    assert _fund_paid(settlement) == Decimal("0.00")  # not certified: the fund pays nothing

    log_in_and_find(page, live_server, window)
    start(page, "SD-YB-007", disease_code="E11")
    for material in ("身份证", "病历资料", "检查报告", "认定申请表"):
        page.check(f"input[name=materials][value='{material}']")
    page.click("#accept-form button[value=accept]")
    page.click("#review-form button[value=approve]")
    assert page.locator("#status").inner_text() == "待专家评审"
    page.fill("#expert-form input[name=expert]", "济南市门诊慢特病评审专家组")
    page.click("#expert-form button[value=approve]")

    assert page.locator("#status").inner_text() == "已办结"
    assert _fund_paid(settlement) > Decimal("0.00")
