from datetime import datetime
from decimal import Decimal

import polars as pl
import pytest

from screening.audit import selectors, services
from screening.audit.models import FlagEvent
from screening.models import Flag
from screening.services.flags import flag_rows, flags_upsert
from tests.audit.conftest import AT, advance, make_flag


class TestFlagsDismiss:
    def test_a_dismissal_needs_a_known_reason(self, cast, qilu_flags):
        with pytest.raises(services.AuditError, match="needs a reason"):
            services.flags_dismiss(
                user=cast.jinan_auditor, flag_ids=[qilu_flags[0].pk], reason="", note="", at=AT
            )

    def test_it_records_the_reason_and_the_event(self, cast, qilu_flags):
        services.flags_dismiss(
            user=cast.jinan_auditor,
            flag_ids=[qilu_flags[0].pk],
            reason="data_error",
            note="院方上传价格错误",
            at=AT,
        )

        flag = Flag.objects.get(pk=qilu_flags[0].pk)
        assert flag.status == Flag.Status.DISMISSED
        assert flag.dismissal.reason == "data_error"
        assert flag.audit_events.get().kind == FlagEvent.Kind.DISMISSED

    def test_a_dismissed_flag_stays_dismissed_when_screening_runs_again(self, cast, qilu_flags):
        flag = qilu_flags[0]
        services.flags_dismiss(
            user=cast.jinan_auditor, flag_ids=[flag.pk], reason="false_positive", note="", at=AT
        )
        rerun = pl.DataFrame(
            {
                "flag_id": [flag.pk],
                "rule_code": [flag.rule_code],
                "setl_id": [flag.setl_id],
                "feedetl_sn": [""],
                "psn_no": [flag.psn_no],
                "fixmedins_code": [cast.qilu.pk],
                "dr_code": [""],
                "sev_deg": [1],
                "amount_at_risk": [99900],
                "event_time": [datetime(2026, 3, 2, 9, 0)],
                "evidence": ['{"pric": "31.00"}'],
            }
        )

        flags_upsert(flag_rows(rerun, run_id=None, detected_at=AT))

        flag.refresh_from_db()
        assert flag.amount_at_risk == Decimal("999.00")  # the engine's fields are refreshed
        assert flag.status == Flag.Status.DISMISSED
        assert Flag.objects.filter(status=Flag.Status.OPEN).count() == 1

    def test_an_auditor_of_another_division_gets_not_visible(self, cast, qilu_flags):
        with pytest.raises(services.NotVisible):
            services.flags_dismiss(
                user=cast.qingdao_auditor,
                flag_ids=[qilu_flags[0].pk],
                reason="data_error",
                note="",
                at=AT,
            )


class TestFlagsAssign:
    def test_a_supervisor_assigns_flags_to_an_auditor(self, cast, qilu_flags):
        services.flags_assign(
            user=cast.jinan_supervisor,
            flag_ids=[f.pk for f in qilu_flags],
            assignee=cast.jinan_auditor,
            at=AT,
        )

        assert set(Flag.objects.values_list("status", flat=True)) == {Flag.Status.ASSIGNED}
        assert Flag.objects.filter(assignment__assignee=cast.jinan_auditor).count() == 2

    def test_an_auditor_assigns_only_to_themself(self, cast, qilu_flags):
        with pytest.raises(services.AuditError, match="Only a supervisor"):
            services.flags_assign(
                user=cast.jinan_auditor,
                flag_ids=[qilu_flags[0].pk],
                assignee=cast.jinan_supervisor,
                at=AT,
            )

    def test_a_clerk_may_not(self, cast, qilu_flags):
        with pytest.raises(services.AuditError, match="Only auditors"):
            services.flags_assign(
                user=cast.lixia_clerk,
                flag_ids=[qilu_flags[0].pk],
                assignee=cast.lixia_clerk,
                at=AT,
            )


class TestRuleConfirmedPrecision:
    def test_it_is_none_before_any_judgement(self, cast, qilu_flags):
        assert selectors.rule_confirmed_precision() == {"DUP_CHARGE": None, "OVER_PRICE": None}

    def test_only_false_positives_count_against_a_rule(self, cast):
        flags = [make_flag(cast.qilu) for _ in range(4)]
        case = services.case_open(user=cast.jinan_auditor, flag_ids=[flags[0].pk], at=AT)
        case = advance(case, cast.jinan_auditor, "assign", "start", "propose")
        advance(case, cast.jinan_supervisor, "approve")
        for flag, reason in zip(flags[1:3], ["false_positive", "policy_exception"], strict=True):
            services.flags_dismiss(
                user=cast.jinan_auditor, flag_ids=[flag.pk], reason=reason, note="", at=AT
            )

        assert selectors.rule_confirmed_precision() == {"OVER_PRICE": 0.5}


def test_one_rules_precision_agrees_with_all_rules(cast):
    flags = [make_flag(cast.qilu) for _ in range(3)]
    case = services.case_open(user=cast.jinan_auditor, flag_ids=[flags[0].pk], at=AT)
    advance(
        advance(case, cast.jinan_auditor, "assign", "start", "propose"),
        cast.jinan_supervisor,
        "approve",
    )
    services.flags_dismiss(
        user=cast.jinan_auditor, flag_ids=[flags[1].pk], reason="false_positive", note="", at=AT
    )

    from screening.audit.selectors.flags import rule_precision_of

    assert rule_precision_of("OVER_PRICE") == selectors.rule_confirmed_precision()["OVER_PRICE"]
    assert rule_precision_of("OVER_PRICE") == 0.5
    assert rule_precision_of("DUP_CHARGE") is None
