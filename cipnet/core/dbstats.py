"""The query planner's statistics, refreshed after bulk loads and once a day.

Both databases choose indexes from statistics about the tables. PostgreSQL's autovacuum keeps them
(`ANALYZE` here only hurries it after a bulk load); SQLite keeps none until asked, and without them
it guessed wrong at 20,000 centres: a box search by coordinates through the status index instead of
the (latitude, longitude) one (20 ms instead of 1), a count by region through the region index with a
table lookup per centre (16 ms instead of 2). Measured for issue 15 (bench/finder.py).
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

#: Rows SQLite samples per index (`PRAGMA analysis_limit`): enough for these tables' shapes, and the
#: whole refresh takes a few milliseconds instead of reading every row.
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_planner_statistics(using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
