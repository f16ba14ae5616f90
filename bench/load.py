"""Load on one server with PostgreSQL: 300 concurrent clients, a realistic mix of reads and a few
writes. Writes bench/results/load.json and load.md.

A throw-away PostgreSQL database (BENCH_LOAD_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/cipnet_bench_load, dropped and recreated) gets the demo data
as `make demo` loads it (migrate, import_katottg, load_demo, load_catalogue,
load_demo_consultations) and a consultant's API token; static files are collected (production
settings serve them from the manifest). Then, for each set-up, one uvicorn process serves
`config.asgi:application` with production settings (DEBUG off, no access log) on 127.0.0.1, and
BENCH_LOAD_CLIENTS (300) clients, each on its own keep-alive connection, start together and take
requests from one shuffled list until it is empty:

- reads (BENCH_LOAD_READS, 480, in six equal parts): the home page, the finder with a query, a
  centre's page, the catalogue's search, the API's centres (anonymous) and services (a search,
  with the token);
- writes (BENCH_LOAD_WRITES, 12): consultation records through the API with the token and an
  `Idempotency-Key`; afterwards the database must hold exactly one entry per 201.

Recorded per set-up: the status counts (a 500 fails the run; a 503 must carry Retry-After),
latency percentiles, the wall time, and the largest number of the server's PostgreSQL sessions on
the benchmark's database (`pg_stat_activity`, sampled every 50 ms from another database).

Set-ups (BENCH_LOAD_SETUPS, default "no-pool,pool-ungated,pool"): `pool` is the product as
configured (Django's psycopg pool, DATABASE_POOL_MAX_SIZE etc. from the environment, defaults 10
and 3 s, and the admission gate of config/asgi.py letting in as many requests as the pool has
connections); `pool-ungated` is the pool without the gate (every request gets a thread at once);
`no-pool` is DATABASE_POOL=0 without the gate (one connection per request in flight, as before);
`before` runs the code of another checkout (BENCH_LOAD_BEFORE_DIR, e.g. `git archive` of an
older commit) against the same database, to reproduce what an older version did. Everything is
bounded: BENCH_LOAD_SECONDS (120) for a whole run, 60 s per request; 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from bench.common import percentile, recreate_postgres, stop_process
from bench.equeue import HttpConnection

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = os.environ.get("BENCH_LOAD_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/cipnet_bench_load")
CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "300"))
READS = int(os.environ.get("BENCH_LOAD_READS", "480"))
WRITES = int(os.environ.get("BENCH_LOAD_WRITES", "12"))
RUN_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "120"))
REQUEST_SECONDS = 60.0
PORT = int(os.environ.get("BENCH_LOAD_PORT", "8793"))
SETUPS = [s.strip() for s in os.environ.get("BENCH_LOAD_SETUPS", "no-pool,pool-ungated,pool").split(",") if s.strip()]
BEFORE_DIR = os.environ.get("BENCH_LOAD_BEFORE_DIR", "")
HOST = "127.0.0.1"
#: A gate so wide that it lets every request in (the set-ups without it).
UNGATED = "100000"
SERVER_ARGS = ["--lifespan", "off", "--no-access-log", "--log-level", "warning", "--timeout-graceful-shutdown", "3"]
#: As `make demo` (load_demo --force: production settings have no demo mode).
DEMO_COMMANDS = (
    ["migrate", "--noinput"],
    ["import_katottg", "--if-empty"],
    ["load_demo", "--force"],
    ["load_catalogue"],
    ["load_demo_consultations"],
)
READ_KINDS = ("home", "finder", "centre page", "catalogue search", "API centres", "API services")


def django_env(secret_key: str, var_dir: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=POSTGRES_URL,
        CIPNET_VAR_DIR=var_dir,
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(app_dir: Path, env: dict[str, str], *args: str) -> None:
    out = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=app_dir, env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{out.stderr[-3000:]}")


def child_setup() -> dict[str, Any]:
    """In a child with DATABASE_URL: the consultant's token and what the requests need."""
    import django

    django.setup()
    from rest_framework.authtoken.models import Token

    from cipnet.accounts.models import Membership, Role, User
    from cipnet.directory.models import Centre
    from cipnet.eservices.models import ServiceCard

    # The benchmark's own consultant (demo accounts sign in only in demo mode, which production lacks).
    demo = Membership.objects.filter(role=Role.CONSULTANT, centre__isnull=False).select_related("centre").first()
    if demo is None or demo.centre is None:
        raise SystemExit("load_demo made no consultant with a centre")
    user = User.objects.create_user(username="bench-load", password=secrets.token_urlsafe(16))
    home = demo.centre
    Membership.objects.create(user=user, role=Role.CONSULTANT, centre=home)
    token = Token.objects.create(user=user)
    card = ServiceCard.objects.order_by("pk").first()
    if card is None:
        raise SystemExit("load_catalogue made no card")
    centre = Centre.objects.exclude(pk=home.pk).select_related("settlement").order_by("pk").first() or home
    return {
        "token": token.key,
        "user": user.pk,
        "write_centre": home.pk,
        "card": card.identifier,
        "centre_slug": centre.slug,
        "settlement": centre.settlement.name,
    }


def child_count(user: int) -> dict[str, Any]:
    import django

    django.setup()
    from cipnet.consultations.models import Consultation

    return {"entries": Consultation.objects.filter(author_id=user).count()}


def run_child(flag: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.load", flag, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench.load {flag} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def work_list(data: dict[str, Any]) -> list[tuple[str, str, str, dict[str, str], bytes]]:
    """(kind, method, path, headers, body) for every request of a run, shuffled with a fixed seed."""
    token = {"Authorization": f"Token {data['token']}", "Accept": "application/json"}
    html = {"Accept-Language": "uk", "Accept": "text/html"}
    reads = {
        "home": ("/", html),
        "finder": (f"/centres/?place={quote(data['settlement'])}", html),
        "centre page": (f"/centres/{data['centre_slug']}/", html),
        "catalogue search": (f"/services/?q={quote('пенсія')}", html),
        "API centres": ("/api/v1/centres/", {"Accept": "application/json"}),
        "API services": (f"/api/v1/services/?q={quote('паспорт')}", token),
    }
    items = []
    for i in range(READS):
        kind = READ_KINDS[i % len(READ_KINDS)]
        path, headers = reads[kind]
        items.append((kind, "GET", path, headers, b""))
    for _ in range(WRITES):
        body = {
            "centre": data["write_centre"],
            "help_kind": "eservice",
            "outcome": "completed",
            "services": [{"card": data["card"]}],
        }
        headers = {**token, "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        items.append(("API write", "POST", "/api/v1/consultations/", headers, json.dumps(body).encode()))
    random.Random(13).shuffle(items)
    return items


class Sampler(threading.Thread):
    """The server's sessions on the benchmark's database, every 50 ms, from the `postgres` database."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop_event = threading.Event()
        self.samples: list[int] = []
        self.others: list[int] = []

    def run(self) -> None:
        import psycopg

        base, name = POSTGRES_URL.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            while not self.stop_event.is_set():
                row = conn.execute(
                    "SELECT count(*) FILTER (WHERE datname = %s),"
                    " count(*) FILTER (WHERE backend_type = 'client backend') FROM pg_stat_activity",
                    (name,),
                ).fetchone()
                assert row is not None
                self.samples.append(int(row[0]))
                self.others.append(int(row[1]) - int(row[0]) - 1)  # other databases' clients (not this one)
                time.sleep(0.05)


async def client(queue: list[Any], start: asyncio.Event, results: list[dict[str, Any]], deadline: float) -> None:
    conn = HttpConnection(PORT)
    await start.wait()
    try:
        while queue and time.monotonic() < deadline:
            kind, method, path, headers, body = queue.pop()
            t0 = time.perf_counter()
            try:
                status, head, _body = await asyncio.wait_for(
                    conn.request(method, path, headers, body), timeout=min(REQUEST_SECONDS, deadline - time.monotonic())
                )
                outcome = str(status)
            except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                status, head, outcome = 0, {}, f"no answer ({type(exc).__name__})"
                await conn.close()
            results.append(
                {
                    "kind": kind,
                    "status": outcome,
                    "ms": (time.perf_counter() - t0) * 1000,
                    "retry_after": "retry-after" in head,
                }
            )
    finally:
        await conn.close()


async def drive(data: dict[str, Any]) -> tuple[list[dict[str, Any]], float]:
    queue = work_list(data)
    start = asyncio.Event()
    results: list[dict[str, Any]] = []
    deadline = time.monotonic() + RUN_SECONDS
    tasks = [asyncio.create_task(client(queue, start, results, deadline)) for _ in range(CLIENTS)]
    await asyncio.sleep(0.5)  # every task waits at the start line
    t0 = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    return results, time.perf_counter() - t0


class Server:
    def __init__(self, app_dir: Path, env: dict[str, str], log_dir: Path) -> None:
        self.app_dir, self.env = app_dir, env
        self.log_path = log_dir / f"uvicorn-{time.monotonic_ns()}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    async def start(self) -> None:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", HOST, "--port", str(PORT),
             *SERVER_ARGS],
            cwd=self.app_dir, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            with contextlib.suppress(OSError, ConnectionError, ValueError):
                conn = HttpConnection(PORT)
                status, _h, _b = await conn.request("GET", "/about/", {"Accept-Language": "uk"})
                await conn.close()
                if status == 200:
                    return
            await asyncio.sleep(0.3)
        self.stop()
        raise SystemExit(f"uvicorn did not start:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        stop_process(self.proc)
        if self._log is not None:
            self._log.close()


async def warm_up(data: dict[str, Any]) -> None:
    """One request of each kind, in turn (imports, templates, caches), not counted."""
    conn = HttpConnection(PORT)
    try:
        seen = set()
        for kind, method, path, headers, body in work_list(data):
            if kind not in seen and method == "GET":
                seen.add(kind)
                await conn.request(method, path, headers, body)
    finally:
        await conn.close()


def summarise(results: list[dict[str, Any]], seconds: float, sampler: Sampler) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    kinds: dict[str, dict[str, int]] = {}
    for r in results:
        per = kinds.setdefault(r["kind"], {})
        per[r["status"]] = per.get(r["status"], 0) + 1
    ms = [r["ms"] for r in results]
    ok = [r["ms"] for r in results if r["status"].startswith(("2", "3"))]
    busy = [r for r in results if r["status"] == "503"]
    return {
        "requests": len(results),
        "planned": READS + WRITES,
        "seconds": round(seconds, 2),
        "statuses": dict(sorted(statuses.items())),
        "by_kind": {k: dict(sorted(v.items())) for k, v in sorted(kinds.items())},
        "server_errors_500": sum(n for s, n in statuses.items() if s.startswith("5") and s != "503"),
        "busy_503": len(busy),
        "busy_503_without_retry_after": sum(1 for r in busy if not r["retry_after"]),
        "busy_503_p95_ms": round(percentile([r["ms"] for r in busy], 0.95)) if busy else None,
        "p50_ms": round(statistics.median(ms)) if ms else None,
        "p95_ms": round(percentile(ms, 0.95)) if ms else None,
        "p99_ms": round(percentile(ms, 0.99)) if ms else None,
        "max_ms": round(max(ms)) if ms else None,
        "answered_ok_p95_ms": round(percentile(ok, 0.95)) if ok else None,
        "pg_sessions_max": max(sampler.samples, default=0),
        "pg_sessions_median": round(statistics.median(sampler.samples)) if sampler.samples else 0,
        "other_databases_clients_max": max(sampler.others, default=0),
    }


def setups(secret_key: str, var_dir: str) -> list[tuple[str, Path, dict[str, str]]]:
    chosen = []
    for name in SETUPS:
        if name == "pool":
            chosen.append((name, ROOT, django_env(secret_key, var_dir)))
        elif name == "pool-ungated":
            chosen.append((name, ROOT, django_env(secret_key, var_dir, WEB_MAX_REQUESTS_IN_FLIGHT=UNGATED)))
        elif name == "no-pool":
            chosen.append(
                (name, ROOT, django_env(secret_key, var_dir, DATABASE_POOL="0", WEB_MAX_REQUESTS_IN_FLIGHT=UNGATED))
            )
        elif name == "before":
            if not BEFORE_DIR:
                raise SystemExit("The `before` set-up needs BENCH_LOAD_BEFORE_DIR (a checkout of the older code).")
            chosen.append((name, Path(BEFORE_DIR), django_env(secret_key, var_dir)))
        else:
            raise SystemExit(f"Unknown set-up {name!r}: choose from pool, pool-ungated, no-pool, before.")
    return chosen


async def run_all() -> dict[str, Any]:
    import psycopg

    secret_key = secrets.token_urlsafe(50)
    with tempfile.TemporaryDirectory() as var_dir:
        env = django_env(secret_key, var_dir)
        chosen = setups(secret_key, var_dir)
        recreate_postgres(POSTGRES_URL)
        started = time.perf_counter()
        for args in DEMO_COMMANDS:
            manage(ROOT, env, *args)
        for app_dir in {app_dir for _name, app_dir, _env in chosen}:
            manage(app_dir, env, "collectstatic", "--noinput")
        data = run_child("--setup", env)
        setup_seconds = time.perf_counter() - started
        base, _name = POSTGRES_URL.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            row = conn.execute("SHOW max_connections").fetchone()
            max_connections = int(row[0]) if row else 0
        runs = []
        for name, app_dir, run_env in chosen:
            before = run_child("--count", env, str(data["user"]))["entries"]
            server = Server(app_dir, run_env, Path(var_dir))
            await server.start()
            try:
                await warm_up(data)
                sampler = Sampler()
                sampler.start()
                results, seconds = await drive(data)
                sampler.stop_event.set()
                sampler.join()
            finally:
                server.stop()
            summary = summarise(results, seconds, sampler)
            created = run_child("--count", env, str(data["user"]))["entries"] - before
            writes_201 = summary["by_kind"].get("API write", {}).get("201", 0)
            summary.update(name=name, entries_created=created, writes_201=writes_201)
            summary["ok"] = (
                summary["server_errors_500"] == 0
                and summary["busy_503_without_retry_after"] == 0
                and summary["requests"] == summary["planned"]
                and created == writes_201
            )
            log_tail = server.log_path.read_text(errors="replace").strip().splitlines()
            summary["server_log_errors"] = sum(1 for line in log_tail if "Error" in line or "error" in line)
            runs.append(summary)
            print(f"{name}: {summary['statuses']} p95 {summary['p95_ms']} ms, "
                  f"PostgreSQL sessions max {summary['pg_sessions_max']}", file=sys.stderr)  # fmt: skip
        return {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": (
                f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
            ),
            "clients": CLIENTS,
            "reads": READS,
            "writes": WRITES,
            "max_connections": max_connections,
            "pool_env": {k: v for k, v in os.environ.items() if k.startswith("DATABASE_POOL")},
            "setup_seconds": round(setup_seconds, 1),
            "runs": runs,
        }


def write_markdown(report: dict[str, Any]) -> None:
    lines = [
        "# Load: 300 concurrent clients on one server with PostgreSQL",
        "",
        f"{report['date']} · {report['machine']} · PostgreSQL max_connections {report['max_connections']} · "
        f"{report['clients']} clients, {report['reads']} reads + {report['writes']} writes · one uvicorn process, "
        "production settings · `python -m bench load` (bench/load.py says how).",
        "",
        "The clients, the server and PostgreSQL share the machine's CPUs (and other work ran on it).",
        "",
        "| set-up | answered | statuses | 500s | 503s (with Retry-After) | 503 p95 ms | p50 ms | p95 ms | p99 ms | "
        "max ms | 2xx/3xx p95 ms | PostgreSQL sessions, max | entries = 201s | ok |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["runs"]:
        statuses = ", ".join(f"{k}: {v}" for k, v in r["statuses"].items())
        busy = f"{r['busy_503']} ({r['busy_503'] - r['busy_503_without_retry_after']})"
        lines.append(
            f"| {r['name']} | {r['requests']}/{r['planned']} in {r['seconds']} s | {statuses} | "
            f"{r['server_errors_500']} | {busy} | {r['busy_503_p95_ms']} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['p99_ms']} | {r['max_ms']} | {r['answered_ok_p95_ms']} | {r['pg_sessions_max']} | "
            f"{r['entries_created']} = {r['writes_201']} | {'yes' if r['ok'] else 'NO'} |"
        )
    lines += ["", "By kind of request:", ""]
    for r in report["runs"]:
        per = "; ".join(f"{k}: " + ", ".join(f"{s}×{n}" for s, n in v.items()) for k, v in r["by_kind"].items())
        lines.append(f"- **{r['name']}**: {per}.")
    lines += [
        "",
        "Set-ups: `pool` — the product's defaults: Django's psycopg pool, per process at most "
        "DATABASE_POOL_MAX_SIZE connections (10), and the admission gate (config/asgi.py) letting in as many "
        "requests at once; the others wait without a thread at most WEB_ADMISSION_WAIT (3 s), then 503 with "
        "Retry-After; `pool-ungated` — the pool alone (every request gets its thread at once and waits up to "
        "DATABASE_POOL_TIMEOUT, 3 s, for a connection); `no-pool` — DATABASE_POOL=0 and no gate, a connection per "
        "request in flight (uvicorn runs every sync request in its own thread, so nothing bounds them), "
        "'too many clients' mapped to 503; `before` — the code before this work (no pool, no gate, no 503 mapping).",
        "",
    ]
    (RESULTS / "load.md").write_text("\n".join(lines))


def main(argv: list[str]) -> None:
    if argv[:1] == ["--setup"]:
        print(json.dumps(child_setup()))
        return
    if argv[:1] == ["--count"]:
        print(json.dumps(child_count(int(argv[1]))))
        return
    report = asyncio.run(run_all())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    write_markdown(report)
    print(f"Wrote {RESULTS / 'load.md'}")


if __name__ == "__main__":
    main(sys.argv[1:])
