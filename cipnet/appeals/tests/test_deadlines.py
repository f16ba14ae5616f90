"""Deadline tables: kind of term, received at (Kyiv), regime → expected last day.

Regimes: "war" — martial law in force since 24.02.2022 (the default setting): public holidays are
working days; "peace" — no martial law: holidays and the weekdays replacing weekend holidays are off.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from cipnet.appeals.deadlines import Term, add_months, due, end_of_day, is_overdue, working_days_left
from cipnet.core.clock import KYIV, at
from cipnet.core.workdays import PEACETIME, MartialLaw, WorkCalendar, current_calendar, holiday_name

WAR = WorkCalendar((MartialLaw(since=dt.date(2022, 2, 24)),))
REGIMES = {"war": WAR, "peace": PEACETIME}


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=KYIV)


# (term, received at (Kyiv), regime, expected last day)
CASES = [
    # Information request, 5 working days; the count starts the next day.
    (Term.INFO_STANDARD, "2026-11-16 10:00", "war", "2026-11-23"),  # Mon → next Mon
    (Term.INFO_STANDARD, "2026-11-20 17:55", "war", "2026-11-27"),  # Fri → next Fri
    (Term.INFO_STANDARD, "2026-11-21 12:00", "war", "2026-11-27"),  # received Sat → Fri
    (Term.INFO_STANDARD, "2026-11-22 23:59", "war", "2026-11-27"),  # received Sun late evening
    (Term.INFO_STANDARD, "2026-11-23 00:00", "war", "2026-11-30"),  # received Mon at midnight
    (Term.INFO_STANDARD, "2026-08-20 09:00", "war", "2026-08-27"),  # 24.08 Independence Day is worked
    (Term.INFO_STANDARD, "2026-08-20 09:00", "peace", "2026-08-28"),  # … is a day off
    (Term.INFO_STANDARD, "2026-12-24 09:00", "war", "2026-12-31"),
    (Term.INFO_STANDARD, "2026-12-24 09:00", "peace", "2027-01-04"),  # 25.12 and 01.01 off
    (Term.INFO_STANDARD, "2026-03-05 09:00", "peace", "2026-03-13"),  # 08.03 Sun → 09.03 off
    (Term.INFO_STANDARD, "2026-03-05 09:00", "war", "2026-03-12"),
    (Term.INFO_STANDARD, "2021-04-29 09:00", "war", "2021-05-11"),  # 2021: before martial law
    # Urgent request: 48 hours by the clock, weekends included.
    (Term.INFO_URGENT, "2026-11-20 17:55", "war", "2026-11-22"),
    (Term.INFO_URGENT, "2026-11-20 17:55", "peace", "2026-11-22"),
    # Extended request: 20 working days.
    (Term.INFO_EXTENDED, "2026-11-16 10:00", "war", "2026-12-14"),
    (Term.INFO_EXTENDED, "2026-12-24 09:00", "war", "2027-01-21"),
    (Term.INFO_EXTENDED, "2026-12-24 09:00", "peace", "2027-01-25"),
    # Appeal, one month: same date next month, or its last day; moved off weekends.
    (Term.APPEAL_STANDARD, "2026-11-16 10:00", "war", "2026-12-16"),
    (Term.APPEAL_STANDARD, "2026-01-30 10:00", "war", "2026-03-02"),  # 28.02 Sat → Mon 02.03
    (Term.APPEAL_STANDARD, "2026-01-31 10:00", "war", "2026-03-02"),
    (Term.APPEAL_STANDARD, "2028-01-31 10:00", "war", "2028-02-29"),  # leap year, Tue
    (Term.APPEAL_STANDARD, "2026-05-29 10:00", "war", "2026-06-29"),  # 28.06 Constitution Day (Sun)
    (Term.APPEAL_STANDARD, "2026-05-28 10:00", "war", "2026-06-29"),  # 28.06 Sun → Mon 29.06
    (Term.APPEAL_STANDARD, "2026-05-28 10:00", "peace", "2026-06-30"),  # 29.06 replaces Sunday's holiday
    (Term.APPEAL_STANDARD, "2026-11-24 10:00", "peace", "2026-12-24"),
    (Term.APPEAL_STANDARD, "2026-11-25 10:00", "peace", "2026-12-28"),  # 25.12 Fri holiday → Mon
    (Term.APPEAL_STANDARD, "2026-11-25 10:00", "war", "2026-12-25"),  # a worked holiday
    # Appeal without additional study: 15 days.
    (Term.APPEAL_NO_STUDY, "2026-11-16 10:00", "war", "2026-12-01"),
    (Term.APPEAL_NO_STUDY, "2026-01-30 10:00", "war", "2026-02-16"),  # 14.02 Sat → Mon
    (Term.APPEAL_NO_STUDY, "2026-12-17 10:00", "peace", "2027-01-04"),  # 01.01 Fri off, weekend
    (Term.APPEAL_NO_STUDY, "2026-12-17 10:00", "war", "2027-01-01"),
    # Extended appeal: 45 days in all.
    (Term.APPEAL_EXTENDED, "2026-11-16 10:00", "war", "2026-12-31"),
    (Term.APPEAL_EXTENDED, "2026-08-20 10:00", "war", "2026-10-05"),  # 04.10 Sun
    # Forwarding to the competent body: 5 days.
    (Term.FORWARD, "2026-11-16 10:00", "war", "2026-11-23"),  # 21.11 Sat → Mon 23.11
    (Term.FORWARD, "2026-11-18 10:00", "war", "2026-11-23"),
    (Term.FORWARD, "2026-11-17 10:00", "war", "2026-11-23"),
    (Term.FORWARD, "2026-11-12 10:00", "war", "2026-11-17"),
    (Term.FORWARD, "2026-12-20 10:00", "peace", "2026-12-28"),  # 25.12 Fri holiday, weekend
]


@pytest.mark.parametrize(("term", "received", "regime", "expected"), CASES)
def test_due_dates(term: Term, received: str, regime: str, expected: str) -> None:
    deadline = due(term, _at(received), REGIMES[regime])
    assert deadline.due_on == dt.date.fromisoformat(expected)
    if term is Term.INFO_URGENT:
        assert deadline.due_at == _at(received) + dt.timedelta(hours=48)
    else:
        assert deadline.due_at == end_of_day(deadline.due_on)
        assert deadline.due_at.astimezone(KYIV).time() == dt.time(23, 59, 59, 999999)


def test_the_moved_from_day_is_reported() -> None:
    deadline = due(Term.APPEAL_STANDARD, _at("2026-01-30 10:00"), WAR)
    assert deadline.moved_from == dt.date(2026, 2, 28)
    assert due(Term.APPEAL_STANDARD, _at("2026-11-16 10:00"), WAR).moved_from is None


def test_receipt_is_counted_in_kyiv_time() -> None:
    # 22:30 UTC on Sunday is already Monday 00:30 in Kyiv.
    received = dt.datetime(2026, 11, 22, 22, 30, tzinfo=dt.UTC)
    assert due(Term.INFO_STANDARD, received, WAR).due_on == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-08-31", 6, "2027-02-28"),
    ],
)
def test_add_months(day: str, months: int, expected: str) -> None:
    assert add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


def test_working_days_left_and_overdue() -> None:
    due_on = dt.date(2026, 11, 27)  # Friday
    assert working_days_left(due_on, dt.date(2026, 11, 25), WAR) == 2
    assert working_days_left(due_on, due_on, WAR) == 0
    assert working_days_left(due_on, dt.date(2026, 11, 30), WAR) == -1
    moment = end_of_day(due_on)
    assert not is_overdue(moment, moment)
    assert is_overdue(moment, moment + dt.timedelta(seconds=1))
    assert not is_overdue(None, moment)


def test_holidays_in_both_regimes() -> None:
    assert holiday_name(dt.date(2026, 8, 24)) == "День незалежності України"
    assert WAR.is_working_day(dt.date(2026, 8, 24))
    assert not PEACETIME.is_working_day(dt.date(2026, 8, 24))
    # Peacetime: a holiday on a weekend moves the day off to the next weekday (Labour Code, art. 67).
    assert not PEACETIME.is_working_day(dt.date(2026, 3, 9))
    assert WAR.is_working_day(dt.date(2026, 3, 9))
    # Before martial law, the war calendar is the peacetime one.
    assert not WAR.is_working_day(dt.date(2021, 8, 24))
    assert all(not c.is_working_day(dt.date(2026, 11, 21)) for c in REGIMES.values())  # Saturday


def test_a_martial_law_period_that_ended() -> None:
    ended = WorkCalendar((MartialLaw(since=dt.date(2022, 2, 24), until=dt.date(2026, 6, 30)),))
    assert ended.is_working_day(dt.date(2026, 6, 29))  # within: worked
    assert not ended.is_working_day(dt.date(2026, 8, 24))  # after: a day off again


def test_the_setting_chooses_the_regime() -> None:
    assert current_calendar() == WAR  # the default: in force since 24.02.2022
    with override_settings(CIPNET_MARTIAL_LAW={"enabled": False}):
        assert current_calendar() == PEACETIME
    with override_settings(
        CIPNET_MARTIAL_LAW={"enabled": True, "since": dt.date(2022, 2, 24), "until": dt.date(2025, 1, 1)}
    ):
        assert not current_calendar().is_working_day(dt.date(2026, 8, 24))
    assert at(dt.date(2026, 1, 1), dt.time(0)).tzinfo is KYIV
