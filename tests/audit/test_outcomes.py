from datetime import date

import pytest

from medins.selectors import designation_status_on, practitioner_is_suspended
from screening.audit import selectors, services
from tests.audit.conftest import AT, advance
from tests.factories import PractitionerFactory


@pytest.fixture
def decided(cast, opened_case):
    case = advance(opened_case, cast.jinan_auditor, "assign", "start", "propose")
    return advance(case, cast.jinan_supervisor, "approve")


def record(cast, case, kind, **fields):
    return services.outcome_record(
        user=cast.jinan_auditor, case_id=case.pk, kind=kind, at=AT, **fields
    )


class TestOutcomeRecord:
    def test_a_suspension_makes_the_institution_suspended_in_its_period(self, cast, decided):
        record(
            cast, decided, "suspension", period_from=date(2026, 5, 1), period_to=date(2026, 8, 1)
        )

        assert designation_status_on(institution=cast.qilu, day=date(2026, 6, 1)) == "suspended"
        assert designation_status_on(institution=cast.qilu, day=date(2026, 8, 1)) == "active"

    def test_a_termination_has_no_end(self, cast, decided):
        record(cast, decided, "termination", period_from=date(2026, 5, 1))

        assert designation_status_on(institution=cast.qilu, day=date(2030, 1, 1)) == "terminated"

    def test_twelve_points_suspend_the_practitioner(self, cast, decided):
        doctor = PractitionerFactory(institution=cast.qilu)

        record(cast, decided, "points", practitioner_code=doctor.pk, points=12)

        assert practitioner_is_suspended(practitioner=doctor, year=2026)

    def test_points_of_a_practitioner_elsewhere_are_refused(self, cast, decided):
        doctor = PractitionerFactory(institution=cast.qingdao)

        with pytest.raises(services.AuditError, match="does not work"):
            record(cast, decided, "points", practitioner_code=doctor.pk, points=3)

    def test_a_recovery_order_needs_a_positive_amount_and_a_due_date(self, cast, decided):
        with pytest.raises(services.AuditError, match="more than 0"):
            record(cast, decided, "recovery", amount="0", due_date=date(2026, 6, 1))
        with pytest.raises(services.AuditError, match="due date"):
            record(cast, decided, "recovery", amount="10")

    def test_a_recovery_order_is_marked_paid(self, cast, decided):
        order = record(cast, decided, "recovery", amount="241.00", due_date=date(2026, 6, 1))

        paid = services.outcome_mark_paid(user=cast.jinan_auditor, outcome_id=order.pk, at=AT)

        assert paid.is_paid

    def test_no_outcome_before_the_decision(self, cast, opened_case):
        with pytest.raises(services.AuditError, match="once the decision"):
            record(cast, opened_case, "fine", amount="100", due_date=date(2026, 6, 1))

    def test_a_transfer_names_the_authority(self, cast, decided):
        with pytest.raises(services.AuditError, match="authority"):
            record(cast, decided, "transfer")
        assert record(cast, decided, "transfer", authority="police").authority == "police"


def test_the_precision_rises_with_a_confirmed_case(cast, decided):
    assert selectors.rule_confirmed_precision()["OVER_PRICE"] == 1.0
