"""Designation periods and the practitioners' 12-point ledger."""

from datetime import date, datetime

import pytest

from medins.models import Designation, PointDeduction
from medins.selectors import (
    designation_status_on,
    practitioner_is_suspended,
    practitioner_points_remaining,
)
from medins.services import RegistryError, designation_set, points_deduct
from tests.factories import InstitutionFactory, PractitionerFactory, shanghai

pytestmark = pytest.mark.django_db

AT = shanghai(2026, 3, 2, 10, 0)


def periods(institution):
    return list(
        institution.designations.order_by("effective_from").values_list(
            "status", "effective_from", "effective_to"
        )
    )


def set_period(institution, status, start, end=None, reason="audit decision"):
    return designation_set(
        institution=institution,
        status=status,
        effective_from=start,
        effective_to=end,
        reason=reason,
        at=AT,
    )


class TestDesignationSet:
    def test_records_a_dated_period_with_the_callers_clock(self):
        institution = InstitutionFactory()

        period = set_period(institution, "suspended", date(2026, 4, 1), date(2026, 7, 1))

        period.refresh_from_db()
        assert periods(institution) == [("suspended", date(2026, 4, 1), date(2026, 7, 1))]
        assert period.reason == "audit decision"
        assert period.recorded_at == AT

    def test_closes_an_open_period_that_started_earlier(self):
        institution = InstitutionFactory()
        set_period(institution, "active", date(2020, 1, 1))

        set_period(institution, "terminated", date(2026, 5, 1))

        assert periods(institution) == [
            ("active", date(2020, 1, 1), date(2026, 5, 1)),
            ("terminated", date(2026, 5, 1), None),
        ]

    def test_splits_a_period_that_surrounds_the_new_one(self):
        institution = InstitutionFactory()
        set_period(institution, "active", date(2020, 1, 1), reason="agreement signed")

        set_period(institution, "suspended", date(2026, 4, 1), date(2026, 7, 1))

        assert periods(institution) == [
            ("active", date(2020, 1, 1), date(2026, 4, 1)),
            ("suspended", date(2026, 4, 1), date(2026, 7, 1)),
            ("active", date(2026, 7, 1), None),
        ]
        assert institution.designations.get(effective_from=date(2026, 7, 1)).reason == (
            "agreement signed"
        )

    def test_moves_the_start_of_a_period_that_overlaps_the_end(self):
        institution = InstitutionFactory()
        set_period(institution, "suspended", date(2026, 5, 1), date(2026, 9, 1))

        set_period(institution, "active", date(2026, 1, 1), date(2026, 6, 1))

        assert periods(institution) == [
            ("active", date(2026, 1, 1), date(2026, 6, 1)),
            ("suspended", date(2026, 6, 1), date(2026, 9, 1)),
        ]

    def test_replaces_periods_entirely_inside_the_new_one(self):
        institution = InstitutionFactory()
        set_period(institution, "suspended", date(2026, 2, 1), date(2026, 3, 1))
        set_period(institution, "suspended", date(2026, 4, 1), date(2026, 5, 1))

        set_period(institution, "terminated", date(2026, 2, 1))

        assert periods(institution) == [("terminated", date(2026, 2, 1), None)]

    def test_leaves_an_adjacent_period_alone(self):
        institution = InstitutionFactory()
        set_period(institution, "suspended", date(2026, 1, 1), date(2026, 4, 1))

        set_period(institution, "terminated", date(2026, 4, 1))

        assert periods(institution) == [
            ("suspended", date(2026, 1, 1), date(2026, 4, 1)),
            ("terminated", date(2026, 4, 1), None),
        ]

    def test_touches_no_other_institution(self):
        institution, neighbour = InstitutionFactory(), InstitutionFactory()
        set_period(neighbour, "active", date(2020, 1, 1))

        set_period(institution, "suspended", date(2026, 4, 1), date(2026, 7, 1))

        assert periods(neighbour) == [("active", date(2020, 1, 1), None)]

    def test_refuses_a_period_ending_before_it_starts_and_stores_nothing(self):
        institution = InstitutionFactory()

        with pytest.raises(RegistryError, match="must end after it starts"):
            set_period(institution, "suspended", date(2026, 4, 1), date(2026, 4, 1))

        assert Designation.objects.count() == 0

    def test_refuses_an_unknown_status(self):
        with pytest.raises(RegistryError, match="Unknown designation status closed"):
            set_period(InstitutionFactory(), "closed", date(2026, 4, 1))

    def test_refuses_a_naive_time(self):
        with pytest.raises(RegistryError, match="no time zone"):
            designation_set(
                institution=InstitutionFactory(),
                status="active",
                effective_from=date(2026, 4, 1),
                reason="",
                at=datetime(2026, 3, 2, 10, 0),
            )


class TestDesignationStatusOn:
    def test_is_active_when_no_period_covers_the_day(self):
        assert designation_status_on(institution=InstitutionFactory(), day=date(2026, 1, 1)) == (
            "active"
        )

    def test_starts_on_the_first_day_and_ends_the_day_before_effective_to(self):
        institution = InstitutionFactory()
        set_period(institution, "suspended", date(2026, 4, 1), date(2026, 7, 1))

        def status(day):
            return designation_status_on(institution=institution, day=day)

        assert status(date(2026, 3, 31)) == "active"
        assert status(date(2026, 4, 1)) == "suspended"
        assert status(date(2026, 6, 30)) == "suspended"
        assert status(date(2026, 7, 1)) == "active"

    def test_an_open_period_lasts_until_further_notice(self):
        institution = InstitutionFactory()
        set_period(institution, "terminated", date(2026, 4, 1))

        assert designation_status_on(institution=institution, day=date(2040, 1, 1)) == (
            "terminated"
        )


class TestPointsLedger:
    def test_a_practitioner_starts_the_year_with_12_points(self):
        practitioner = PractitionerFactory()

        assert practitioner_points_remaining(practitioner=practitioner, year=2026) == 12
        assert not practitioner_is_suspended(practitioner=practitioner, year=2026)

    def test_deductions_count_against_the_year_they_were_made_in_shanghai(self):
        practitioner = PractitionerFactory()
        # 2025-12-31 23:30 in Shanghai is still 2025, though it is 15:30 UTC.
        points_deduct(
            practitioner=practitioner,
            points=2,
            reason="超量开药",
            at=shanghai(2025, 12, 31, 23, 30),
        )
        points_deduct(
            practitioner=practitioner, points=3, reason="串换药品", at=shanghai(2026, 1, 1, 0, 0)
        )

        assert practitioner_points_remaining(practitioner=practitioner, year=2025) == 10
        assert practitioner_points_remaining(practitioner=practitioner, year=2026) == 9
        assert PointDeduction.objects.get(points=3).year == 2026

    def test_reaching_zero_suspends_and_the_score_never_goes_negative(self):
        practitioner = PractitionerFactory()
        for points in (6, 6, 4):
            points_deduct(practitioner=practitioner, points=points, reason="挂床住院", at=AT)

        assert practitioner_points_remaining(practitioner=practitioner, year=2026) == 0
        assert practitioner_is_suspended(practitioner=practitioner, year=2026)
        assert PointDeduction.objects.filter(practitioner=practitioner).count() == 3

    def test_one_under_zero_is_not_suspended(self):
        practitioner = PractitionerFactory()
        points_deduct(practitioner=practitioner, points=11, reason="分解住院", at=AT)

        assert practitioner_points_remaining(practitioner=practitioner, year=2026) == 1
        assert not practitioner_is_suspended(practitioner=practitioner, year=2026)

    def test_someone_elses_deductions_do_not_count(self):
        practitioner, colleague = PractitionerFactory(), PractitionerFactory()
        points_deduct(practitioner=colleague, points=12, reason="虚假住院", at=AT)

        assert practitioner_points_remaining(practitioner=practitioner, year=2026) == 12

    @pytest.mark.parametrize("points", [0, -1, 13, 2.5, True])
    def test_refuses_points_outside_1_to_12(self, points):
        with pytest.raises(RegistryError, match="whole number from 1 to 12"):
            points_deduct(practitioner=PractitionerFactory(), points=points, reason="x", at=AT)

        assert PointDeduction.objects.count() == 0

    def test_refuses_a_deduction_without_reason(self):
        with pytest.raises(RegistryError, match="needs a reason"):
            points_deduct(practitioner=PractitionerFactory(), points=1, reason="  ", at=AT)
