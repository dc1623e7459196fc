"""Refund runs on a few stored settlements, worked out by hand.

Residents' level-3 inpatient share goes from 60 % to 65 % from 2026-01-01 (deductible 1000):
a 5000 stay was paid (5000 − 1000) × 60 % = 2400 and is now 2600, so the person gets 200 back;
a 3000 stay: 1200 → 1300, 100 back. Employees and level-2 stays do not change.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from medins.models import Institution
from settlement.api.encounters import settlement_reverse
from settlement.policy.models import RefundRun
from settlement.policy.refund_decisions import refund_run_decide, refund_run_write_csv
from settlement.policy.refunds import RefundError, refund_run_compute
from settlement.policy.selectors import refund_totals_by_institution
from settlement.policy.services import policy_version_publish, policy_version_revise
from tests.factories import (
    FeeLineFactory,
    InstitutionFactory,
    PersonFactory,
    SettlementFactory,
    make_user,
    shanghai,
)
from tests.policy.builders import stay

D = Decimal
YEAR = {"period_from": date(2026, 1, 1), "period_to": date(2027, 1, 1)}


class TestRefundRunCompute:
    def test_each_changed_settlement_gets_its_difference(self, revision, stays):
        run = refund_run_compute(version=revision, **YEAR)

        lines = {line.settlement_id: line for line in run.lines.all()}
        assert run.settlement_count == 5
        assert set(lines) == {
            stays["qilu_5000"].pk,
            stays["qilu_3000"].pk,
            stays["provincial_5000"].pk,
        }
        qilu = lines[stays["qilu_5000"].pk]
        assert (qilu.old_hifp_pay, qilu.new_hifp_pay) == (D("2400.00"), D("2600.00"))
        assert (qilu.old_personal, qilu.new_personal) == (D("2600.00"), D("2400.00"))
        assert qilu.refund_amount == D("200.00")
        assert qilu.prior_version == "SD-2026.1"
        assert lines[stays["qilu_3000"].pk].refund_amount == D("100.00")
        assert run.refund_total == D("500.00")

    def test_a_reversed_settlement_gets_nothing_back(self, revision, stays):
        original = stays["qilu_5000"]
        reversal = settlement_reverse(
            institution=original.institution,
            setl_id=original.setl_id,
            credential=None,
            reason="重复结算",
            at=shanghai(2026, 3, 20, 9),
        )

        run = refund_run_compute(version=revision, **YEAR)

        refunded = set(run.lines.values_list("settlement_id", flat=True))
        assert refunded == {stays["qilu_3000"].pk, stays["provincial_5000"].pk}
        assert not {original.pk, reversal.pk} & refunded
        assert run.settlement_count == 4
        assert run.refund_total == D("300.00")

    def test_the_list_per_institution_sums_its_refunds(self, revision, stays):
        run = refund_run_compute(version=revision, **YEAR)

        totals = refund_totals_by_institution(run=run)

        assert [
            (row["institution_id"], row["refunded"], row["refund_total"]) for row in totals
        ] == [
            ("H37010200001", 2, D("300.00")),
            ("H37010200002", 1, D("200.00")),
        ]

    def test_one_institution_only(self, revision, stays):
        run = refund_run_compute(version=revision, institution_code="H37010200002", **YEAR)

        assert run.settlement_count == 1
        assert run.refund_total == D("200.00")

    def test_without_a_prior_policy_the_stored_amounts_are_the_baseline(self, shandong, stays):
        """Under the first version the 5000 stay pays 2400 as stored: no line for it."""
        county = stays["county"]  # level 2: (5000 − 500) × 80 % = 3600, as stored

        run = refund_run_compute(version=shandong, **YEAR)

        assert county.pk not in set(run.lines.values_list("settlement_id", flat=True))
        assert run.refund_total == D("0.00")

    def test_a_person_who_would_pay_more_is_not_charged(self, shandong, db):
        """Stored as fund 4000 of 5000, the policy says 2400: difference −1600, refund 0."""
        qilu = InstitutionFactory(hospital_grade="02")
        generous = stay(qilu, "5000", paid="4000")

        run = refund_run_compute(version=shandong, **YEAR)

        line = run.lines.get(settlement=generous)
        assert (line.difference, line.refund_amount) == (D("-1600.00"), D("0.00"))

    def test_a_period_outside_the_version_is_refused(self, revision):
        with pytest.raises(RefundError, match="outside"):
            refund_run_compute(
                version=revision, period_from=date(2025, 12, 1), period_to=date(2026, 2, 1)
            )

    def test_a_draft_version_is_refused(self, shandong, policy_admin):
        draft = policy_version_revise(
            version=shandong,
            author=policy_admin,
            code="D",
            title="d",
            effective_from=date(2026, 1, 1),
        )

        with pytest.raises(RefundError, match="not published"):
            refund_run_compute(version=draft, **YEAR)


class TestRefundRunDecide:
    def test_a_supervisor_approves_a_run(self, revision, stays, policy_admin):
        run = refund_run_compute(version=revision, user=policy_admin, **YEAR)
        supervisor = make_user("supervisor", region_code="3701")

        run = refund_run_decide(run=run, user=supervisor, approve=True)

        assert run.status == RefundRun.Status.APPROVED
        assert run.decided_by == supervisor
        assert run.decided_at is not None

    def test_the_author_may_not_decide_their_own_run(self, revision, stays, policy_admin):
        run = refund_run_compute(version=revision, user=policy_admin, **YEAR)

        with pytest.raises(RefundError, match="computed"):
            refund_run_decide(run=run, user=policy_admin, approve=True)

    def test_an_auditor_may_not_decide(self, revision, stays):
        run = refund_run_compute(version=revision, **YEAR)

        with pytest.raises(RefundError, match="supervisor"):
            refund_run_decide(run=run, user=make_user("auditor", region_code="3701"), approve=True)

    def test_a_rejection_needs_a_reason_and_a_decided_run_stays_decided(self, revision, stays):
        run = refund_run_compute(version=revision, **YEAR)
        supervisor = make_user("supervisor", region_code="3701")

        with pytest.raises(RefundError, match="reason"):
            refund_run_decide(run=run, user=supervisor, approve=False)
        refund_run_decide(run=run, user=supervisor, approve=False, note="比例有误")
        with pytest.raises(RefundError, match="already"):
            refund_run_decide(run=run, user=supervisor, approve=True)


class TestRefundExport:
    def test_an_approved_run_exports_its_refunds_by_institution(self, revision, stays):
        run = refund_run_compute(version=revision, **YEAR)
        refund_run_decide(run=run, user=make_user("supervisor", region_code="3701"), approve=True)
        out = io.StringIO()

        rows = refund_run_write_csv(run=run, out=out)

        lines = out.getvalue().splitlines()
        assert rows == 3
        assert lines[0].startswith("fixmedins_code,fixmedins_name,setl_id")
        assert [line.split(",")[0] for line in lines[1:]] == [
            "H37010200001",
            "H37010200001",
            "H37010200002",
        ]
        assert lines[-1].endswith(",SD-2026.1,SD-2026.2,2400.00,2600.00,2600.00,2400.00,200.00")

    def test_an_institution_name_that_looks_like_a_formula_is_defused(self, revision, stays):
        run = refund_run_compute(version=revision, **YEAR)
        refund_run_decide(run=run, user=make_user("supervisor", region_code="3701"), approve=True)
        Institution.objects.filter(code="H37010200002").update(name="=HYPERLINK(1)")
        out = io.StringIO()

        refund_run_write_csv(run=run, out=out)

        assert "H37010200002,'=HYPERLINK(1)," in out.getvalue()
        assert out.getvalue().splitlines()[-1].endswith(",200.00")  # amounts stay numbers

    def test_an_unapproved_run_is_not_exported(self, revision, stays):
        run = refund_run_compute(version=revision, **YEAR)

        with pytest.raises(RefundError, match="not approved"):
            refund_run_write_csv(run=run, out=io.StringIO())


class TestPolicyRefundCommand:
    def test_it_computes_a_run_and_prints_the_institutions(self, revision, stays):
        out = io.StringIO()

        call_command(
            "policy_refund",
            "--policy=SD-2026.2",
            "--from=2026-01-01",
            "--to=2027-01-01",
            stdout=out,
        )

        assert "5 settlements recomputed, 3 changed, refunds 500.00 yuan" in out.getvalue()
        assert "H37010200001 齐鲁医院: 2 refunds, 300.00 yuan" in out.getvalue()

    def test_an_unknown_version_is_named(self, db):
        with pytest.raises(CommandError, match="NOPE"):
            call_command("policy_refund", "--policy=NOPE", "--from=2026-01-01", "--to=2026-02-01")


class TestRefundReplay:
    def test_a_raised_quota_reaches_the_later_claims_of_the_year(self, shandong, policy_admin):
        """Resident 糖尿病 at level 3: 500 per year, 60 %, quota 1200 raised to 2000.

        Two 2000 claims. Prior: (2000 − 500) × 60 % = 900, then 1200 cut to 1200 − 900 = 300.
        New: 900, then 1200 within 2000 − 900 = 1100 left: 1100. Refund 800 on the second.
        """
        from services.models import ChronicCertification
        from settlement.policy.models import ChronicDiseaseQuota

        draft = policy_version_revise(
            version=shandong,
            author=policy_admin,
            code="SD-2026.3",
            title="糖尿病限额 2000",
            effective_from=date(2026, 1, 1),
        )
        ChronicDiseaseQuota.objects.filter(version=draft, insutype="390", code="E11").update(
            annual_quota=D("2000")
        )
        revision = policy_version_publish(version=draft, user=policy_admin)
        hospital = InstitutionFactory(hospital_grade="02")
        person = PersonFactory(insurance_type="390")
        ChronicCertification.objects.create(
            person=person, disease_code="E11", disease_name="糖尿病", valid_from=date(2026, 1, 1)
        )
        visits = []
        for day in (3, 20):
            visit = SettlementFactory(
                person=person,
                institution=hospital,
                insurance_type="390",
                medical_type="14",
                main_diagnosis="E11.900",
                begin_time=shanghai(2026, 3, day, 9, 0),
                total=D("2000.00"),
                in_scope=D("2000.00"),
                fund_paid=D("0.00"),
                cash_paid=D("2000.00"),
            )
            FeeLineFactory(settlement=visit, amount=D("2000.00"), unit_price=D("2000"))
            visits.append(visit)

        run = refund_run_compute(version=revision, **YEAR)

        line = run.lines.get()
        assert line.settlement == visits[1]
        assert (line.old_hifp_pay, line.new_hifp_pay) == (D("300.00"), D("1100.00"))
        assert line.refund_amount == D("800.00")


class TestRefundRunQueued:
    def test_a_requested_run_is_computed_by_the_worker_once(
        self, revision, stays, policy_admin, django_capture_on_commit_callbacks, eager_refund_task
    ):
        from settlement.policy.refunds import refund_run_fill, refund_run_request

        with django_capture_on_commit_callbacks(execute=True):
            run = refund_run_request(version=revision, user=policy_admin, **YEAR)

        run.refresh_from_db()
        assert run.status == RefundRun.Status.COMPUTED
        assert run.refund_total == D("500.00")
        assert refund_run_fill(run_id=run.pk).status == RefundRun.Status.COMPUTED
        assert run.lines.count() == 3

    def test_a_settlement_without_a_scheme_fails_the_run_with_its_name(
        self, revision, policy_admin, django_capture_on_commit_callbacks, eager_refund_task
    ):
        from settlement.policy.refunds import refund_run_request

        maternity = SettlementFactory(medical_type="51", insurance_type="310")

        with django_capture_on_commit_callbacks(execute=True):
            run = refund_run_request(version=revision, user=policy_admin, **YEAR)

        run.refresh_from_db()
        assert run.status == RefundRun.Status.FAILED
        assert maternity.setl_id in run.error
        assert not run.lines.exists()

    def test_only_an_administrator_requests_runs(self, revision):
        from settlement.policy.refunds import refund_run_request

        with pytest.raises(RefundError, match="administrator"):
            refund_run_request(
                version=revision, user=make_user("supervisor", region_code="3701"), **YEAR
            )


class TestRefundRunLease:
    def test_a_run_abandoned_by_a_dead_worker_is_taken_again_after_the_lease(
        self, revision, stays, policy_admin
    ):
        import time_machine

        from settlement.policy.refunds import refund_run_fill

        run = RefundRun.objects.create(
            version=revision, status=RefundRun.Status.QUEUED, created_by=policy_admin, **YEAR
        )
        RefundRun.objects.filter(pk=run.pk).update(status=RefundRun.Status.RUNNING)
        with time_machine.travel(shanghai(2026, 6, 1, 9, 0)):
            RefundRun.objects.filter(pk=run.pk).update(started_at=shanghai(2026, 6, 1, 9, 0))
            held = refund_run_fill(run_id=run.pk)
        with time_machine.travel(shanghai(2026, 6, 1, 10, 1)):
            taken = refund_run_fill(run_id=run.pk)

        assert held.status == RefundRun.Status.RUNNING
        assert taken.status == RefundRun.Status.COMPUTED
        assert taken.refund_total == D("500.00")
