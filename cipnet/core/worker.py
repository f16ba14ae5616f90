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
