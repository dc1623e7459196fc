"""Working-day arithmetic: weekends, holidays, make-up working days, year ends."""

from datetime import date

import pytest

from services.calendar import WorkCalendar, calendar_of, holiday_rows_2026, work_calendar
from services.models import Holiday

CALENDAR_2026 = calendar_of((day, kind) for day, kind, _name in holiday_rows_2026())


class TestWorkCalendar:
    def test_weekends_rest_and_weekdays_work_without_holidays(self):
        plain = WorkCalendar()

        assert plain.is_working_day(date(2026, 3, 6))  # Friday
        assert not plain.is_working_day(date(2026, 3, 7))  # Saturday

    def test_adding_skips_the_weekend(self):
        assert WorkCalendar().add(date(2026, 3, 6), 1) == date(2026, 3, 9)

    def test_adding_zero_days_gives_the_start(self):
        assert WorkCalendar().add(date(2026, 3, 7), 0) == date(2026, 3, 7)

    def test_a_holiday_on_a_weekday_does_not_count(self):
        # Thursday 31 Dec 2026 + 1 would be Friday 1 Jan, a holiday; 2 Jan is a Saturday.
        calendar = WorkCalendar(holidays=frozenset({date(2027, 1, 1)}))

        assert calendar.add(date(2026, 12, 31), 1) == date(2027, 1, 4)

    def test_a_make_up_sunday_counts(self):
        # 4 Jan 2026 is a Sunday worked in exchange for the New Year holiday.
        assert CALENDAR_2026.is_working_day(date(2026, 1, 4))
        assert CALENDAR_2026.add(date(2025, 12, 31), 1) == date(2026, 1, 4)

    def test_the_spring_festival_week_is_skipped_and_its_saturdays_worked(self):
        # Friday 13 Feb; Saturday 14 Feb is worked; 15–23 Feb off.
        assert CALENDAR_2026.add(date(2026, 2, 13), 1) == date(2026, 2, 14)
        assert CALENDAR_2026.add(date(2026, 2, 13), 2) == date(2026, 2, 24)

    def test_a_twenty_day_limit_over_the_national_day(self):
        # 25–27 Sep and 1–7 Oct off; 28–30 Sep work, then Oct 8, 9, Saturday 10 (made up), 12…
        due = CALENDAR_2026.add(date(2026, 9, 24), 20)

        assert due == date(2026, 10, 29)
        assert CALENDAR_2026.between(date(2026, 9, 24), due) == 20

    def test_days_left_is_zero_on_the_due_day_and_negative_after(self):
        due = date(2026, 3, 10)  # Tuesday

        assert CALENDAR_2026.left(today=date(2026, 3, 6), due=due) == 2
        assert CALENDAR_2026.left(today=due, due=due) == 0
        assert CALENDAR_2026.left(today=date(2026, 3, 16), due=due) == -4

    def test_first_working_day_after_a_holiday_weekend(self):
        assert CALENDAR_2026.first_working_day(date(2026, 10, 1)) == date(2026, 10, 8)

    def test_a_negative_or_absurd_limit_is_refused(self):
        with pytest.raises(ValueError, match="working days"):
            WorkCalendar().add(date(2026, 1, 5), -1)


@pytest.mark.django_db
def test_the_calendar_reads_what_administrators_entered():
    Holiday.objects.create(day=date(2026, 3, 9), kind=Holiday.Kind.HOLIDAY, name="演习")
    Holiday.objects.create(day=date(2026, 3, 7), kind=Holiday.Kind.WORKDAY, name="调休")

    calendar = work_calendar()

    assert calendar.add(date(2026, 3, 6), 2) == date(2026, 3, 10)
