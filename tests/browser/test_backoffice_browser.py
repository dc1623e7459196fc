"""Log in as each demo role in a real browser, read the home page in Chinese and English."""

from io import StringIO

import pytest
from django.core.management import call_command

from medins.management.commands.create_demo_users import DEMO_PASSWORD
from tests.factories import InstitutionFactory, PersonFactory, SettlementFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROLE_TITLES = {  # username: (Chinese title, English title)
    "admin": ("系统管理员", "Administrator"),
    "auditor": ("稽核人员", "Auditor"),
    "supervisor": ("稽核科长", "Audit supervisor"),
    "clerk": ("经办人员", "Station clerk"),
    "manager": ("协议管理人员", "Service network manager"),
    "hospital": ("医院接口用户", "Hospital API client"),
}


@pytest.fixture
def demo(transactional_db):
    """The demo logins, and one settlement of a Lixia patient at the demo hospital."""
    hospital = InstitutionFactory(code="H37010200001", name="山东大学齐鲁医院")
    SettlementFactory(institution=hospital, person=PersonFactory(name="王小明"))
    call_command("create_demo_users", stdout=StringIO(), stderr=StringIO())
    return hospital


def log_in(page, live_server, username, password=DEMO_PASSWORD):
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.stacked button[type=submit]")


@pytest.mark.parametrize("username", list(ROLE_TITLES))
def test_each_role_logs_in_reads_both_languages_and_logs_out(page, live_server, demo, username):
    chinese, english = ROLE_TITLES[username]

    log_in(page, live_server, username)

    assert page.locator("h1").inner_text() == chinese
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.click("button[name=language][value=en]")
    assert page.locator("h1").inner_text() == english
    page.click("text=Log out")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in"


def test_a_failed_login_shows_the_error_and_stays_on_the_login_page(page, live_server, demo):
    log_in(page, live_server, "auditor", password="not-the-password")

    assert page.locator("[role=alert]").is_visible()
    assert "用户名" in page.locator("[role=alert]").inner_text()
    assert "/accounts/login/" in page.url


def test_an_auditor_reveals_a_name_through_htmx(page, live_server, demo):
    log_in(page, live_server, "auditor")

    page.locator(".masked", has_text="王*").locator("button.reveal").click()

    assert page.locator(".revealed").inner_text() == "王小明"


def test_screenshots_of_the_home_page_in_both_languages(page, live_server, demo):
    log_in(page, live_server, "auditor")
    page.screenshot(path="/tmp/medins-home-zh-hans.png", full_page=True)

    page.click("button[name=language][value=en]")
    page.screenshot(path="/tmp/medins-home-en.png", full_page=True)

    assert page.locator("h1").inner_text() == "Auditor"
