"""What every benchmark shares: percentiles, one child process per database, a fresh PostgreSQL database."""

from __future__ import annotations

import json
import subprocess
import sys
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
