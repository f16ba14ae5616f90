from __future__ import annotations

import datetime as dt

from django.tasks import task

from cipnet.appeals.notifications import send_reminders

# Tasks queued before the outbox had its own module name this path: they still find it here.
from cipnet.appeals.outbox import send_notification as send_notification
from cipnet.core.clock import at, local, now

#: Reminders and escalations go out each morning at this hour, Kyiv time.
REMINDER_HOUR = 8


def next_reminder_run(moment: dt.datetime) -> dt.datetime:
    """The next REMINDER_HOUR:00 in Kyiv after `moment`."""
    local_moment = local(moment)
    run = at(local_moment.date(), dt.time(REMINDER_HOUR))
    return run if run > local_moment else at(local_moment.date() + dt.timedelta(days=1), dt.time(REMINDER_HOUR))


@task()
def daily_reminders() -> dict[str, int]:
    """Send the day's reminders and escalations, then book tomorrow's run (the worker is the clock)."""
    counts = send_reminders()
    schedule_daily_reminders()
    return counts


def schedule_daily_reminders() -> bool:
    """Book the next morning's run, unless one is already waiting: restarting the worker or `make
    run` never starts a second daily chain. False when the task backend cannot defer (tests)."""
    backend = daily_reminders.get_backend()
    if not backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=daily_reminders.module_path, status="READY")
    if waiting.exists():
        return False
    daily_reminders.using(run_after=next_reminder_run(now())).enqueue()
    return True
