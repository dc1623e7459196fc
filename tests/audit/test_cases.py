from datetime import timedelta

import pytest

from screening.audit import selectors, services
from screening.audit.models import CaseState, CaseTransition, Dismissal, Outcome
from screening.models import Flag
from tests.audit.conftest import AT, advance


def states(case):
    return list(CaseTransition.objects.filter(case=case).values_list("source", "target", "name"))


class TestCaseOpen:
    def test_it_gathers_the_flags_and_records_the_opening(self, cast, opened_case, qilu_flags):
        assert opened_case.state == CaseState.NEW
        assert opened_case.institution == cast.qilu
        assert opened_case.division_code == "370102"
        assert str(opened_case.amount_at_risk) == "241.00"
        assert set(Flag.objects.values_list("status", flat=True)) == {Flag.Status.IN_CASE}
        assert states(opened_case) == [("", "new", "open")]
        assert opened_case.deadline == AT + timedelta(days=3)

    def test_a_flag_already_in_a_case_cannot_join_another(self, cast, opened_case, qilu_flags):
        with pytest.raises(services.AuditError, match="already in a case"):
            services.case_open(user=cast.jinan_auditor, flag_ids=[qilu_flags[0].pk], at=AT)

    def test_an_auditor_of_another_division_cannot_see_the_flags(self, cast, qilu_flags):
        with pytest.raises(services.NotVisible):
            services.case_open(user=cast.qingdao_auditor, flag_ids=[qilu_flags[0].pk], at=AT)

    def test_flags_about_two_persons_make_no_person_case(self, cast, qilu_flags):
        with pytest.raises(services.AuditError, match="one Person"):
            services.case_open(
                user=cast.jinan_auditor,
                flag_ids=[flag.pk for flag in qilu_flags],
                subject_kind="person",
                at=AT,
            )


class TestCaseTransitions:
    def test_the_whole_path_to_closed_is_recorded(self, cast, opened_case):
        auditor, supervisor = cast.jinan_auditor, cast.jinan_supervisor
        case = advance(opened_case, auditor, "assign", "start", "propose")
        case = advance(case, supervisor, "approve")
        services.outcome_record(
            user=auditor,
            case_id=case.pk,
            kind="recovery",
            amount="241",
            due_date=AT.date(),
            at=AT,
        )
        case = advance(case, auditor, "close")

        assert case.state == CaseState.CLOSED
        assert case.closed_at == AT
        assert case.deadline is None
        assert [target for _source, target, _name in states(case)] == [
            "new",
            "assigned",
            "investigating",
            "review",
            "decided",
            "closed",
        ]
        assert set(Flag.objects.values_list("status", flat=True)) == {Flag.Status.CONFIRMED}

    def test_an_auditor_may_not_approve_their_own_proposal(self, cast, opened_case):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start", "propose")

        with pytest.raises(services.AuditError, match="Your role may not"):
            advance(case, cast.jinan_auditor, "approve")

    def test_only_the_assigned_auditor_investigates(self, cast, opened_case):
        colleague = type(cast.jinan_auditor).objects.create(username="colleague")
        from medins.models import UserProfile

        UserProfile.objects.create(user=colleague, role="auditor", region_code="3701")
        case = advance(opened_case, cast.jinan_auditor, "assign")

        with pytest.raises(services.AuditError, match="Your role may not"):
            advance(case, colleague, "start")

    def test_an_auditor_may_not_assign_someone_else(self, cast, opened_case):
        with pytest.raises(services.AuditError, match="Only a supervisor"):
            services.case_assign(
                user=cast.jinan_auditor,
                case_id=opened_case.pk,
                assignee=cast.jinan_supervisor,
                at=AT,
            )

    def test_a_supervisor_assigns_an_auditor_and_sets_the_deadline(self, cast, opened_case):
        case = services.case_assign(
            user=cast.jinan_supervisor, case_id=opened_case.pk, assignee=cast.jinan_auditor, at=AT
        )

        assert case.assignee == cast.jinan_auditor
        assert case.deadline == AT + timedelta(days=5)

    def test_a_supervisor_sends_a_proposal_back(self, cast, opened_case):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start", "propose")

        case = advance(case, cast.jinan_supervisor, "send_back")

        assert case.state == CaseState.INVESTIGATING

    def test_a_decided_case_closes_only_with_an_outcome(self, cast, opened_case):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start", "propose")
        case = advance(case, cast.jinan_supervisor, "approve")

        with pytest.raises(services.AuditError, match="cannot take the action"):
            advance(case, cast.jinan_auditor, "close")

    def test_a_new_case_cannot_be_closed(self, cast, opened_case):
        with pytest.raises(services.AuditError, match="cannot take the action"):
            advance(opened_case, cast.jinan_supervisor, "close")

    def test_no_action_dismisses_the_flags_with_the_reason(self, cast, opened_case):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start")
        services.case_propose(
            user=cast.jinan_auditor,
            case_id=case.pk,
            proposal="no_action",
            reason="policy_exception",
            note="符合特殊病种政策",
            at=AT,
        )

        case = advance(case, cast.jinan_supervisor, "approve")

        assert case.state == CaseState.NOT_ACTIONABLE
        assert set(Dismissal.objects.values_list("reason", flat=True)) == {"policy_exception"}
        assert set(Flag.objects.values_list("status", flat=True)) == {Flag.Status.DISMISSED}

    def test_no_action_needs_a_reason(self, cast, opened_case):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start")

        with pytest.raises(services.AuditError, match="needs a reason"):
            services.case_propose(
                user=cast.jinan_auditor, case_id=case.pk, proposal="no_action", note="x", at=AT
            )

    def test_the_case_is_404_for_another_division(self, cast, opened_case):
        with pytest.raises(services.NotVisible):
            advance(opened_case, cast.qingdao_auditor, "assign")
        assert selectors.case_visible_to(cast.qingdao_auditor, opened_case.pk) is None


class TestCaseAppeal:
    def test_the_hospital_appeals_during_the_investigation(self, cast, opened_case):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start")

        appeal = services.case_appeal(
            case_id=case.pk, text="该收费有医嘱依据", by=cast.qilu_hospital
        )

        case.refresh_from_db()
        assert case.state == CaseState.APPEALED
        assert appeal.by == cast.qilu_hospital
        assert states(case)[-1] == ("investigating", "appealed", "appeal")

    def test_a_resolved_appeal_goes_back_to_the_investigation(self, cast, opened_case):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start")
        services.case_appeal(case_id=case.pk, text="申诉", by=cast.qilu_hospital, at=AT)

        case = services.case_appeal_resolve(
            user=cast.jinan_auditor, case_id=case.pk, resolution="申诉不成立", at=AT
        )

        assert case.state == CaseState.INVESTIGATING
        assert case.appeals.get().resolution == "申诉不成立"

    def test_no_appeal_after_the_decision(self, cast, opened_case):
        case = advance(opened_case, cast.jinan_auditor, "assign", "start", "propose")
        advance(case, cast.jinan_supervisor, "approve")

        with pytest.raises(services.AuditError, match="cannot take the action"):
            services.case_appeal(case_id=case.pk, text="申诉", by=cast.qilu_hospital)

    def test_another_hospital_cannot_appeal(self, cast, opened_case):
        from tests.factories import make_user

        qingdao_hospital = make_user("hospital", region_code="", institution=cast.qingdao)

        with pytest.raises(services.NotVisible):
            services.case_appeal(case_id=opened_case.pk, text="申诉", by=qingdao_hospital)


def test_outcome_kinds_are_all_known():
    assert len(Outcome.Kind.values) == 7


class TestCaseFlagsAdd:
    def test_a_later_flag_about_the_same_institution_joins_the_case(self, cast, opened_case):
        from tests.audit.conftest import make_flag

        later = make_flag(cast.qilu, amount_at_risk="9.00")

        case = services.case_flags_add(
            user=cast.jinan_auditor, case_id=opened_case.pk, flag_ids=[later.pk], at=AT
        )

        assert case.case_flags.count() == 3
        assert str(case.amount_at_risk) == "250.00"
        assert Flag.objects.get(pk=later.pk).status == Flag.Status.IN_CASE

    def test_a_flag_about_another_institution_is_refused(self, cast, opened_case):
        from tests.audit.conftest import make_flag
        from tests.factories import InstitutionFactory

        elsewhere = make_flag(InstitutionFactory(division_code="370103"))

        with pytest.raises(services.AuditError, match="someone else"):
            services.case_flags_add(
                user=cast.jinan_auditor, case_id=opened_case.pk, flag_ids=[elsewhere.pk], at=AT
            )


def test_a_supervisor_may_not_approve_their_own_proposal(cast, opened_case):
    case = advance(opened_case, cast.jinan_supervisor, "assign", "start", "propose")

    with pytest.raises(services.AuditError, match="another supervisor"):
        advance(case, cast.jinan_supervisor, "approve")
    case.refresh_from_db()
    assert case.state == CaseState.REVIEW
