import pytest
from django.urls import reverse

from screening.audit import services
from tests.audit.conftest import AT

PAGES = ["case", "bedchecktask", "dismissal", "whistleblowerreport"]


@pytest.fixture
def superuser(cast):
    cast.admin.is_staff = cast.admin.is_superuser = True
    cast.admin.save()
    return cast.admin


@pytest.mark.parametrize("model", PAGES)
def test_the_admin_lists_and_never_adds(client, superuser, opened_case, model):
    client.force_login(superuser)

    assert client.get(reverse(f"admin:audit_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:audit_{model}_add")).status_code == 403


def test_a_case_shows_its_history_and_hides_the_reporter(client, cast, superuser, opened_case):
    report = services.report_submit(
        user=cast.jinan_auditor,
        institution_code=cast.qilu.pk,
        text="举报",
        reporter_name="李四",
        reporter_phone="13800000000",
        at=AT,
    )
    client.force_login(cast.admin)

    case_page = client.get(reverse("admin:audit_case_change", args=[opened_case.pk]))
    report_page = client.get(reverse("admin:audit_whistleblowerreport_change", args=[report.pk]))

    assert ">open<" in case_page.content.decode()  # the transition inline shows the opening
    assert "13800000000" not in report_page.content.decode()
    assert "李四" not in report_page.content.decode()
