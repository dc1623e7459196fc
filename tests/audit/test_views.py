"""Every audit page per role: audit roles in, other roles 403, other divisions 404."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.audit import services
from screening.audit.models import BedCheckTask, CaseState
from screening.models import Flag
from settlement.models import BedCheck
from tests.audit.conftest import AT, advance, make_flag
from tests.factories import SettlementFactory


def client_for(client, user):
    client.force_login(user)
    return client


PAGES = ["audit:queue", "audit:cases", "audit:bed-checks", "audit:reports", "audit:dashboard"]


class TestAccess:
    @pytest.mark.parametrize("name", PAGES)
    @pytest.mark.parametrize("who", ["jinan_auditor", "jinan_supervisor", "admin"])
    def test_audit_roles_open_every_page_in_chinese(self, client, cast, qilu_flags, name, who):
        response = client_for(client, getattr(cast, who)).get(reverse(name))

        assert response.status_code == 200
        assert response.headers["Content-Language"] == "zh-hans"

    @pytest.mark.parametrize("name", PAGES)
    @pytest.mark.parametrize("who", ["lixia_clerk", "jinan_manager", "qilu_hospital"])
    def test_other_roles_are_refused(self, client, cast, name, who):
        assert client_for(client, getattr(cast, who)).get(reverse(name)).status_code == 403

    @pytest.mark.parametrize("who", ["lixia_clerk", "jinan_manager", "qilu_hospital"])
    def test_other_roles_cannot_act(self, client, cast, opened_case, qilu_flags, who):
        client_for(client, getattr(cast, who))

        bulk = client.post(reverse("audit:queue-bulk"), {"action": "dismiss"})
        act = client.post(reverse("audit:case-act", args=[opened_case.pk, "start"]))

        assert (bulk.status_code, act.status_code) == (403, 403)

    def test_an_auditor_may_not_approve_through_the_page(self, client, cast, opened_case):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start", "propose")

        client_for(client, cast.jinan_auditor).post(
            reverse("audit:case-act", args=[case.pk, "approve"]), {"note": "自己批准"}
        )

        case.refresh_from_db()
        assert case.state == CaseState.REVIEW

    def test_anonymous_users_go_to_the_login(self, client):
        assert client.get(reverse("audit:queue")).status_code == 302

    def test_a_flag_of_another_division_is_404(self, client, cast, qilu_flags):
        url = reverse("audit:flag", args=[qilu_flags[0].pk])

        assert client_for(client, cast.qingdao_auditor).get(url).status_code == 404

    def test_a_case_of_another_division_is_404(self, client, cast, opened_case):
        client_for(client, cast.qingdao_auditor)

        assert client.get(reverse("audit:case", args=[opened_case.pk])).status_code == 404
        url = reverse("audit:case-act", args=[opened_case.pk, "comment"])
        assert client.post(url, {"text": "x"}).status_code == 404

    def test_a_bed_check_of_another_division_is_404(self, client, cast):
        stay = SettlementFactory(institution=cast.qilu, medical_type="21")
        task = services.bed_check_issue(user=cast.jinan_auditor, setl_id=stay.pk, at=AT)

        url = reverse("audit:bed-check", args=[task.pk])
        assert client_for(client, cast.qingdao_auditor).get(url).status_code == 404


class TestQueue:
    def test_it_lists_the_areas_flags_highest_score_first(self, client, cast):
        low = make_flag(cast.qilu, triage_score=1.0)
        high = make_flag(cast.qilu, triage_score=90.0)
        make_flag(cast.qingdao, triage_score=99.0)

        page = client_for(client, cast.jinan_auditor).get(reverse("audit:queue")).content.decode()

        assert page.index(high.pk) < page.index(low.pk)
        assert "青岛" not in page.split('id="queue-table"')[1]

    @pytest.mark.parametrize(
        "flag_id",
        ["R01:S1:L2", "R01/S 1?a=b#c", "规则:结算&1", "50%+x;y,z'(*)~@!$", "//R01", "x/"],
    )
    def test_each_rows_link_is_the_flags_reversed_url(self, flag_id):
        from screening.audit.views.queue import flag_url

        assert flag_url(flag_id) == reverse("audit:flag", args=[flag_id])

    def test_a_row_shows_its_link_time_and_status(self, client, cast):
        flag = make_flag(cast.qilu, triage_score=50.0)

        page = client_for(client, cast.jinan_auditor).get(reverse("audit:queue")).content.decode()

        assert f'<a href="{reverse("audit:flag", args=[flag.pk])}">' in page
        assert '<span class="badge">待处理</span>' in page
        assert f"<td>{timezone.localtime(flag.event_time):%Y-%m-%d %H:%M}</td>" in page

    def test_a_filter_through_htmx_returns_only_the_table(self, client, cast):
        make_flag(cast.qilu, rule_code="DUP_CHARGE")
        kept = make_flag(cast.qilu, rule_code="OVER_PRICE")

        response = client_for(client, cast.jinan_auditor).get(
            reverse("audit:queue"), {"rule": "OVER_PRICE", "status": "open"}, HTTP_HX_REQUEST="true"
        )

        body = response.content.decode()
        assert body.lstrip().startswith('<section id="queue-table">')
        assert kept.pk in body
        assert "DUP_CHARGE" not in body

    def test_search_by_resident_id_number_finds_the_persons_flags(self, client, cast):
        flag = make_flag(cast.qilu)
        other = make_flag(cast.qilu)
        certno = Flag.objects.get(pk=flag.pk).psn_no
        from medins.models import Person

        certno = Person.objects.get(pk=certno).certno

        body = (
            client_for(client, cast.jinan_auditor)
            .get(reverse("audit:queue"), {"q": certno}, HTTP_HX_REQUEST="true")
            .content.decode()
        )

        assert flag.pk in body
        assert other.pk not in body

    def test_bulk_dismiss_without_a_reason_says_so(self, client, cast, qilu_flags):
        response = client_for(client, cast.jinan_auditor).post(
            reverse("audit:queue-bulk"),
            {"action": "dismiss", "flags": [qilu_flags[0].pk], "reason": ""},
            HTTP_HX_REQUEST="true",
        )

        assert "排除疑点需要理由" in response.content.decode()
        assert Flag.objects.get(pk=qilu_flags[0].pk).status == Flag.Status.OPEN

    def test_bulk_open_case_redirects_the_browser_to_the_case(self, client, cast, qilu_flags):
        response = client_for(client, cast.jinan_auditor).post(
            reverse("audit:queue-bulk"),
            {"action": "open_case", "flags": [f.pk for f in qilu_flags]},
            HTTP_HX_REQUEST="true",
        )

        assert response.headers["HX-Redirect"].startswith("/audit/cases/")


class TestFlagDetail:
    def test_it_shows_the_evidence_in_words_and_masks_the_person(self, client, cast, qilu_flags):
        body = (
            client_for(client, cast.jinan_auditor)
            .get(reverse("audit:flag", args=[qilu_flags[0].pk]), HTTP_ACCEPT_LANGUAGE="en")
            .content.decode()
        )

        evidence = body.split('id="evidence"')[1].split("</dl>")[0]
        assert "<dt>Unit price (yuan)</dt><dd>30.0</dd>" in evidence
        assert "<dt>Price cap (yuan)</dt><dd>25.0</dd>" in evidence
        assert "Why" not in evidence  # empty facts are left out
        assert "Charged 30.0 yuan a unit against a cap of 25.0 yuan, 1 units." in body
        assert "张*" in body  # masked name with the reveal button
        assert "张三" not in body


class TestCasePage:
    def test_the_auditor_takes_the_case_through_the_page(self, client, cast, opened_case):
        client_for(client, cast.jinan_auditor)
        url = lambda action: reverse("audit:case-act", args=[opened_case.pk, action])  # noqa: E731

        client.post(url("assign"), {})
        client.post(url("start"), {"note": "开始"})
        client.post(url("propose"), {"proposal": "confirm", "note": "属实"})

        opened_case.refresh_from_db()
        assert opened_case.state == CaseState.REVIEW
        page = client.get(reverse("audit:case", args=[opened_case.pk])).content.decode()
        assert "待复核" in page

    def test_an_outcome_and_closing_through_the_page(self, client, cast, opened_case):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start", "propose")
        advance(case, cast.jinan_supervisor, "approve")
        client_for(client, cast.jinan_auditor)

        client.post(
            reverse("audit:case-act", args=[case.pk, "outcome"]),
            {"kind": "recovery", "amount": "241.00", "due_date": "2026-06-30"},
        )
        client.post(reverse("audit:case-act", args=[case.pk, "close"]), {"note": "结案"})

        case.refresh_from_db()
        assert case.state == CaseState.CLOSED
        assert case.outcomes.get().due_date == date(2026, 6, 30)

    def test_an_upload_of_a_wrong_type_is_refused_with_a_message(self, client, cast, opened_case):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
        response = client_for(client, cast.jinan_auditor).post(
            reverse("audit:case-act", args=[opened_case.pk, "attach"]),
            {"file": upload},
            follow=True,
        )

        assert "不接受" in response.content.decode()
        assert not opened_case.attachments.exists()


class TestBedCheckPage:
    def test_the_result_from_the_phone_page_reaches_settlement(self, client, cast):
        stay = SettlementFactory(institution=cast.qilu, medical_type="21")
        task = services.bed_check_issue(user=cast.jinan_auditor, setl_id=stay.pk, at=AT)

        client_for(client, cast.jinan_auditor).post(
            reverse("audit:bed-check", args=[task.pk]),
            {"result": "absent", "checked_at": "2026-04-01T10:00", "note": "无人"},
        )

        assert BedCheckTask.objects.get().result == "absent"
        assert BedCheck.objects.get().result == BedCheck.Result.ABSENT


class TestExports:
    def test_csv_and_excel_of_a_dashboard_table(self, client, cast, qilu_flags):
        from io import BytesIO

        from openpyxl import load_workbook

        client_for(client, cast.jinan_auditor)

        csv_body = client.get(reverse("audit:export", args=["flags_by_rule", "csv"]))
        xlsx = client.get(reverse("audit:export", args=["flags_by_rule", "xlsx"]))

        assert "OVER_PRICE" in csv_body.content.decode("utf-8-sig")
        sheet = load_workbook(BytesIO(xlsx.content)).active
        assert {row[0].value.split()[0] for row in sheet.iter_rows(min_row=2)} == {
            "OVER_PRICE",
            "DUP_CHARGE",
        }

    def test_the_dashboard_draws_svg_charts(self, client, cast, qilu_flags):
        body = client_for(client, cast.jinan_auditor).get(reverse("audit:dashboard")).content

        assert body.count(b"<svg") >= 3

    def test_a_colleague_of_the_scope_gets_the_tables_drawn_for_the_first(
        self, client, cast, qilu_flags
    ):
        from screening.audit.selectors.dashboard import dashboard_tables
        from tests.factories import make_user

        first = client_for(client, cast.jinan_auditor).get(reverse("audit:dashboard"))
        second = client_for(client, make_user("auditor", region_code="3701")).get(
            reverse("audit:dashboard")
        )

        def drawn(response):
            return (
                response.content.decode().split('<section class="card"', 1)[1].split("</main>")[0]
            )

        tables = dashboard_tables(cast.jinan_auditor, at=timezone.now())
        assert drawn(second) == drawn(first)
        assert first.content.count(b'<section class="card" id="') == len(tables)
        assert all(f'id="{name}"'.encode() in second.content for name in tables)


class TestReports:
    def test_a_report_opens_a_case_and_a_supervisor_pays_the_reward(self, client, cast):
        client_for(client, cast.jinan_auditor).post(
            reverse("audit:reports"),
            {
                "institution_code": cast.qilu.pk,
                "text": "挂床住院",
                "reporter_name": "李四",
                "reporter_phone": "13800000000",
            },
        )
        from screening.audit.models import WhistleblowerReport

        report = WhistleblowerReport.objects.get()
        assert report.case.source == "report"
        client_for(client, cast.jinan_supervisor).post(
            reverse("audit:report-reward", args=[report.pk]), {"status": "paid", "amount": "500"}
        )
        report.refresh_from_db()
        assert report.reward_status == "paid"
        assert str(report.reward_amount) == "500.00"

    def test_a_report_about_an_institution_elsewhere_is_refused(self, client, cast):
        response = client_for(client, cast.jinan_auditor).post(
            reverse("audit:reports"), {"institution_code": cast.qingdao.pk, "text": "x"}
        )

        from screening.audit.models import WhistleblowerReport

        assert "您的辖区内没有此机构" in response.content.decode()
        assert not WhistleblowerReport.objects.exists()


class TestQueueExport:
    def test_the_filtered_queue_exports_as_csv(self, client, cast):
        kept = make_flag(cast.qilu, rule_code="OVER_PRICE")
        make_flag(cast.qilu, rule_code="DUP_CHARGE")

        response = client_for(client, cast.jinan_auditor).get(
            reverse("audit:queue-export", args=["csv"]), {"rule": "OVER_PRICE"}
        )

        lines = response.content.decode("utf-8-sig").splitlines()
        assert len(lines) == 2
        assert lines[1].startswith(kept.pk)

    def test_assigned_to_me_shows_only_my_flags(self, client, cast):
        mine, theirs = make_flag(cast.qilu), make_flag(cast.qilu)
        services.flags_assign(
            user=cast.jinan_auditor, flag_ids=[mine.pk], assignee=cast.jinan_auditor, at=AT
        )
        services.flags_assign(
            user=cast.jinan_supervisor, flag_ids=[theirs.pk], assignee=cast.jinan_supervisor, at=AT
        )

        body = (
            client_for(client, cast.jinan_auditor)
            .get(
                reverse("audit:queue"), {"status": "assigned", "mine": "on"}, HTTP_HX_REQUEST="true"
            )
            .content.decode()
        )

        assert mine.pk in body
        assert theirs.pk not in body


def test_bulk_add_to_case_through_htmx(client, cast, opened_case):
    later = make_flag(cast.qilu)

    response = client_for(client, cast.jinan_auditor).post(
        reverse("audit:queue-bulk"),
        {"action": "add_to_case", "case": opened_case.pk, "flags": [later.pk]},
        HTTP_HX_REQUEST="true",
    )

    assert f"#{opened_case.pk}" in response.content.decode()
    assert opened_case.case_flags.filter(flag=later).exists()


def test_the_case_list_exports_as_excel_within_the_area(client, cast, opened_case):
    from io import BytesIO

    from openpyxl import load_workbook

    mine = client_for(client, cast.jinan_auditor).get(reverse("audit:case-export", args=["xlsx"]))
    theirs = client_for(client, cast.qingdao_auditor).get(
        reverse("audit:case-export", args=["csv"])
    )

    rows = list(load_workbook(BytesIO(mine.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == opened_case.pk
    assert len(theirs.content.decode("utf-8-sig").splitlines()) == 1  # the header only


def test_the_dashboard_breaks_flags_down_by_rule_and_month(client, cast, qilu_flags):
    csv_body = client_for(client, cast.jinan_auditor).get(
        reverse("audit:export", args=["flags_by_rule_and_month", "csv"])
    )

    lines = csv_body.content.decode("utf-8-sig").splitlines()[1:]
    assert sorted(line.split(",")[0] for line in lines) == ["2026-03", "2026-03"]
    assert {line.split(",")[1].split()[0] for line in lines} == {"OVER_PRICE", "DUP_CHARGE"}
