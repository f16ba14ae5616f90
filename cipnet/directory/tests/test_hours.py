"""Opening-hours rules, as tables of (moment in Kyiv, expected state and sentence)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from cipnet.core.clock import KYIV
from cipnet.directory.hours import (
    Interval,
    Schedule,
    describe,
    find_overlap,
    format_intervals,
    status_at,
    week_by_hour,
)

T = dt.time
WORKDAY = [Interval(T(9), T(13)), Interval(T(14), T(18))]
SCHEDULE = Schedule(
    weekly={0: WORKDAY, 1: WORKDAY, 2: WORKDAY, 3: WORKDAY, 4: WORKDAY, 5: [Interval(T(10), T(16))]},
    exceptions={
        dt.date(2026, 12, 25): [],  # Christmas: closed
        dt.date(2026, 12, 24): [Interval(T(9), T(15))],  # short day
    },
)


def kyiv(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=KYIV)


# 2026-11-23 is a Monday.
CASES = [
    # moment, is_open, sentence (English)
    (kyiv(2026, 11, 23, 8, 59), False, "Closed. Opens today at 09:00."),
    (kyiv(2026, 11, 23, 9, 0), True, "Open now. Closes at 13:00."),
    (kyiv(2026, 11, 23, 12, 45), True, "Open now. Closes in 15 minutes."),
    (kyiv(2026, 11, 23, 12, 59), True, "Open now. Closes in 1 minute."),
    (kyiv(2026, 11, 23, 13, 0), False, "Closed. Opens today at 14:00."),  # lunch break
    (kyiv(2026, 11, 23, 18, 0), False, "Closed. Opens tomorrow at 09:00."),
    (kyiv(2026, 11, 28, 17, 0), False, "Closed. Opens on Monday at 09:00."),  # Saturday evening
    (kyiv(2026, 11, 29, 12, 0), False, "Closed. Opens tomorrow at 09:00."),  # Sunday
    (kyiv(2026, 12, 24, 14, 30), True, "Open now. Closes in 30 minutes."),  # short day 9-15
    (kyiv(2026, 12, 24, 15, 0), False, "Closed. Opens on Saturday at 10:00."),  # 25th closed
    (kyiv(2026, 12, 25, 10, 0), False, "Closed. Opens tomorrow at 10:00."),
]


@pytest.mark.parametrize(("moment", "is_open", "sentence"), CASES)
def test_status_and_sentence(moment: dt.datetime, is_open: bool, sentence: str) -> None:
    with translation.override("en"):
        status = status_at(SCHEDULE, moment)
        assert status.is_open is is_open
        assert describe(status) == sentence


def test_status_uses_kyiv_time_whatever_the_input_zone() -> None:
    # 06:30 UTC on a winter Monday is 08:30 in Kyiv: closed; 07:00 UTC is 09:00: open.
    assert status_at(SCHEDULE, dt.datetime(2026, 11, 23, 6, 30, tzinfo=dt.UTC)).is_open is False
    assert status_at(SCHEDULE, dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)).is_open is True


def test_summer_time_is_respected() -> None:
    # In summer Kyiv is UTC+3: 06:00 UTC is 09:00 local.
    assert status_at(SCHEDULE, dt.datetime(2026, 7, 6, 6, 0, tzinfo=dt.UTC)).is_open is True
    assert status_at(SCHEDULE, dt.datetime(2026, 7, 6, 5, 59, tzinfo=dt.UTC)).is_open is False


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        status_at(SCHEDULE, dt.datetime(2026, 11, 23, 9, 0))  # noqa: DTZ001


def test_empty_schedule_says_no_hours() -> None:
    with translation.override("en"):
        assert describe(status_at(Schedule(weekly={}), kyiv(2026, 11, 23, 9))) == (
            "Closed. No opening hours in the next two weeks."
        )


def test_far_opening_names_the_date() -> None:
    schedule = Schedule(weekly={}, exceptions={dt.date(2026, 12, 5): [Interval(T(10), T(12))]})
    with translation.override("en"):
        assert describe(status_at(schedule, kyiv(2026, 11, 23, 9))) == "Closed. Opens on 5 December at 10:00."


def test_sentences_in_ukrainian_and_polish() -> None:
    moment = kyiv(2026, 11, 28, 17, 0)  # Saturday after closing → Monday
    with translation.override("uk"):
        assert describe(status_at(SCHEDULE, moment)) == "Зачинено. Відчиниться у понеділок о 09:00."
    with translation.override("pl"):
        assert describe(status_at(SCHEDULE, moment)) == "Zamknięte. Otwarcie w poniedziałek o 09:00."
    with translation.override("uk"):
        assert describe(status_at(SCHEDULE, kyiv(2026, 11, 23, 12, 45))) == "Відчинено. Зачиняється за 15 хвилин."


@pytest.mark.parametrize(
    ("intervals", "overlapping"),
    [
        ([Interval(T(9), T(13)), Interval(T(14), T(18))], False),
        ([Interval(T(9), T(13)), Interval(T(12), T(18))], True),
        ([Interval(T(14), T(18)), Interval(T(9), T(14))], True),  # touching counts: join them
        ([Interval(T(9), T(18))], False),
    ],
)
def test_find_overlap(intervals: list[Interval], overlapping: bool) -> None:
    assert (find_overlap(intervals) is not None) is overlapping


def test_interval_refuses_closing_before_opening() -> None:
    with pytest.raises(ValueError, match="later"):
        Interval(T(18), T(9))


def test_format_intervals() -> None:
    with translation.override("en"):
        assert format_intervals(WORKDAY) == "09:00–13:00, 14:00–18:00"
        assert format_intervals([]) == "closed"


@pytest.mark.parametrize(
    ("weekly", "weekday", "hour", "mark"),
    [
        ({0: WORKDAY}, 0, 8, "0"),
        ({0: WORKDAY}, 0, 9, "1"),
        ({0: WORKDAY}, 0, 12, "1"),
        ({0: WORKDAY}, 0, 13, "0"),  # the lunch break: closes at 13:00 sharp, opens at 14:00
        ({0: WORKDAY}, 0, 17, "1"),
        ({0: WORKDAY}, 0, 18, "0"),
        ({0: WORKDAY}, 1, 10, "0"),  # no hours on Tuesday
        ({2: [Interval(T(9, 30), T(17))]}, 2, 9, "~"),  # opens within the hour
        ({2: [Interval(T(9), T(16, 45))]}, 2, 16, "~"),  # closes within the hour
        ({2: [Interval(T(9), T(10, 30)), Interval(T(10, 30, 1), T(12))]}, 2, 10, "~"),  # two parts of one hour
        ({6: [Interval(T(20), T(23, 59))]}, 6, 23, "~"),  # the day's last minute is not a full hour
        ({6: [Interval(T(10), T(11, 0, 0, 1))]}, 6, 11, "~"),  # a microsecond into the hour
    ],
)
def test_week_by_hour(weekly: dict[int, list[Interval]], weekday: int, hour: int, mark: str) -> None:
    week = week_by_hour(weekly)
    assert len(week) == 168
    assert week[weekday * 24 + hour] == mark


def test_week_by_hour_of_no_hours_is_closed_all_week() -> None:
    assert week_by_hour({}) == "0" * 168
