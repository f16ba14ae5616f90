from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import Task, task

from cipnet.appeals.notifications import send_reminders
from cipnet.appeals.outbox import dispatch_due

# Tasks queued before the outbox had its own module name this path: they still find it here.
from cipnet.appeals.outbox import send_notification as send_notification
from cipnet.core.clock import at, local, now
from cipnet.core.dbstats import refresh_planner_statistics
from cipnet.core.worker import prune_finished_tasks, recover_stuck_tasks

#: Reminders and escalations go out each morning at this hour, Kyiv time.
REMINDER_HOUR = 8
#: The outbox dispatcher runs this often (seconds), unless settings say otherwise.
DEFAULT_DISPATCH_SECONDS = 60


def next_reminder_run(moment: dt.datetime) -> dt.datetime:
    """The next REMINDER_HOUR:00 in Kyiv after `moment`."""
    local_moment = local(moment)
    run = at(local_moment.date(), dt.time(REMINDER_HOUR))
    return run if run > local_moment else at(local_moment.date() + dt.timedelta(days=1), dt.time(REMINDER_HOUR))


@task()
def daily_reminders() -> dict[str, int]:
    """Send the day's reminders and escalations, prune old task rows, refresh the database's statistics
    (cipnet.core.dbstats), then book tomorrow's run (the worker is the clock)."""
    counts = send_reminders()
    counts["pruned_tasks"] = prune_finished_tasks(now())
    refresh_planner_statistics()
    schedule_daily_reminders()
    schedule_dispatcher()
    return counts


def _book_once(chain: Task, run_after: dt.datetime) -> bool:
    """Book the chain's next run, unless one is already waiting: restarting the worker or `make
    run` never starts a second chain. False when the task backend cannot defer (tests)."""
    backend = chain.get_backend()
    if not backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=chain.module_path, status="READY").exists():
        return False
    chain.using(run_after=run_after).enqueue()
    return True


def schedule_daily_reminders() -> bool:
    return _book_once(daily_reminders, next_reminder_run(now()))


def dispatch_interval() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "CIPNET_OUTBOX_DISPATCH_SECONDS", DEFAULT_DISPATCH_SECONDS)))


def schedule_dispatcher() -> bool:
    return _book_once(dispatch_outbox, now() + dispatch_interval())


@task()
def dispatch_outbox() -> dict[str, int]:
    """The worker's periodic sweep: book the next run first (so a worker killed during this one
    does not end the chain), run again the tasks a killed worker left RUNNING, then send every
    due notification that is unsent and unclaimed (`outbox.dispatch_due`)."""
    schedule_dispatcher()
    moment = now()
    return {"recovered": recover_stuck_tasks(moment), "sent": dispatch_due()}
