"""When the answer is due: statutory terms for citizens' appeals and public-information requests.

Pure functions of the receipt moment, the kind of term and a working-day calendar; no database.

- Request for public information (Law "On Access to Public Information", art. 20): 5 working days
  from receipt; 48 hours when the requester justifies urgency (life or liberty, environment, food
  quality, accidents, emergencies); extendable to 20 working days for a large volume of information,
  with the justification sent to the requester within the first 5 working days.
- Citizen's appeal (Law "On Citizens' Appeals", art. 20): at most one month from receipt; 15 days
  when no additional study is needed; extendable by the head so that the whole term is at most
  45 days. An appeal sent to the wrong body is forwarded within 5 days (art. 7), and the competent
  body's term starts when it receives it.
- Counting (Civil Code, art. 253–255): a term starts on the day after receipt. A term in working days
  skips Saturdays, Sundays and days off (see `cipnet.core.workdays`, which applies martial law). A
  term in months ends on the same date of the last month, or on that month's last day if it has no
  such date. A term in calendar days or months whose last day is not a working day ends on the next
  working day. A term in days ends at the end (24:00, Kyiv) of its last day; a term in hours ends
  exactly that many hours after receipt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from cipnet.core.clock import KYIV, local
from cipnet.core.workdays import WorkCalendar, holiday_name


class Term(StrEnum):
    INFO_STANDARD = "info_5wd"
    INFO_URGENT = "info_48h"
    INFO_EXTENDED = "info_20wd"
    APPEAL_STANDARD = "appeal_1m"
    APPEAL_NO_STUDY = "appeal_15d"
    APPEAL_EXTENDED = "appeal_45d"
    FORWARD = "forward_5d"


@dataclass(frozen=True)
class Deadline:
    term: Term
    received_at: dt.datetime
    #: The last moment for the answer (end of the last day in Kyiv, or received_at + 48 h).
    due_at: dt.datetime
    #: The last day (Kyiv), for display.
    due_on: dt.date
    #: The day the counting reached before moving off a non-working day (None when it did not move).
    moved_from: dt.date | None = None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same date `months` later, or that month's last day if it has no such date."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 of a Kyiv day, as the first instant of the next day minus a microsecond."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=KYIV) - dt.timedelta(microseconds=1)


def due(term: Term, received_at: dt.datetime, calendar: WorkCalendar) -> Deadline:
    """The deadline of `term` for something received at `received_at` (aware)."""
    received = local(received_at)
    day = received.date()
    if term is Term.INFO_URGENT:
        moment = received + dt.timedelta(hours=48)
        return Deadline(term, received_at, moment, local(moment).date())
    if term in (Term.INFO_STANDARD, Term.INFO_EXTENDED):
        last = calendar.add_working_days(day, 5 if term is Term.INFO_STANDARD else 20)
        return Deadline(term, received_at, end_of_day(last), last)
    if term is Term.APPEAL_STANDARD:
        raw = add_months(day, 1)
    elif term is Term.APPEAL_NO_STUDY:
        raw = day + dt.timedelta(days=15)
    elif term is Term.APPEAL_EXTENDED:
        raw = day + dt.timedelta(days=45)
    elif term is Term.FORWARD:
        raw = day + dt.timedelta(days=5)
    else:  # pragma: no cover — every Term is handled above
        raise ValueError(term)
    last = calendar.next_working_day(raw)
    return Deadline(term, received_at, end_of_day(last), last, raw if last != raw else None)


def extension_window(received_at: dt.datetime, calendar: WorkCalendar) -> Deadline:
    """Until when an information request may be extended: the justification must reach the
    requester within the first 5 working days."""
    return due(Term.INFO_STANDARD, received_at, calendar)


def is_overdue(due_at: dt.datetime | None, moment: dt.datetime) -> bool:
    return due_at is not None and moment > due_at


def working_days_left(due_on: dt.date, today: dt.date, calendar: WorkCalendar) -> int:
    """Working days from tomorrow up to the due day (0 on the due day; negative when late)."""
    if today <= due_on:
        return calendar.working_days_between(today, due_on)
    return -calendar.working_days_between(due_on, today)


@dataclass(frozen=True)
class Explanation:
    """A deadline with what the public calculators (the page and the API) say about it."""

    deadline: Deadline
    #: Counting starts the day after receipt (Kyiv).
    starts_on: dt.date
    #: Martial law was in force on the day of receipt: public holidays are working days.
    martial_law: bool
    #: The holiday the count reached, when the term moved off it.
    moved_holiday: str | None

    @property
    def term(self) -> Term:
        return self.deadline.term

    @property
    def hours(self) -> bool:
        """A term in hours: it runs by the clock."""
        return self.deadline.term is Term.INFO_URGENT

    @property
    def due_local(self) -> dt.datetime:
        return local(self.deadline.due_at)


def explain(term: Term, received_at: dt.datetime, calendar: WorkCalendar) -> Explanation:
    """The deadline of `term` for something received at `received_at`, explained."""
    deadline = due(term, received_at, calendar)
    day = local(received_at).date()
    return Explanation(
        deadline=deadline,
        starts_on=day + dt.timedelta(days=1),
        martial_law=calendar.under_martial_law(day),
        moved_holiday=holiday_name(deadline.moved_from) if deadline.moved_from else None,
    )
