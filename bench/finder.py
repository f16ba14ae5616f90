"""Finder benchmark: the public list and the "near me" query over 20,000 generated centres.

Runs on a throw-away database: SQLite in a temporary folder, and PostgreSQL too when
BENCH_POSTGRES_URL is set (a database it may drop and recreate). Reports p50/p95 latency
and queries per request; writes bench/results/finder.json and finder.md.
"""

from __future__ import annotations

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
REPEAT = int(os.environ.get("BENCH_REPEAT", "60"))


def run_one(database_url: str) -> dict[str, Any]:
    """Runs in a child process so each database gets a clean Django setup."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cipnet.directory.models import (
        Centre,
        HostInstitution,
        HostKind,
        OpeningHours,
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
    from cipnet.directory.models import Region

    region_by_oblast = dict(Region.objects.values_list("territory_id", "pk"))
    host = HostInstitution.objects.create(
        name="Bench library system", kind=HostKind.LIBRARY_SYSTEM, settlement_id=settlements[0][0]
    )
    started = time.perf_counter()
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
            )
        )
    Centre.objects.bulk_create(batch, batch_size=2000)
    ids = list(Centre.objects.values_list("pk", flat=True))
    hours = [
        OpeningHours(centre_id=cid, weekday=d, opens=f"{o:02d}:00", closes=f"{c:02d}:00")
        for cid in ids
        for d in range(5)
        for o, c in ((9, 13), (14, 18))
    ]
    OpeningHours.objects.bulk_create(hours, batch_size=5000)
    generate_seconds = time.perf_counter() - started

    client = Client()
    cases = {
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
    measurements: dict[str, dict[str, float]] = {}
    for label, url in cases.items():
        client.get(url)  # warm caches
        timings = []
        queries = 0
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            queries = len(ctx.captured_queries)
        measurements[label] = {
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "queries": queries,
        }
    return {
        "database": connection.vendor,
        "centres": Centre.objects.count(),
        "territories": Territory.objects.count(),
        "import_katottg_seconds": round(import_seconds, 1),
        "generate_seconds": round(generate_seconds, 1),
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
        f"{REPEAT} requests per case after one warm-up.",
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
