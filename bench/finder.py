"""Finder benchmark: the public list and the "near me" query over 20,000 generated centres.

Runs on a throw-away database: SQLite in a temporary folder, and PostgreSQL too when
BENCH_POSTGRES_URL is set (a database it may drop and recreate). Reports p50/p95 latency
and queries per request; writes bench/results/finder.json and finder.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import percentile, run_on_databases

RESULTS = Path(__file__).resolve().parent / "results"
CENTRES = int(os.environ.get("BENCH_CENTRES", "20000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "100"))
OPEN_HOURS_MOMENT = dt.datetime(2026, 12, 9, 9, 0, tzinfo=dt.UTC)


CASES = {
    "list, first page": "/centres/",
    "list, one region": "/centres/?region=lvivska",
    "list, open now + feature": "/centres/?open_now=on&features=step_free",
    "place search 'Миколаїв' (ambiguous)": "/centres/?place=Миколаїв",
    "place search 'у Стрию' → hromada/raion/oblast": "/centres/?place=у+Стрию",
    "near me (Mykolaiv), 20 nearest": "/centres/?lat=46.9659&lon=31.9974",
    "near me (rural Zhytomyr), 20 nearest": "/centres/?lat=50.9&lon=28.1",
    "API list, first page": "/api/v1/centres/",
    "API near me": "/api/v1/centres/?near=49.84,24.03",
}


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection

    # Connections kept between requests, as in production (SQLite: DATABASE_CONN_MAX_AGE; PostgreSQL:
    # the pool). The test settings open one per request, which costs PostgreSQL 5-10 ms each time.
    connection.settings_dict["CONN_MAX_AGE"] = 300
    # A Wednesday at 11:00 in Kyiv, whenever the benchmark runs: "open now" finds the centres open.
    from django.utils import timezone

    timezone.now = lambda: OPEN_HOURS_MOMENT


def populate() -> dict[str, float]:
    """Migrate, import the codifier and generate the centres (with hours and features); seconds taken."""
    from django.core.management import call_command

    from cipnet.directory.models import (
        Centre,
        CentreFeature,
        HostInstitution,
        HostKind,
        OpeningHours,
        Region,
        Territory,
    )

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("import_katottg", verbosity=0)
    import_seconds = time.perf_counter() - started

    rng = random.Random(20261121)
    settlements = list(
        Territory.objects.filter(level__in=["M", "X", "C"]).exclude(oblast__code__in=["UA01000000000013043"])
        .values_list("pk", "oblast_id")
    )  # fmt: skip
    region_by_oblast = dict(Region.objects.values_list("territory_id", "pk"))
    host = HostInstitution.objects.create(
        name="Bench library system", kind=HostKind.LIBRARY_SYSTEM, settlement_id=settlements[0][0]
    )
    started = time.perf_counter()
    # Every centre open 9-13 and 14-18 on weekdays: its hours below, and hour by hour on its own row as
    # `services.centre_set_hours` writes it (written here with the row, not as a second pass over 20,000).
    from cipnet.directory.hours import Interval, week_by_hour

    weekdays_with_lunch = {d: [Interval(dt.time(o), dt.time(c)) for o, c in ((9, 13), (14, 18))] for d in range(5)}
    week = week_by_hour(weekdays_with_lunch)
    batch: list[Centre] = []
    for i in range(CENTRES):
        settlement_id, oblast_id = rng.choice(settlements)
        batch.append(
            Centre(
                slug=f"bench-{i}",
                name=f"Bench centre {i}",
                host=host,
                region_id=region_by_oblast[oblast_id],
                settlement_id=settlement_id,
                address=f"вул. Тестова, {i}",
                latitude=rng.uniform(44.6, 52.2),
                longitude=rng.uniform(22.3, 40.0),
                status="active" if rng.random() < 0.95 else "planned",
                public_computers=rng.randint(1, 12),
                week_by_hour=week,
            )
        )
    Centre.objects.bulk_create(batch, batch_size=2000)
    ids = list(Centre.objects.values_list("pk", flat=True))
    hours = [
        OpeningHours(centre_id=cid, weekday=d, opens=i.opens, closes=i.closes)
        for cid in ids
        for d, intervals in weekdays_with_lunch.items()
        for i in intervals
    ]
    OpeningHours.objects.bulk_create(hours, batch_size=5000)
    # About a third of centres are step-free (the seeds' libraries: ramps and ground floors are common).
    CentreFeature.objects.bulk_create(
        [CentreFeature(centre_id=cid, feature="step_free") for cid in ids if rng.random() < 0.35], batch_size=5000
    )
    return {"import_katottg_seconds": import_seconds, "generate_seconds": time.perf_counter() - started}


def measure(cases: dict[str, str], repeat: int) -> dict[str, dict[str, float]]:
    """Each case `repeat` times, the cases taken in turn (round after round), so that a burst of load from
    elsewhere on a shared machine falls on every case alike rather than on whichever ran then."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    timings: dict[str, list[float]] = {label: [] for label in cases}
    queries: dict[str, int] = {}
    for url in cases.values():
        client.get(url)  # warm caches
    for _ in range(repeat):
        for label, url in cases.items():
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                timings[label].append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            queries[label] = len(ctx.captured_queries)
    return {
        label: {
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "queries": queries[label],
        }
        for label, values in timings.items()
    }


def run_one(database_url: str) -> dict[str, Any]:
    """Runs in a child process so each database gets a clean Django setup."""
    setup(database_url)
    from django.db import connection

    from cipnet.directory.models import Centre, Territory

    seconds = populate()
    # As a production database after the codifier's import and the worker's daily run (cipnet.core.dbstats),
    # and as a web process after loading (cipnet.core.heap, config/wsgi.py and asgi.py).
    from cipnet.core import dbstats, heap

    dbstats.refresh_planner_statistics()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")  # what autovacuum does after a bulk insert: index-only scans
            cursor.execute("CHECKPOINT")  # the bulk insert's pages written now, not during the measurement
    heap.settle()
    measurements = measure(CASES, REPEAT)
    return {
        "database": connection.vendor,
        "centres": Centre.objects.count(),
        "territories": Territory.objects.count(),
        "import_katottg_seconds": round(seconds["import_katottg_seconds"], 1),
        "generate_seconds": round(seconds["generate_seconds"], 1),
        "requests_per_case": REPEAT,
        "cases": measurements,
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(run_one(argv[1])))
        return
    runs = run_on_databases("bench.finder")
    report = {
        "benchmark": "finder",
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "finder.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    lines = [
        "# Finder benchmark",
        "",
        f"{report['when']} — {report['machine']}. Through Django's test client (no network), "
        f"{REPEAT} requests per case after one warm-up, the cases in turn; the planner's statistics "
        "refreshed after the data is generated (as after an import and daily), the heap settled as a web "
        "process's is after loading, database connections kept between requests (as production's pool and "
        "DATABASE_CONN_MAX_AGE do); PostgreSQL vacuumed and checkpointed after the bulk load.",
        "",
    ]
    for run in runs:
        lines += [
            f"## {run['database']}: {run['centres']:,} centres, {run['territories']:,} territories",
            "",
            f"KATOTTG import: {run['import_katottg_seconds']} s; data generation: {run['generate_seconds']} s.",
            "",
            "| case | p50 ms | p95 ms | queries |",
            "|---|---:|---:|---:|",
        ]
        lines += [f"| {k} | {v['p50_ms']} | {v['p95_ms']} | {v['queries']} |" for k, v in run["cases"].items()]
        lines.append("")
    (RESULTS / "finder.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
