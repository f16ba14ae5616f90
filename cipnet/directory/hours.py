"""Opening hours: "open now", "closes in 15 minutes", "opens at 10:00 on Monday".

Pure functions over plain data, in Europe/Kyiv. Views and the API turn a centre's
rows into a `Schedule` with `schedule_for(centre)` (selectors) and call these.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cipnet.core.clock import at, local

#: How far ahead we look for the next opening.
LOOKAHEAD_DAYS = 14
#: "Closes in N minutes" is said when closing is this near.
CLOSING_SOON_MINUTES = 60


@dataclass(frozen=True, order=True)
class Interval:
    opens: dt.time
    closes: dt.time

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise ValueError("closing time must be later than opening time")


def find_overlap(intervals: Iterable[Interval]) -> tuple[Interval, Interval] | None:
    """The first pair of intervals that overlap or touch, or None."""
    ordered = sorted(intervals)
    for first, second in itertools.pairwise(ordered):
        if second.opens <= first.closes:
            return first, second
    return None


#: `week_by_hour`: open for the whole hour, closed for the whole hour, or opening or closing within it.
OPEN_HOUR, CLOSED_HOUR, PART_HOUR = "1", "0", "~"


def week_by_hour(weekly: Mapping[int, Sequence[Interval]]) -> str:
    """The week in 168 hours (Monday 00:00 first), one character each: `OPEN_HOUR`, `CLOSED_HOUR` or
    `PART_HOUR`. Kept on the centre (`Centre.week_by_hour`) so that "open now" is one character of the
    centre's own row for almost every hour of the week; a `PART_HOUR` is decided by the intervals."""
    marks = []
    for weekday in range(7):
        spans = [(_seconds(i.opens), _seconds(i.closes)) for i in weekly.get(weekday, ())]
        for hour in range(24):
            start, end = hour * 3600, hour * 3600 + 3600
            if any(opens <= start and closes >= end for opens, closes in spans):
                marks.append(OPEN_HOUR)
            elif any(opens < end and closes > start for opens, closes in spans):
                marks.append(PART_HOUR)
            else:
                marks.append(CLOSED_HOUR)
    return "".join(marks)


def _seconds(time: dt.time) -> float:
    return time.hour * 3600 + time.minute * 60 + time.second + time.microsecond / 1e6


@dataclass(frozen=True)
class Schedule:
    """Weekly intervals (Monday = 0) and dated exceptions (an empty list = closed all day)."""

    weekly: Mapping[int, Sequence[Interval]]
    exceptions: Mapping[dt.date, Sequence[Interval]] = field(default_factory=dict)

    def intervals_on(self, day: dt.date) -> list[Interval]:
        if day in self.exceptions:
            return sorted(self.exceptions[day])
        return sorted(self.weekly.get(day.weekday(), ()))

    @property
    def is_empty(self) -> bool:
        return not any(self.weekly.values()) and not any(self.exceptions.values())


@dataclass(frozen=True)
class Status:
    is_open: bool
    #: When open: when the current interval ends.
    closes_at: dt.datetime | None
    #: When closed (or open, the next opening after this interval): the next opening, if any.
    opens_at: dt.datetime | None
    now: dt.datetime

    @property
    def minutes_to_close(self) -> int | None:
        if not self.is_open or self.closes_at is None:
            return None
        return max(0, int((self.closes_at - self.now).total_seconds() // 60))


def status_at(schedule: Schedule, now: dt.datetime) -> Status:
    now = local(now)
    today = now.date()
    for interval in schedule.intervals_on(today):
        start, end = at(today, interval.opens), at(today, interval.closes)
        if start <= now < end:
            return Status(True, end, next_opening(schedule, end), now)
    return Status(False, None, next_opening(schedule, now), now)


def next_opening(schedule: Schedule, after: dt.datetime) -> dt.datetime | None:
    after = local(after)
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = after.date() + dt.timedelta(days=offset)
        for interval in schedule.intervals_on(day):
            start = at(day, interval.opens)
            if start > after:
                return start
    return None


def describe(status: Status) -> str:
    """One plain sentence for residents, e.g. "Open now. Closes at 18:00."."""
    if status.is_open and status.closes_at is not None:
        minutes = status.minutes_to_close or 0
        if minutes < CLOSING_SOON_MINUTES:
            return ngettext(
                "Open now. Closes in %(minutes)d minute.", "Open now. Closes in %(minutes)d minutes.", minutes
            ) % {"minutes": minutes}
        return _("Open now. Closes at %(time)s.") % {"time": f"{status.closes_at:%H:%M}"}
    if status.opens_at is None:
        return _("Closed. No opening hours in the next two weeks.")
    return _("Closed. Opens %(when)s.") % {"when": describe_moment(status.opens_at, status.now)}


def describe_moment(moment: dt.datetime, now: dt.datetime) -> str:
    """ "today at 14:00", "tomorrow at 10:00", "on Monday at 10:00", "on 12 January at 10:00"."""
    moment, now = local(moment), local(now)
    time = f"{moment:%H:%M}"
    days = (moment.date() - now.date()).days
    if days == 0:
        return _("today at %(time)s") % {"time": time}
    if days == 1:
        return _("tomorrow at %(time)s") % {"time": time}
    if days < 7:
        return _on_weekday_at(moment.weekday()) % {"time": time}
    return _("on %(date)s at %(time)s") % {"date": date_format(moment.date(), "j E"), "time": time}


def _on_weekday_at(weekday: int) -> str:
    # Whole phrases, because the preposition and case change per day ("у середу", "we wtorek").
    phrases = [
        _("on Monday at %(time)s"), _("on Tuesday at %(time)s"), _("on Wednesday at %(time)s"),
        _("on Thursday at %(time)s"), _("on Friday at %(time)s"), _("on Saturday at %(time)s"),
        _("on Sunday at %(time)s"),
    ]  # fmt: skip
    return phrases[weekday]


def weekday_label(weekday: int) -> str:
    names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
    return names[weekday]


def format_intervals(intervals: Sequence[Interval]) -> str:
    """ "09:00–13:00, 14:00–18:00" or "closed"."""
    if not intervals:
        return _("closed")
    return ", ".join(f"{i.opens:%H:%M}–{i.closes:%H:%M}" for i in sorted(intervals))


def week_rows(schedule: Schedule, start: dt.date) -> list[tuple[dt.date, list[Interval], bool]]:
    """Seven days from `start`: (date, intervals, is_exception)."""
    rows = []
    for offset in range(7):
        day = start + dt.timedelta(days=offset)
        rows.append((day, schedule.intervals_on(day), day in schedule.exceptions))
    return rows
