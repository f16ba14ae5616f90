"""Page budgets: server CPU milliseconds per request for the public pages and the API lists, beside the
floor (a bare Django project) measured in the same run. Writes bench/results/pages.{json,md}.
Needs `wrk` (Debian: apt-get install wrk).

The product as `make run` and docs/deployment.md serve it: granian, one worker process,
config.asgi:application (pages through Django's WSGI handler, ADR 9), production settings (DEBUG
off, compression, no access log), the demo data as `make demo` loads it — on SQLite (the embedded
default, a file in a temporary directory) and on PostgreSQL (BENCH_PAGES_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/cipnet_bench_pages, dropped and recreated; the pool on).

The API's per-address limits are lifted for the run (API_RATE_ANONYMOUS and API_RATE_USER: both
apply to an anonymous client), as one address sends every request. Each page is asked for again and
again, as in a rush on one page: figures "as served" are of pages kept ready
(cipnet/core/pagecache.py); the same run measures every page "rendered anew" (CIPNET_PAGE_CACHE=0).

The floor is bench/bare.py (startproject's settings and middleware, one view returning a constant),
served the same way (granian ASGI → a2wsgi → WSGI handler) and through granian's own WSGI interface.

For each page wrk (1 thread, BENCH_PAGES_CONNECTIONS=8 keep-alive connections, BENCH_PAGES_SECONDS=5 s)
runs after a one-second warm-up; the floor and the product alternate over BENCH_PAGES_ROUNDS=2 rounds
and the median is kept. CPU per request is the server's user+system CPU (the whole process tree,
from /proc) over the requests answered: robust to a shared machine, where requests per second are
not. The machine's load average is recorded before and after.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.common import recreate_postgres, stop_process
from bench.load import DEMO_COMMANDS, manage
from bench.server import HOST, free_port, tree_cpu_seconds, wait_until_up, wrk

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = os.environ.get("BENCH_PAGES_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/cipnet_bench_pages")
CONNECTIONS = int(os.environ.get("BENCH_PAGES_CONNECTIONS", "8"))
SECONDS = int(os.environ.get("BENCH_PAGES_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_PAGES_ROUNDS", "2"))

#: page → (budget in CPU ms per request, or None for "≤ 2 × floor"; kind of budget)
BUDGETS: dict[str, float | None] = {
    "trivial URL (/favicon.ico, every middleware)": None,
    "home": 5,
    "about": 5,
    "centre page": 5,
    "service card": 5,
    "finder, one place": 10,
    "catalogue search": 10,
    "API centres": 8,
    "API services ?q=пенсія": 8,
    "board.json 200": None,
    "board.json 304": None,
}
FLOORS = ("bare Django, same path (granian → a2wsgi)", "bare Django, granian WSGI")
#: The prefix of the figures measured with CIPNET_PAGE_CACHE off (every page rendered anew).
ANEW = "rendered anew: "
FLOOR_TARGETS = (("asgi", "bench.bare:asgi"), ("wsgi", "bench.bare:wsgi"))

DATA_SCRIPT = """
import json
from cipnet.directory.models import Centre
from cipnet.eservices.models import ServiceCard
from cipnet.equeue.models import QueueConfig
card = ServiceCard.objects.order_by('-popularity')[0].identifier
centre = Centre.objects.select_related('settlement').order_by('pk')[1]
board = QueueConfig.objects.filter(is_enabled=True).select_related('centre').order_by('pk')[0].centre.slug
print(json.dumps({'card': card, 'centre': centre.slug, 'settlement': centre.settlement.name, 'board': board}))
"""


def status_and_etag(url: str, headers: dict[str, str]) -> tuple[int, str]:
    args = ["curl", "-s", "-D", "-", "-o", "/dev/null"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    status = int(out.split()[1])
    etag = next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.lower().startswith("etag:")), "")
    return status, etag


def serve(command: list[str], env: dict[str, str], port: int, log: Path, probe: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    wait_until_up(proc, port, log, probe)
    return proc


def granian(interface: str, target: str, port: int) -> list[str]:
    return [sys.executable, "-m", "granian", "--interface", interface, "--host", HOST, "--port", str(port),
            "--workers", "1", "--no-ws", "--log-level", "warning", "--workers-kill-timeout", "3", target]  # fmt: skip


def measure_pages(
    proc: subprocess.Popen[bytes], port: int, pages: dict[str, tuple[str, dict[str, str]]]
) -> dict[str, dict[str, float]]:
    figures = {}
    for page, (path, headers) in pages.items():
        url = f"http://{HOST}:{port}{path}"
        wrk(url, 1, headers, CONNECTIONS)
        before = tree_cpu_seconds(proc.pid)
        result = wrk(url, SECONDS, headers, CONNECTIONS)
        cpu = tree_cpu_seconds(proc.pid) - before
        result["cpu_ms_per_request"] = 1000 * cpu / max(result["requests"], 1)
        figures[page] = result
    return figures


def page_paths(data: dict[str, str], etag: str) -> dict[str, tuple[str, dict[str, str]]]:
    html = {"Accept-Language": "uk", "Accept": "text/html", "Accept-Encoding": "gzip, br"}
    api = {"Accept": "application/json", "Accept-Encoding": "gzip, br"}
    board = f"/queue/{data['board']}/board.json"
    return {
        "trivial URL (/favicon.ico, every middleware)": ("/favicon.ico", html),
        "home": ("/", html),
        "about": ("/about/", html),
        "centre page": (f"/centres/{data['centre']}/", html),
        "service card": (f"/services/{data['card']}/", html),
        "finder, one place": (f"/centres/?place={quote(data['settlement'])}", html),
        "catalogue search": (f"/services/?q={quote('пенсія')}", html),
        "API centres": ("/api/v1/centres/", api),
        "API services ?q=пенсія": (f"/api/v1/services/?q={quote('пенсія')}", api),
        "board.json 200": (board, api),
        "board.json 304": (board, {**api, "If-None-Match": etag}),
    }


def check_pages(port: int, data: dict[str, str]) -> dict[str, tuple[str, dict[str, str]]]:
    board = f"http://{HOST}:{port}/queue/{data['board']}/board.json"
    _status, etag = status_and_etag(board, {"Accept": "application/json"})
    pages = page_paths(data, etag)
    for page, (path, headers) in pages.items():
        status, _ = status_and_etag(f"http://{HOST}:{port}{path}", headers)
        expected = 304 if page.endswith("304") else 302 if page.startswith("trivial") else 200
        if status != expected:
            raise SystemExit(f"{page}: {path} answered {status}, not {expected}")
    return pages


def run_database(label: str, database_url: str, secret_key: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as var_dir:
        if database_url.startswith("sqlite"):
            database_url = f"sqlite:///{var_dir}/cipnet.sqlite3"
        else:
            recreate_postgres(database_url)
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY=secret_key,
            ALLOWED_HOSTS="127.0.0.1,localhost", SECURE_SSL_REDIRECT="0", DATABASE_URL=database_url,
            CIPNET_VAR_DIR=var_dir, LOG_LEVEL="WARNING",
            API_RATE_ANONYMOUS="1000000/min", API_RATE_USER="1000000/min",
        )  # fmt: skip
        for args in (*DEMO_COMMANDS, ["load_demo_queue"], ["load_demo_reception"], ["collectstatic", "--noinput"]):
            manage(ROOT, env, *args)
        out = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", DATA_SCRIPT],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if out.returncode:
            raise SystemExit(f"finding the pages failed:\n{out.stderr[-3000:]}")
        data = json.loads(out.stdout.strip().splitlines()[-1])
        port = free_port()
        log = Path(var_dir) / "server.log"
        samples: dict[str, list[dict[str, float]]] = {}
        pages: dict[str, tuple[str, dict[str, str]]] = {}
        for _ in range(ROUNDS):
            for floor, (interface, target) in zip(FLOORS, FLOOR_TARGETS, strict=True):
                proc = serve(granian(interface, target, port), env, port, log, "/")
                try:
                    floor_figures = measure_pages(proc, port, {floor: ("/", {})})
                finally:
                    stop_process(proc)
                samples.setdefault(floor, []).append(floor_figures[floor])
            for mode, cache_on in (("", "1"), (ANEW, "0")):
                proc = serve(
                    granian("asgi", "config.asgi:application", port), {**env, "CIPNET_PAGE_CACHE": cache_on}, port,
                    log, "/about/",
                )  # fmt: skip
                try:
                    if not pages:
                        pages = check_pages(port, data)
                    for page, figures in measure_pages(proc, port, pages).items():
                        samples.setdefault(mode + page, []).append(figures)
                finally:
                    stop_process(proc)
    results = {}
    for page, values in samples.items():
        results[page] = {
            "cpu_ms_per_request": round(statistics.median(v["cpu_ms_per_request"] for v in values), 2),
            "rps": round(statistics.median(v["rps"] for v in values), 1),
            "non_2xx": sum(int(v["non_2xx"]) for v in values if not page.endswith("304")),
            "path": pages[page.removeprefix(ANEW)][0] if page.removeprefix(ANEW) in pages else "/",
        }
    return {"database": label, "pages": results}


def verdicts(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    pages = run["pages"]
    floor = pages[FLOORS[0]]["cpu_ms_per_request"]
    out = {}
    for page, budget in BUDGETS.items():
        cpu = pages[page]["cpu_ms_per_request"]
        if page.startswith("trivial"):
            limit: float | None = 2 * floor
        else:
            limit = budget
        out[page] = {
            "limit_ms": None if limit is None else round(limit, 2),
            "met": None if limit is None else cpu <= limit,
        }
    return out


def main(argv: list[str]) -> None:
    if subprocess.run(["which", "wrk"], capture_output=True, check=False).returncode != 0:
        raise SystemExit("bench pages needs wrk (Debian: apt-get install wrk)")
    load_before = os.getloadavg()
    secret_key = secrets.token_urlsafe(50)
    runs = [run_database("SQLite", "sqlite:///", secret_key)]
    try:
        recreate_postgres(POSTGRES_URL)
    except Exception as exc:
        print(f"PostgreSQL run skipped: {exc}", file=sys.stderr)
    else:
        runs.append(run_database("PostgreSQL", POSTGRES_URL, secret_key))
    for run in runs:
        run["budgets"] = verdicts(run)
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "server": "granian, 1 worker, config.asgi:application (pages through Django's WSGI handler), "
        "production settings",
        "wrk": f"1 thread, {CONNECTIONS} connections, {SECONDS} s per page, median of {ROUNDS} rounds",
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pages.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    (RESULTS / "pages.md").write_text(markdown(report))
    print(markdown(report))


def markdown(report: dict[str, Any]) -> str:
    runs = report["runs"]
    lines = [
        "# Page budgets: server CPU ms per request",
        "",
        f"{report['date']} · {report['machine']} · {report['server']} · wrk {report['wrk']} · "
        f"load average before {report['load_average_before']}, after {report['load_average_after']}",
        "",
        "CPU ms per request (user+system of the server's process tree over the requests answered) / requests "
        "per second, as served (public pages kept ready for visitors who are not signed in, "
        "cipnet/core/pagecache.py), and beside it the CPU ms of the same page rendered anew for every "
        "request (CIPNET_PAGE_CACHE off: what the first visitor after a change, or a signed-in one, costs). "
        "The floor is a bare Django project measured in the same run; the trivial URL's budget is 2 × the "
        "floor served the same way.",
        "",
        "| page | budget | "
        + " | ".join(f"{r['database']}: CPU ms / rps | {r['database']}: rendered anew, CPU ms" for r in runs)
        + " |",
        "|---|---:|" + "---:|---:|" * len(runs),
    ]
    for page in [*FLOORS, *BUDGETS]:
        cells = []
        budget = ""
        for run in runs:
            figures = run["pages"][page]
            verdict = run["budgets"].get(page)
            mark = ""
            if verdict and verdict["met"] is not None:
                mark = " ✓" if verdict["met"] else " ✗"
                budget = f"≤ {verdict['limit_ms']:.2f}" if page.startswith("trivial") else f"≤ {verdict['limit_ms']:g}"
            cells.append(f"{figures['cpu_ms_per_request']:.2f}{mark} / {figures['rps']:.0f}")
            anew = run["pages"].get(ANEW + page)
            cells.append(f"{anew['cpu_ms_per_request']:.2f}" if anew else "")
        if page.startswith("trivial"):
            budget = "≤ 2 × floor (" + ", ".join(f"{r['budgets'][page]['limit_ms']:.2f}" for r in runs) + ")"
        lines.append(f"| {page} | {budget} | " + " | ".join(cells) + " |")
    bad = sum(f["non_2xx"] for r in runs for f in r["pages"].values())
    lines += ["", f"Answers other than 2xx/3xx in all runs: {bad}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main(sys.argv[1:])
