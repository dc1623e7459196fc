"""Working days: weekends and public holidays off, make-up working days (调休) on.

`WorkCalendar` is pure (tested on its own); `work_calendar()` builds one from the Holiday
table that administrators maintain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from services.models import Holiday

# A limit beyond this many working days is a typo in the catalogue, not a legal limit.
MAX_WORKING_DAYS = 366


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """A make-up day works even on a weekend; a holiday rests even on a weekday."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def first_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (start itself not counted); 0 gives start."""
        if not 0 <= days <= MAX_WORKING_DAYS:
            raise ValueError(f"working days must be within 0..{MAX_WORKING_DAYS}, got {days}")
        day = start
        while days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative, counted the other way, when end < start."""
        if end < start:
            return -self.between(end, start)
        return sum(
            self.is_working_day(start + timedelta(days=offset))
            for offset in range(1, (end - start).days + 1)
        )

    def left(self, *, today: date, due: date) -> int:
        """Working days left until due: 0 on the due day, negative once overdue."""
        return self.between(today, due)


def calendar_of(rows: Iterable[tuple[date, str]]) -> WorkCalendar:
    """A calendar from (day, kind) pairs, kind being Holiday.Kind values."""
    holidays, workdays = set(), set()
    for day, kind in rows:
        (workdays if kind == Holiday.Kind.WORKDAY else holidays).add(day)
    return WorkCalendar(holidays=frozenset(holidays), workdays=frozenset(workdays))


def work_calendar() -> WorkCalendar:
    """The calendar as administrators maintain it (a few dozen rows a year: read them all)."""
    return calendar_of(Holiday.objects.values_list("day", "kind"))


# 2026 as the State Council published it (国办发明电〔2025〕号): days off and make-up days.
HOLIDAYS_2026 = {
    "元旦": (("2026-01-01", "2026-01-03"), ("2026-01-04",)),
    "春节": (("2026-02-15", "2026-02-23"), ("2026-02-14", "2026-02-28")),
    "清明节": (("2026-04-04", "2026-04-06"), ()),
    "劳动节": (("2026-05-01", "2026-05-05"), ("2026-05-09",)),
    "端午节": (("2026-06-19", "2026-06-21"), ()),
    "中秋节": (("2026-09-25", "2026-09-27"), ()),
    "国庆节": (("2026-10-01", "2026-10-07"), ("2026-09-20", "2026-10-10")),
}


def holiday_rows_2026() -> list[tuple[date, str, str]]:
    """(day, kind, name) of every 2026 holiday and make-up working day."""
    rows = []
    for name, ((first, last), workdays) in HOLIDAYS_2026.items():
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            rows.append((day, Holiday.Kind.HOLIDAY.value, name))
            day += timedelta(days=1)
        rows += [(date.fromisoformat(d), Holiday.Kind.WORKDAY.value, name) for d in workdays]
    return sorted(rows)
