"""The auditor's day in a real browser: queue → flag → case → bed check → decision → closed."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from medins.management.commands.create_demo_users import DEMO_PASSWORD
from screening.audit.models import Case, CaseState
from screening.models import Flag
from settlement.models import BedCheck
from tests.factories import InstitutionFactory, PersonFactory, SettlementFactory, shanghai

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def demo(transactional_db):
    """The demo logins, a Jinan hospital with an inpatient stay and two flags on it."""
    hospital = InstitutionFactory(code="H37010200001", name="山东大学齐鲁医院")
    stay = SettlementFactory(
        institution=hospital,
        person=PersonFactory(name="王小明"),
        medical_type="21",
        begin_time=shanghai(2026, 3, 2, 9),
        end_time=shanghai(2026, 3, 9, 9),
    )
    for rule_code, amount, score in (("OVER_PRICE", "320.00", 80.0), ("DUP_CHARGE", "45.00", 9.0)):
        Flag.objects.create(
            flag_id=f"{rule_code}:{stay.pk}",
            rule_code=rule_code,
            setl_id=stay.pk,
            psn_no=stay.person_id,
            fixmedins_code=hospital.pk,
            sev_deg=1,
            amount_at_risk=Decimal(amount),
            event_time=stay.begin_time + timedelta(days=1),
            evidence={"pric_yuan": 58.0, "pric_uplmt_amt_yuan": 26.0, "cnt": 10},
            triage_score=score,
            detected_at=stay.end_time,
        )
    call_command("create_demo_users", stdout=StringIO(), stderr=StringIO())
    return stay


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.stacked button[type=submit]")


def test_an_auditor_takes_a_flag_to_a_closed_case(page, live_server, demo):
    log_in(page, live_server, "auditor")
    page.goto(f"{live_server.url}/audit/")
    page.evaluate("window.stillTheSamePage = true")

    page.select_option("#filters select[name=rule]", "OVER_PRICE")  # htmx swaps the table
    page.wait_for_function(
        "!document.querySelector('#queue-table').innerText.includes('DUP_CHARGE')"
        " && document.querySelectorAll('#queue-table input[name=flags]').length == 1"
    )
    assert page.evaluate("window.stillTheSamePage") is True
    assert "rule=OVER_PRICE" in page.url
    page.screenshot(path="/tmp/medins-audit-queue.png", full_page=True)
    page.click("#queue-table td a")
    assert "58.0" in page.locator("#evidence").inner_text()
    assert "王*" in page.content()
    page.screenshot(path="/tmp/medins-audit-flag.png", full_page=True)

    page.go_back()
    page.check("#queue-table input[name=flags]")
    page.click("button[value=open_case]")
    page.wait_for_url("**/audit/cases/*/")
    assert page.locator("#case-state").inner_text() == "新建"
    page.click("#case-actions form[action$='/assign/'] button")
    page.click("button[data-action=start]")
    assert page.locator("#case-state").inner_text() == "调查中"
    page.fill("#bed-check-form input[name=setl_id]", demo.pk)
    page.click("#bed-check-form button")
    page.click("a:text-matches('^BC[0-9]+$')")
    page.check("input[value=absent]")
    page.fill("textarea[name=note]", "床位无人，护士称患者已回家")
    page.click(".phone button[type=submit]")
    assert "不在床" in page.locator("#bed-check-result").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/medins-audit-bedcheck-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 860})
    assert BedCheck.objects.get().result == BedCheck.Result.ABSENT
    case = Case.objects.get()

    page.goto(f"{live_server.url}/audit/cases/{case.pk}/")
    page.select_option("#propose-form select[name=proposal]", "confirm")
    page.fill("#propose-form textarea[name=note]", "单价超过限价，查床不在床")
    page.click("#propose-form button")
    assert page.locator("#case-state").inner_text() == "待复核"
    page.screenshot(path="/tmp/medins-audit-case.png", full_page=True)

    log_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/audit/cases/{case.pk}/")
    page.click("button[data-action=approve]")
    assert page.locator("#case-state").inner_text() == "已处理"

    log_in(page, live_server, "auditor")
    page.goto(f"{live_server.url}/audit/cases/{case.pk}/")
    page.select_option("#outcome-form select[name=kind]", "recovery")
    page.fill("#outcome-form input[name=amount]", "320.00")
    page.fill("#outcome-form input[name=due_date]", "2026-06-30")
    page.click("#outcome-form button")
    assert "追回医保基金" in page.locator("#outcomes").inner_text()
    page.click("button[data-action=close]")
    assert page.locator("#case-state").inner_text() == "已结案"
    assert Case.objects.get().state == CaseState.CLOSED
    history = page.locator("#history").inner_text()
    for label in ("立案", "分派", "开始调查", "提出处理意见", "批准处理意见", "结案"):
        assert label in history

    page.goto(f"{live_server.url}/audit/dashboard/")
    assert page.locator("svg.chart").count() >= 3
    assert page.locator("svg.chart rect.bar").count() >= 2
    page.screenshot(path="/tmp/medins-audit-dashboard.png", full_page=True)
