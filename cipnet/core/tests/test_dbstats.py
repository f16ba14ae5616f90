"""The query planner's statistics (cipnet.core.dbstats): refreshed by a command, after the codifier's
import and by the worker's daily run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def _statistics_rows() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return 0
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'directory_territory'")
        else:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stats"
                " WHERE tablename = 'directory_territory' AND schemaname = current_schema()"
            )
        return int(cursor.fetchone()[0])


def _forget_statistics() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is not None:
                cursor.execute("DELETE FROM sqlite_stat1")
        else:
            # The test database is new: PostgreSQL has no statistics for a table until it is analysed.
            cursor.execute("SELECT 1")


def test_the_command_gives_the_planner_statistics_of_the_tables() -> None:
    from cipnet.directory.models import Territory, TerritoryLevel

    Territory.objects.create(code="UA99000000000000001", level=TerritoryLevel.OBLAST, name="Тестова")
    _forget_statistics()
    out = StringIO()
    call_command("analyze_database", stdout=out)
    assert _statistics_rows() > 0
    assert out.getvalue().strip()


def test_the_daily_run_refreshes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from cipnet.appeals import tasks

    calls: list[str] = []
    monkeypatch.setattr(tasks, "refresh_planner_statistics", lambda: calls.append("refreshed"))
    tasks.daily_reminders.call()
    assert calls == ["refreshed"]
