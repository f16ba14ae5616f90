"""What every benchmark shares: percentiles, one child process per database, a fresh PostgreSQL database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run_child(module: str, database_url: str) -> dict[str, Any]:
    """Run `python -m <module> --child <url>` (a clean Django setup per database); its last line is JSON."""
    out = subprocess.run(
        [sys.executable, "-m", module, "--child", database_url],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def recreate_postgres(url: str) -> None:
    """Drop and create the benchmark's own database (never the application's)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_on_databases(module: str) -> list[dict[str, Any]]:
    """One run on a temporary SQLite file, and one on PostgreSQL when BENCH_POSTGRES_URL names a database."""
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        runs.append(run_child(module, f"sqlite:///{tmp}/bench.sqlite3"))
    pg = os.environ.get("BENCH_POSTGRES_URL")
    if pg:
        try:
            recreate_postgres(pg)
        except Exception as exc:
            print(f"PostgreSQL run skipped: {exc}", file=sys.stderr)
        else:
            runs.append(run_child(module, pg))
    return runs


def stop_process(proc: subprocess.Popen[bytes] | None, *, wait: float = 15) -> None:
    """Stop a server the benchmark started: SIGTERM, then SIGKILL if it does not go within `wait` s."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
