"""The production server: requests per second and server CPU per request, 1 and 2 worker processes.
Writes bench/results/server.json and server.md. Needs `wrk` (Debian: apt-get install wrk).

A throw-away PostgreSQL database (BENCH_SERVER_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/cipnet_bench_server, dropped and recreated) gets the demo data as
`make demo` loads it; static files are collected; production settings (DEBUG off, no access log).

Set-ups, each with 1 and 2 worker processes on 127.0.0.1:
- `granian` — the product (`make run`, docs/deployment.md): granian serving config.asgi:application,
  pages through Django's WSGI handler (a2wsgi), streams through its ASGI handler (ADR 9);
- `uvicorn` — the same application under uvicorn;
- `uvicorn, Django ASGI` — uvicorn serving Django's ASGI handler for everything (how pages were
  served before ADR 9; `config.asgi:django_application`, without the admission gate).

For each page, wrk (1 thread, BENCH_SERVER_CONNECTIONS=16 keep-alive connections,
BENCH_SERVER_SECONDS=8 s) runs after one warm-up second; set-ups are interleaved over
BENCH_SERVER_ROUNDS=2 rounds and the median is kept. Server CPU per request is the server
processes' user+system CPU time (from /proc, the whole process tree) over the run, divided by the
requests answered: robust to a shared machine, where requests per second are not. The machine's
load average before the run is recorded beside the figures.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import recreate_postgres, stop_process
from bench.load import DEMO_COMMANDS, manage

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = os.environ.get("BENCH_SERVER_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/cipnet_bench_server")
CONNECTIONS = int(os.environ.get("BENCH_SERVER_CONNECTIONS", "16"))
SECONDS = int(os.environ.get("BENCH_SERVER_SECONDS", "8"))
ROUNDS = int(os.environ.get("BENCH_SERVER_ROUNDS", "2"))
HOST = "127.0.0.1"
PAGES = {"home": "/", "service card": None, "API centres": "/api/v1/centres/"}  # the card is found in the data
WORKERS = (1, 2)


def setups(port: int) -> dict[str, list[str]]:
    py = sys.executable
    bind = ["--host", HOST, "--port", str(port)]
    return {
        "granian": [py, "-m", "granian", "--interface", "asgi", *bind, "--no-ws", "--log-level", "warning",
                    "--workers-kill-timeout", "3", "config.asgi:application"],
        "uvicorn": [py, "-m", "uvicorn", "config.asgi:application", *bind, "--lifespan", "off",
                    "--log-level", "warning", "--no-access-log", "--timeout-graceful-shutdown", "3"],
        "uvicorn, Django ASGI": [py, "-m", "uvicorn", "config.asgi:django_application", *bind, "--lifespan", "off",
                                 "--log-level", "warning", "--no-access-log", "--timeout-graceful-shutdown", "3"],
    }  # fmt: skip


def with_workers(name: str, command: list[str], workers: int) -> list[str]:
    return (
        [*command[:-1], "--workers", str(workers), command[-1]]
        if name == "granian"
        else [*command, "--workers", str(workers)]
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child, parent = int(entry.name), int(fields[1])
        children.setdefault(parent, []).append(child)
        stats[child] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats.get(current, 0.0)
        todo.extend(children.get(current, []))
    return total


def wait_until_up(proc: subprocess.Popen[bytes], port: int, log: Path, probe: str = "/about/") -> None:
    """Wait until `probe` answers 200; the server's log tail if it exits or is not up within a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()[-3000:]}")
        out = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"http://{HOST}:{port}{probe}"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if out.stdout == "200":
            return
        time.sleep(0.3)
    stop_process(proc)
    raise SystemExit(f"the server did not start:\n{log.read_text()[-3000:]}")


def wrk(
    url: str, seconds: int, headers: dict[str, str] | None = None, connections: int | None = None
) -> dict[str, float]:
    """wrk with one thread and keep-alive connections; requests, rps, non-2xx/3xx count and p50."""
    args = ["wrk", "-t1", f"-c{connections or CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in (headers if headers is not None else {"Accept-Language": "uk"}).items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "non_2xx": int(errors.group(1)) if errors else 0,
        "p50_ms": float(p50.group(1)) * scale[p50.group(2)] if p50 else 0.0,
    }


def measure(
    name: str, command: list[str], workers: int, env: dict[str, str], paths: dict[str, str], log_dir: Path
) -> dict[str, Any]:
    port = int(command[command.index("--port") + 1])
    log = log_dir / f"{name.replace(' ', '_').replace(',', '')}-{workers}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            with_workers(name, command, workers), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(proc, port, log)
            figures = {}
            for page, path in paths.items():
                url = f"http://{HOST}:{port}{path}"
                wrk(url, 1)  # warm-up: imports, templates, caches, every worker
                cpu_before = tree_cpu_seconds(proc.pid)
                result = wrk(url, SECONDS)
                cpu = tree_cpu_seconds(proc.pid) - cpu_before
                result["cpu_ms_per_request"] = round(1000 * cpu / max(result["requests"], 1), 2)
                figures[page] = result
            return figures
        finally:
            stop_process(proc)


def main(argv: list[str]) -> None:
    if subprocess.run(["which", "wrk"], capture_output=True, check=False).returncode != 0:
        raise SystemExit("bench server needs wrk (Debian: apt-get install wrk)")
    load_before = os.getloadavg()
    secret_key = secrets.token_urlsafe(50)
    with tempfile.TemporaryDirectory() as var_dir:
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY=secret_key,
            ALLOWED_HOSTS="127.0.0.1,localhost", SECURE_SSL_REDIRECT="0", DATABASE_URL=POSTGRES_URL,
            CIPNET_VAR_DIR=var_dir, LOG_LEVEL="WARNING",
            API_RATE_ANONYMOUS="1000000/min", API_RATE_USER="1000000/min",  # one address sends everything
        )  # fmt: skip
        recreate_postgres(POSTGRES_URL)
        for args in DEMO_COMMANDS:
            manage(ROOT, env, *args)
        manage(ROOT, env, "collectstatic", "--noinput")
        card = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c",
             "from cipnet.eservices.models import ServiceCard as C; "
             "print(C.objects.order_by('-popularity')[0].identifier)"],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        paths = {page: (path or f"/services/{card}/") for page, path in PAGES.items()}
        port = free_port()
        commands = setups(port)
        rounds: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for _ in range(ROUNDS):
            for workers in WORKERS:
                for name, command in commands.items():
                    print(f"{name}, {workers} worker(s)…", file=sys.stderr)
                    rounds.setdefault((name, workers), []).append(
                        measure(name, command, workers, env, paths, Path(var_dir))
                    )
    runs = []
    for (name, workers), measured in rounds.items():
        pages = {}
        for page in paths:
            values = [m[page] for m in measured]
            pages[page] = {
                "rps": round(statistics.median(v["rps"] for v in values), 1),
                "cpu_ms_per_request": round(statistics.median(v["cpu_ms_per_request"] for v in values), 2),
                "p50_ms": round(statistics.median(v["p50_ms"] for v in values), 2),
                "non_2xx": sum(v["non_2xx"] for v in values),
            }
        runs.append({"setup": name, "workers": workers, "pages": pages})
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "database": "PostgreSQL (demo data)",
        "wrk": f"1 thread, {CONNECTIONS} connections, {SECONDS} s per page, median of {ROUNDS} interleaved rounds",
        "paths": paths,
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "server.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    (RESULTS / "server.md").write_text(markdown(report))
    print(markdown(report))


def markdown(report: dict[str, Any]) -> str:
    by = {(r["setup"], r["workers"]): r["pages"] for r in report["runs"]}
    pages = list(report["paths"])
    lines = [
        "# Production server: 1 and 2 worker processes",
        "",
        f"{report['date']} · {report['machine']} · {report['database']} · wrk {report['wrk']} · "
        f"load average before {report['load_average_before']}, after {report['load_average_after']}",
        "",
        "Requests per second / server CPU ms per request (user+system of the whole process tree). Pages as "
        "served: public pages and API lists kept ready for visitors who are not signed in (ADR 10); "
        "`bench/results/pages.md` has each page rendered anew too.",
        "",
        "| set-up | workers | " + " | ".join(pages) + " | 2 workers ÷ 1 (rps) |",
        "|---|---:|" + "---:|" * len(pages) + "---|",
    ]
    for (setup, workers), figures in by.items():
        cells = [f"{figures[p]['rps']:.0f} / {figures[p]['cpu_ms_per_request']:.2f}" for p in pages]
        ratio = ""
        if workers == 2 and (setup, 1) in by:
            one = by[(setup, 1)]
            ratio = ", ".join(f"{figures[p]['rps'] / max(one[p]['rps'], 0.1):.2f}×" for p in pages)
        lines.append(f"| {setup} | {workers} | " + " | ".join(cells) + f" | {ratio} |")
    bad = sum(f[p]["non_2xx"] for f in by.values() for p in pages)
    lines += ["", f"Non-2xx answers in all runs: {bad}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main(sys.argv[1:])
