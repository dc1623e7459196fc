from datetime import date

import pytest
from django.urls import reverse

from settlement.policy.models import RefundRun
from settlement.policy.refunds import refund_run_compute
from tests.factories import make_user

YEAR = {"period_from": date(2026, 1, 1), "period_to": date(2027, 1, 1)}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def run(revision, stays, policy_admin):
    return refund_run_compute(version=revision, user=policy_admin, **YEAR)


@pytest.fixture
def jinan_supervisor(db):
    return make_user("supervisor", region_code="3701")


class TestRefundPages:
    def test_a_supervisor_sees_the_runs_and_the_refunds_by_institution(
        self, client, run, jinan_supervisor
    ):
        client.force_login(jinan_supervisor)

        listing = client.get(reverse("policy:refund-runs"), **EN)
        page = client.get(reverse("policy:refund-run", args=[run.pk]), **EN)

        assert listing.status_code == 200
        assert f'href="/settlement/policy/refunds/{run.pk}/"' in listing.text
        assert "齐鲁医院" in page.text
        assert "300.00" in page.text
        assert "Approve" in page.text

    def test_the_page_is_in_chinese_by_default(self, client, run, jinan_supervisor):
        client.force_login(jinan_supervisor)

        page = client.get(reverse("policy:refund-run", args=[run.pk]))

        assert "退费" in page.text

    def test_an_auditor_gets_404(self, client, run):
        client.force_login(make_user("auditor", region_code="3701"))

        assert client.get(reverse("policy:refund-runs")).status_code == 404
        assert client.get(reverse("policy:refund-run", args=[run.pk])).status_code == 404

    def test_approval_then_export(self, client, run, jinan_supervisor):
        client.force_login(jinan_supervisor)

        client.post(reverse("policy:refund-run-decision", args=[run.pk]), {"decision": "approve"})
        export = client.get(reverse("policy:refund-run-csv", args=[run.pk]))

        run.refresh_from_db()
        assert run.status == RefundRun.Status.APPROVED
        assert export["Content-Type"].startswith("text/csv")
        body = export.content.decode("utf-8-sig").splitlines()
        assert len(body) == 4
        assert body[1].startswith("H37010200001,齐鲁医院,")

    def test_a_supervisor_of_another_city_sees_no_lines_and_may_not_approve(self, client, run):
        client.force_login(make_user("supervisor", region_code="3702"))

        page = client.get(reverse("policy:refund-run", args=[run.pk]), **EN)
        client.post(reverse("policy:refund-run-decision", args=[run.pk]), {"decision": "approve"})

        assert "齐鲁医院" not in page.text
        run.refresh_from_db()
        assert run.status == RefundRun.Status.COMPUTED

    def test_export_before_approval_is_refused(self, client, run, jinan_supervisor):
        client.force_login(jinan_supervisor)

        response = client.get(reverse("policy:refund-run-csv", args=[run.pk]))

        assert response.status_code == 302


class TestRefundRunForm:
    def test_an_administrator_computes_a_run_from_the_page(
        self,
        client,
        revision,
        stays,
        policy_admin,
        django_capture_on_commit_callbacks,
        eager_refund_task,
    ):
        client.force_login(policy_admin)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("policy:refund-run-new"),
                {"version": "SD-2026.2", "period_from": "2026-01-01", "period_to": "2027-01-01"},
            )

        run = RefundRun.objects.get()
        assert response.url == reverse("policy:refund-run", args=[run.pk])
        run.refresh_from_db()
        assert run.status == RefundRun.Status.COMPUTED

    def test_a_bad_date_is_named(self, client, revision, policy_admin):
        client.force_login(policy_admin)

        response = client.post(
            reverse("policy:refund-run-new"),
            {"version": "SD-2026.2", "period_from": "2026-13-01", "period_to": "2027-01-01"},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )

        assert "settlements from must be a date" in response.text
        assert not RefundRun.objects.exists()


class TestPolicyPages:
    def test_an_auditor_reads_the_versions_and_one_version_s_rates(self, client, shandong):
        client.force_login(make_user("auditor", region_code="3701"))

        listing = client.get(reverse("policy:versions"), **EN)
        page = client.get(reverse("policy:version", args=["SD-2026.1"]), **EN)

        assert 'href="/settlement/policy/versions/SD-2026.1/"' in listing.text
        assert page.status_code == 200
        assert "糖尿病" in page.text
        assert "白内障超声乳化摘除+人工晶体植入" in page.text
        assert "0.9500" in page.text

    def test_the_list_shows_each_versions_status_base_author_and_publication(
        self, client, revision, policy_admin
    ):
        from django.utils import timezone

        client.force_login(make_user("supervisor", region_code="3701"))

        listing = client.get(reverse("policy:versions"), **EN).text

        published = timezone.localtime(revision.published_at)
        assert (
            f"<td>Published</td><td>SD-2026.1</td>\n      <td>{policy_admin.username}</td>"
            f"<td>{published:%Y-%m-%d %H:%M}</td>"
        ) in listing
        assert f"<td>Published</td><td>-</td>\n      <td>{policy_admin.username}</td>" in listing

    def test_an_unknown_version_is_404(self, client, db):
        client.force_login(make_user("auditor", region_code="3701"))

        assert client.get(reverse("policy:version", args=["NOPE"])).status_code == 404

    def test_the_top_bar_links_the_pages_by_role(self, client, db):
        client.force_login(make_user("auditor", region_code="3701"))
        auditor_home = client.get("/", **EN).text
        client.force_login(make_user("supervisor", region_code="3701"))
        supervisor_home = client.get("/", **EN).text

        assert reverse("policy:versions") in auditor_home
        assert reverse("policy:refund-runs") not in auditor_home
        assert reverse("policy:refund-runs") in supervisor_home
