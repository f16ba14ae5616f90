"""The task worker's housekeeping (django-tasks-db): a worker killed during a task leaves its row
RUNNING for ever, and nothing runs it again. After `CIPNET_TASK_STUCK_AFTER_SECONDS` such a row is
made READY again; tasks take ids and are idempotent (DESIGN rule 6), so a second run is safe."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q

#: A task running longer than this is taken for dead (its worker was killed or lost).
DEFAULT_STUCK_AFTER_SECONDS = 900


def stuck_after() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "CIPNET_TASK_STUCK_AFTER_SECONDS", DEFAULT_STUCK_AFTER_SECONDS)))


def recover_stuck_tasks(moment: dt.datetime) -> int:
    """Make READY again every task RUNNING since before `moment - stuck_after()`; how many."""
    from django_tasks_db.models import DBTaskResult  # only with the database task backend

    cutoff = moment - stuck_after()
    stuck = DBTaskResult.objects.filter(Q(started_at__lt=cutoff) | Q(started_at__isnull=True), status="RUNNING")
    return stuck.update(status="READY", started_at=None, run_after=moment)


#: Finished task rows are kept this long for inspection, failed ones longer.
KEEP_FINISHED = dt.timedelta(days=7)
KEEP_FAILED = dt.timedelta(days=30)


def prune_finished_tasks(moment: dt.datetime) -> int:
    """Delete the rows of tasks that finished long enough ago; how many. The outbox dispatcher runs
    every minute, so without this the task table grows by some 1,440 rows a day."""
    from django_tasks_db.models import DBTaskResult

    old = Q(status="SUCCESSFUL", finished_at__lt=moment - KEEP_FINISHED) | Q(
        status="FAILED", finished_at__lt=moment - KEEP_FAILED
    )
    deleted, _by_model = DBTaskResult.objects.filter(old).delete()
    return deleted
