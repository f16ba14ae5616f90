"""Working days in Ukraine, for statutory terms.

A working day is Monday to Friday that is not a public holiday, nor a day off that replaces a
holiday falling on a weekend (Labour Code, art. 67, 73). While martial law is in force, public
holidays are working days (Law No. 2136-IX, art. 6), so only Saturdays and Sundays are off.

Holidays come from the maintained `holidays` package: its "public" category holds the holidays that
are days off, its "workday" category those that became working days under martial law, so their
union is every holiday whatever the regime, and this module applies the regime itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.conf import settings


@dataclass(frozen=True)
class MartialLaw:
    """The period martial law is (or was) in force; `until` None means it still is."""

    since: dt.date
    until: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[dt.date, str]:
    days = holidays.country_holidays(
        "UA", years=year, categories=(holidays.PUBLIC, holidays.WORKDAY), language="uk", observed=False
    )
    return {d: str(name) for d, name in days.items()}


@lru_cache(maxsize=64)
def _days_off(year: int) -> frozenset[dt.date]:
    """Holidays, and for each one falling on a weekend the next free weekday (art. 67), in peacetime."""
    off: set[dt.date] = set()
    for day in sorted(_holidays(year)):
        off.add(day)
        if day.weekday() >= 5:
            shifted = day + dt.timedelta(days=7 - day.weekday())
            while shifted in off or shifted in _holidays(year):
                shifted += dt.timedelta(days=1)
            off.add(shifted)
    return frozenset(off)


def holiday_name(day: dt.date) -> str | None:
    return _holidays(day.year).get(day)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days, given the martial-law periods in force."""

    martial_law: tuple[MartialLaw, ...] = ()

    def under_martial_law(self, day: dt.date) -> bool:
        return any(p.covers(day) for p in self.martial_law)

    def is_working_day(self, day: dt.date) -> bool:
        if day.weekday() >= 5:
            return False
        if self.under_martial_law(day):
            return True
        return day not in _days_off(day.year)

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (the term starts the day after)."""
        count = 0
        while count < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]."""
        n, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n += 1
        return n


def current_calendar() -> WorkCalendar:
    """The calendar of the site's settings (CIPNET_MARTIAL_LAW: on by default, since 24.02.2022)."""
    config = getattr(settings, "CIPNET_MARTIAL_LAW", None) or {}
    if not config.get("enabled", True):
        return WorkCalendar()
    since = config.get("since") or dt.date(2022, 2, 24)
    until = config.get("until")
    return WorkCalendar((MartialLaw(since=since, until=until),))


PEACETIME = WorkCalendar()
