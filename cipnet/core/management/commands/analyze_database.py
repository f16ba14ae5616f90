"""`manage.py analyze_database`: refresh the query planner's statistics (cipnet.core.dbstats)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cipnet.core.dbstats import refresh_planner_statistics


class Command(BaseCommand):
    help = "Refresh the database's statistics for choosing indexes (after a bulk load; the worker does it daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        refresh_planner_statistics()
        self.stdout.write(self.style.SUCCESS(_("Database statistics refreshed.")))
