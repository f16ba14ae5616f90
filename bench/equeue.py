"""Electronic-queue benchmark: live push latency, the board's cached 304, and "call next" under
concurrent desks. Writes bench/results/equeue.json and equeue.md.

Everything runs against a throw-away PostgreSQL database (BENCH_EQUEUE_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/cipnet_bench_q, dropped and recreated), set up by a child
process: migrate, a small slice of the codifier, two centres open round the clock with the
queue switched on (`queue_setup`), consultants with API tokens, waiting tickets.

1. **Push latency.** uvicorn (`bench.equeue_asgi:application`, production settings, DEBUG off,
   no access log) is started as a subprocess; N SSE clients (raw asyncio HTTP/1.1) connect to
   `/queue/<slug>/events/`; then, again and again, the bench presses "call next" through the
   JSON API (`POST /api/v1/queue/desks/<pk>/call-next/`, token auth) and times, for every
   client, the moment the new version's event arrives, from just before the POST is sent.
   After each call the ticket is finished (also through the API) and the bench waits for that
   version too, so calls do not overlap. Two set-ups: one uvicorn process with the in-process
   broker, and two uvicorn processes with `REDIS_URL` (Redis fan-out, Redis cache), clients
   split between them, calls sent to the first.
2. **Board, unchanged state.** Requests per second from keep-alive connections for
   `GET /queue/<slug>/board.json` with a matching `If-None-Match` (304 from the cache) against
   bare views returning a constant 11-byte body through the same uvicorn, settings and
   middleware, and the full 200 snapshot for reference; without and with the Redis cache.
3. **Call next under concurrent desks.** In a child process, K threads (one desk and one DB
   connection each) call `services.ticket_call_next` + `services.ticket_finish` against
   PostgreSQL over many waiting tickets; calls per second, and a check that no ticket was
   called twice (per run, and in the database's event log at the end).

The load generator and clients run in the bench process on the same machine as the servers
and PostgreSQL, so they compete for the same CPUs.

Sizes (defaults give the committed results): BENCH_EQUEUE_CLIENTS ("10,100,1000"),
BENCH_EQUEUE_CALLS (calls per client count and set-up, 30), BENCH_EQUEUE_LOAD_SECONDS (8),
BENCH_EQUEUE_LOAD_CONNECTIONS (50), BENCH_EQUEUE_LOAD_ROUNDS (2), BENCH_EQUEUE_DESKS
("1,2,4,8"), BENCH_EQUEUE_DESK_CALLS (calls per K, 600), BENCH_EQUEUE_REDIS_URL
(redis://127.0.0.1:6379/15; empty skips the Redis set-ups), BENCH_EQUEUE_PORT (8791).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from bench.common import percentile, recreate_postgres, stop_process

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = os.environ.get("BENCH_EQUEUE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/cipnet_bench_q")
REDIS_URL = os.environ.get("BENCH_EQUEUE_REDIS_URL", "redis://127.0.0.1:6379/15")
CLIENTS = [int(n) for n in os.environ.get("BENCH_EQUEUE_CLIENTS", "10,100,1000").split(",")]
CALLS = int(os.environ.get("BENCH_EQUEUE_CALLS", "30"))
LOAD_SECONDS = float(os.environ.get("BENCH_EQUEUE_LOAD_SECONDS", "8"))
LOAD_WARMUP = 2.0
LOAD_CONNECTIONS = int(os.environ.get("BENCH_EQUEUE_LOAD_CONNECTIONS", "50"))
LOAD_ROUNDS = int(os.environ.get("BENCH_EQUEUE_LOAD_ROUNDS", "2"))
DESKS = [int(k) for k in os.environ.get("BENCH_EQUEUE_DESKS", "1,2,4,8").split(",")]
DESK_CALLS = int(os.environ.get("BENCH_EQUEUE_DESK_CALLS", "600"))
PORT = int(os.environ.get("BENCH_EQUEUE_PORT", "8791"))
#: Kept well under PostgreSQL's max_connections (100): each such stream may hold a DB session.
COLD_CLIENTS = int(os.environ.get("BENCH_EQUEUE_COLD_CLIENTS", "40"))
HOST = "127.0.0.1"
QUEUE_SLUG = "bench-queue"
DESKS_SLUG = "bench-desks"
#: How long to wait for every client to see an event before counting the stragglers as missed.
EVENT_TIMEOUT = 15.0
SERVER_ARGS = [
    "--lifespan", "off", "--no-access-log", "--log-level", "warning",
    "--timeout-keep-alive", "30", "--timeout-graceful-shutdown", "3",
]  # fmt: skip


# --- Child processes (Django) --------------------------------------------------------------------


def django_env(*, redis: bool, secret_key: str, project_conn_max_age: bool = False) -> dict[str, str]:
    """Production settings, DEBUG off, on the benchmark's database; Redis only when asked.
    Persistent DB connections off (CONN_MAX_AGE=0, as Django advises under ASGI) unless asked for
    the project's own setting (60 s), which leaks connections under uvicorn (see the probes)."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=POSTGRES_URL,
        LOG_LEVEL="WARNING",
    )
    if redis:
        env["REDIS_URL"] = REDIS_URL
    if not project_conn_max_age:
        env["BENCH_EQUEUE_CONN_MAX_AGE"] = "0"
    else:
        env.pop("BENCH_EQUEUE_CONN_MAX_AGE", None)
    return env


def run_child(flag: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.equeue", flag], check=False, capture_output=True, text=True, cwd=ROOT, env=env
    )
    if out.returncode != 0:
        raise SystemExit(f"bench.equeue {flag} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def tickets_for_push() -> int:
    return CALLS * len(CLIENTS) * (2 if REDIS_URL else 1) + 50


def child_setup() -> dict[str, Any]:
    """Migrate, and make the two centres, the consultants, their tokens and the waiting tickets."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from cipnet.accounts.models import Membership, Role, User
    from cipnet.directory import services as directory
    from cipnet.directory.hours import Interval
    from cipnet.directory.models import HostInstitution, HostKind
    from cipnet.equeue import services
    from cipnet.equeue.models import Desk, QueueTopic
    from cipnet.testing import make_territories

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started
    settlement = make_territories()["UA48060150010035747"]
    host = HostInstitution.objects.create(name="Bench library", kind=HostKind.LIBRARY_SYSTEM, settlement=settlement)
    always = {day: [Interval(dt.time(0, 0), dt.time(23, 59))] for day in range(7)}
    centres = {}
    for slug, desks in ((QUEUE_SLUG, 2), (DESKS_SLUG, max(DESKS))):
        centre = directory.centre_create(
            actor=None,
            slug=slug,
            name=f"Bench centre {slug}",
            host=host,
            settlement=settlement,
            address="вул. Тестова, 1",
            latitude=46.97,
            longitude=32.0,
            status="active",
            public_computers=4,
        )
        directory.centre_set_hours(actor=None, centre=centre, week=always)
        services.queue_setup(actor=None, centre=centre, desks=desks)
        centres[slug] = centre
    tokens = {}
    for mode in ("inprocess", "redis"):
        user = User.objects.create_user(username=f"bench-{mode}", password=secrets.token_urlsafe(16))
        Membership.objects.create(user=user, role=Role.CONSULTANT, centre=centres[QUEUE_SLUG])
        tokens[mode] = Token.objects.create(user=user).key
    topics = list(QueueTopic.objects.filter(centre=centres[QUEUE_SLUG]))
    for i in range(tickets_for_push()):
        services.ticket_issue(centre=centres[QUEUE_SLUG], topic=topics[i % len(topics)])
    desk = Desk.objects.filter(centre=centres[QUEUE_SLUG]).order_by("pk").first()
    assert desk is not None

    # Queries per request of the board's JSON, through the test client (the process's own cache).
    client = Client()
    url = f"/queue/{QUEUE_SLUG}/board.json"
    queries = {}
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(url)
    queries["board.json 200, cold cache"] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url)
    queries["board.json 200, warm cache"] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        cached = client.get(url, headers={"If-None-Match": first["ETag"]})
    queries["board.json 304 (If-None-Match)"] = len(ctx.captured_queries)
    if (first.status_code, again.status_code, cached.status_code) != (200, 200, 304):
        raise SystemExit(f"board.json answered {first.status_code}, {again.status_code}, {cached.status_code}")
    return {
        "slug": QUEUE_SLUG,
        "desk": desk.pk,
        "tokens": tokens,
        "waiting_tickets": tickets_for_push(),
        "migrate_seconds": round(migrate_seconds, 1),
        "board_json_bytes": len(first.content),
        "queries": queries,
    }


class DeskRun:
    """What the K desk threads of one run share."""

    def __init__(self, k: int) -> None:
        self.remaining = DESK_CALLS
        self.lock = threading.Lock()
        self.barrier = threading.Barrier(k + 1)
        self.done: list[list[tuple[int, float, float]]] = [[] for _ in range(k)]
        self.errors: list[str] = []

    def take(self) -> bool:
        with self.lock:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True


def desk_worker(state: DeskRun, i: int, user_pk: int, desk_pk: int) -> None:
    """One consultant at one desk: call next, finish, again, until the run's calls are used up."""
    from django.db import connection

    from cipnet.accounts.models import User
    from cipnet.equeue import services
    from cipnet.equeue.models import Desk

    user = User.objects.get(pk=user_pk)
    desk = Desk.objects.select_related("centre").get(pk=desk_pk)
    connection.ensure_connection()
    state.barrier.wait()
    try:
        while state.take():
            t0 = time.perf_counter()
            try:
                ticket = services.ticket_call_next(actor=user, desk=desk)
                t1 = time.perf_counter()
                if ticket is None:
                    break
                services.ticket_finish(actor=user, ticket=ticket)
            except Exception as exc:
                state.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            state.done[i].append((ticket.pk, (t1 - t0) * 1000, (time.perf_counter() - t1) * 1000))
    finally:
        connection.close()


def child_desks() -> dict[str, Any]:
    """K desks calling concurrently, each in its own thread with its own connection."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from cipnet.accounts.models import Membership, Role, User
    from cipnet.core.clock import local, now
    from cipnet.directory.models import Centre
    from cipnet.equeue import services
    from cipnet.equeue.models import Desk, EventKind, PriorityCategory, QueueTopic, Ticket, TicketEvent, TicketStatus

    centre = Centre.objects.get(slug=DESKS_SLUG)
    desks = list(Desk.objects.filter(centre=centre).order_by("pk"))
    users = []
    for i in range(len(desks)):
        user = User.objects.create_user(username=f"bench-desk-{i}", password=secrets.token_urlsafe(16))
        Membership.objects.create(user=user, role=Role.CONSULTANT, centre=centre)
        users.append(user)
    topics = list(QueueTopic.objects.filter(centre=centre))
    priorities = list(PriorityCategory.objects.filter(centre=centre))
    total = DESK_CALLS * len(DESKS) + 20
    moment = now()
    day = local(moment).date()
    numbers = dict.fromkeys((t.prefix for t in topics), 0)
    batch = []
    for i in range(total):
        topic = topics[i % len(topics)]
        numbers[topic.prefix] += 1
        queued = moment - dt.timedelta(seconds=total - i)
        batch.append(
            Ticket(
                centre=centre,
                topic=topic,
                day=day,
                prefix=topic.prefix,
                number=numbers[topic.prefix],
                code=secrets.token_urlsafe(12),
                priority=priorities[i % len(priorities)] if i % 10 == 0 else None,  # one in ten
                queued_at=queued,
                issued_at=queued,
            )
        )
    Ticket.objects.bulk_create(batch, batch_size=1000)

    # One warm-up call (imports, first queries), not timed.
    warm = services.ticket_call_next(actor=users[0], desk=Desk.objects.select_related("centre").get(pk=desks[0].pk))
    assert warm is not None
    services.ticket_finish(actor=users[0], ticket=warm)
    called_total = 1

    runs = []
    for k in DESKS:
        state = DeskRun(k)
        threads = [threading.Thread(target=desk_worker, args=(state, i, users[i].pk, desks[i].pk)) for i in range(k)]
        for thread in threads:
            thread.start()
        state.barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        rows = [row for rows in state.done for row in rows]
        ids = [row[0] for row in rows]
        called_total += len(ids)
        call_ms = [row[1] for row in rows]
        finish_ms = [row[2] for row in rows]
        runs.append(
            {
                "desks": k,
                "calls": len(ids),
                "seconds": round(seconds, 2),
                "calls_per_second": round(len(ids) / seconds, 1),
                "call_next_p50_ms": round(statistics.median(call_ms), 1),
                "call_next_p95_ms": round(percentile(call_ms, 0.95), 1),
                "finish_p50_ms": round(statistics.median(finish_ms), 1),
                "finish_p95_ms": round(percentile(finish_ms, 0.95), 1),
                "per_desk_calls": [len(d) for d in state.done],
                "called_twice_in_run": len(ids) - len(set(ids)),
                "errors": len(state.errors),
                "error_examples": sorted(set(state.errors))[:3],
            }
        )
    twice = (
        TicketEvent.objects.filter(centre=centre, kind=EventKind.CALLED)
        .values("ticket")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    check = {
        "tickets": total,
        "calls_made": called_total,
        "tickets_done": Ticket.objects.filter(centre=centre, status=TicketStatus.DONE).count(),
        "tickets_with_two_called_events": twice,
        "tickets_with_calls_over_1": Ticket.objects.filter(centre=centre, calls__gt=1).count(),
        "called_events": TicketEvent.objects.filter(centre=centre, kind=EventKind.CALLED).count(),
    }
    check["ok"] = (
        check["tickets_done"] == called_total == check["called_events"]
        and twice == 0
        and check["tickets_with_calls_over_1"] == 0
        and all(r["called_twice_in_run"] == 0 for r in runs)
    )
    return {"runs": runs, "check": check, "postgres": getattr(connection, "pg_version", 0)}


# --- uvicorn ---------------------------------------------------------------------------------------


class Server:
    """One uvicorn process serving bench.equeue_asgi (the project's app plus bare views)."""

    def __init__(self, port: int, env: dict[str, str], log_dir: Path) -> None:
        self.port = port
        self.env = env
        self.log_path = log_dir / f"uvicorn-{port}-{time.monotonic_ns()}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    async def start(self) -> None:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.equeue_asgi:application", "--host", HOST,
             "--port", str(self.port), *SERVER_ARGS],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            with contextlib.suppress(OSError):
                conn = HttpConnection(self.port)
                status, _headers, _body = await conn.request("GET", "/bench/bare/")
                await conn.close()
                if status == 200:
                    return
            await asyncio.sleep(0.2)
        self.stop()
        raise SystemExit(f"uvicorn on port {self.port} did not start:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        stop_process(self.proc)
        if self._log is not None:
            self._log.close()

    def errors(self) -> list[str]:
        """Lines of the server's log that look like trouble (it logs warnings and up only)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if "Traceback" in line or "ERROR" in line][:5]

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def threads(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
        return 0


# --- A minimal HTTP/1.1 client -------------------------------------------------------------------------


async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    line = await reader.readline()
    if not line:
        raise ConnectionError("connection closed")
    status = int(line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            return status, headers
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()


async def read_body(reader: asyncio.StreamReader, status: int, headers: dict[str, str]) -> bytes:
    if status in (204, 304) or status < 200:
        return b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts: list[bytes] = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append((await reader.readexactly(size + 2))[:-2])
    return await reader.readexactly(int(headers.get("content-length", "0")))


def build_request(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if method != "GET":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class HttpConnection:
    """One keep-alive connection; requests one after another."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        status, headers = await read_head(self.reader)
        body = await read_body(self.reader, status, headers)
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, body

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        return await self.send(build_request(method, path, headers, body))

    async def close(self) -> None:
        writer, self.writer, self.reader = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()


# --- Push latency ------------------------------------------------------------------------------------


class Tracker:
    """Follows the newest version each SSE client has seen, and times the arrival of a target."""

    def __init__(self) -> None:
        self.latest: list[int] = []
        self.target = -1
        self.t0 = 0.0
        self.record = False
        self.samples: list[float] = []
        self.pending = 0
        self.done = asyncio.Event()
        self.failures: list[str] = []

    def add(self) -> int:
        self.latest.append(-1)
        return len(self.latest) - 1

    def arm(self, target: int, *, record: bool) -> None:
        self.target, self.record, self.t0 = target, record, time.perf_counter()
        self.pending = sum(1 for v in self.latest if v < target)
        self.done = asyncio.Event()
        if self.pending == 0:
            self.done.set()

    def seen(self, client: int, version: int, at: float) -> None:
        before = self.latest[client]
        if version <= before:
            return
        self.latest[client] = version
        if before < self.target <= version:
            if self.record:
                self.samples.append((at - self.t0) * 1000)
            self.pending -= 1
            if self.pending == 0:
                self.done.set()

    async def wait(self) -> int:
        """Wait until every client saw the target; the number that did not within the timeout."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(EVENT_TIMEOUT):
                await self.done.wait()
        return self.pending


async def sse_client(port: int, slug: str, tracker: Tracker, index: int, opened: asyncio.Semaphore) -> None:
    try:
        async with opened:  # limits how many connect at the same moment
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(build_request("GET", f"/queue/{slug}/events/", {"Accept": "text/event-stream"}))
            status, headers = await read_head(reader)
    except (OSError, ConnectionError) as exc:
        tracker.failures.append(f"{type(exc).__name__}: {exc}")
        return
    if status != 200 or headers.get("transfer-encoding", "").lower() != "chunked":
        tracker.failures.append(f"HTTP {status}")
        writer.close()
        return
    buffer = b""
    try:
        while True:
            size_line = await reader.readline()
            if not size_line:
                return
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                return
            chunk = await reader.readexactly(size + 2)
            at = time.perf_counter()
            buffer += chunk[:-2]
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                for line in event.split(b"\n"):
                    if line.startswith(b"id: "):
                        tracker.seen(index, int(line[4:]), at)
    finally:
        writer.close()


def pg_connections() -> int:
    import psycopg

    base, name = POSTGRES_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)).fetchone()
        return int(row[0]) if row else 0


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(list(values), 0.95), 1),
        "p99_ms": round(percentile(list(values), 0.99), 1),
        "max_ms": round(max(values), 1),
    }


async def push_run(servers: list[Server], n: int, setup: dict[str, Any], token: str) -> dict[str, Any]:
    tracker = Tracker()
    # Few connect at once: a client that misses the cache (slug kept 60 s, version 30 s) reads
    # the database and its stream then holds that session; see the cold-start probe.
    opened = asyncio.Semaphore(20)
    started = time.perf_counter()
    tasks = [
        asyncio.create_task(sse_client(servers[i % len(servers)].port, setup["slug"], tracker, tracker.add(), opened))
        for i in range(n)
    ]
    tracker.arm(0, record=False)  # every client's first event: the current version
    missing = await tracker.wait()
    if missing or tracker.failures:
        raise SystemExit(f"{missing} of {n} SSE clients got no first event: {sorted(set(tracker.failures))[:3]}")
    connect_seconds = time.perf_counter() - started
    await asyncio.sleep(0.5)
    diagnostics = {
        "connect_seconds": round(connect_seconds, 2),
        "server_threads": [s.threads() for s in servers],
        "postgres_connections": pg_connections(),
    }
    api = HttpConnection(servers[0].port)
    auth = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Accept": "application/json"}
    post_ms: list[float] = []
    missed = 0
    for _ in range(CALLS):
        known = max(tracker.latest)
        tracker.arm(known + 1, record=True)
        status, _h, body = await api.request("POST", f"/api/v1/queue/desks/{setup['desk']}/call-next/", auth)
        post_ms.append((time.perf_counter() - tracker.t0) * 1000)
        ticket = json.loads(body).get("ticket") if status == 200 else None
        if ticket is None:
            raise SystemExit(f"call-next answered {status}: {body[:300]!r}")
        missed += await tracker.wait()
        tracker.arm(max(tracker.latest) + 1, record=False)
        status, _h, body = await api.request("POST", f"/api/v1/queue/tickets/{ticket['id']}/finish/", auth)
        if status != 200:
            raise SystemExit(f"finish answered {status}: {body[:300]!r}")
        missed += await tracker.wait()
    await api.close()
    diagnostics["server_threads_after_calls"] = [s.threads() for s in servers]
    diagnostics["postgres_connections_after_calls"] = pg_connections()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(1.0)  # let the servers notice the disconnects
    return {
        "clients": n,
        "calls": CALLS,
        "samples": len(tracker.samples),
        "missed": missed,
        **summary(tracker.samples),
        "call_next_post_p50_ms": round(statistics.median(post_ms), 1),
        **diagnostics,
    }


async def push_mode(mode: str, count: int, env: dict[str, str], setup: dict[str, Any], log_dir: Path) -> dict:
    servers = [Server(PORT + i, env, log_dir) for i in range(count)]
    try:
        await asyncio.gather(*(s.start() for s in servers))
        runs = []
        for n in CLIENTS:
            run = await push_run(servers, n, setup, setup["tokens"][mode])
            print(f"push {mode} N={n}: {run}", file=sys.stderr, flush=True)
            runs.append(run)
        return {"mode": mode, "servers": count, "runs": runs, "server_errors": [e for s in servers for e in s.errors()]}
    finally:
        for server in servers:
            server.stop()


# --- Board: unchanged state -------------------------------------------------------------------------


async def load(server: Server, path: str, headers: dict[str, str], expect: int) -> dict[str, Any]:
    """Keep-alive connections asking `path` back to back; requests per second after a warm-up."""
    raw = build_request("GET", path, headers)
    count = [0]
    wrong: list[int] = []
    stop = asyncio.Event()

    async def worker() -> None:
        conn = HttpConnection(server.port)
        try:
            while not stop.is_set():
                status, _h, _b = await conn.send(raw)
                count[0] += 1
                if status != expect:
                    wrong.append(status)
        finally:
            await conn.close()

    workers = [asyncio.create_task(worker()) for _ in range(LOAD_CONNECTIONS)]
    await asyncio.sleep(LOAD_WARMUP)
    n0, cpu0, t0 = count[0], server.cpu_seconds(), time.perf_counter()
    await asyncio.sleep(LOAD_SECONDS)
    n1, cpu1, t1 = count[0], server.cpu_seconds(), time.perf_counter()
    stop.set()
    await asyncio.gather(*workers)
    if wrong:
        raise SystemExit(f"{path} answered {sorted(set(wrong))} instead of {expect}")
    return {
        "rps": round((n1 - n0) / (t1 - t0)),
        "server_cpu_ms_per_request": round((cpu1 - cpu0) * 1000 / max(1, n1 - n0), 3),
    }


async def board_mode(mode: str, env: dict[str, str], setup: dict[str, Any], log_dir: Path) -> dict[str, Any]:
    server = Server(PORT, env, log_dir)
    await server.start()
    try:
        board = f"/queue/{setup['slug']}/board.json"
        conn = HttpConnection(server.port)
        status, headers, body = await conn.request("GET", board)
        await conn.close()
        if status != 200:
            raise SystemExit(f"board.json answered {status}")
        cases = {
            "bare sync view (constant 11 bytes)": ("/bench/bare/", {}, 200),
            "board.json, If-None-Match → 304": (board, {"If-None-Match": headers["etag"]}, 304),
            "board.json, full snapshot (200)": (board, {}, 200),
        }
        if mode == "inprocess":
            cases["bare async view (constant 11 bytes)"] = ("/bench/bare-async/", {}, 200)
        rounds: dict[str, list[dict[str, Any]]] = {label: [] for label in cases}
        for _ in range(LOAD_ROUNDS):
            for label, (path, extra, expect) in cases.items():
                rounds[label].append(await load(server, path, extra, expect))
                print(f"board {mode} {label}: {rounds[label][-1]}", file=sys.stderr, flush=True)
        results = {
            label: {
                "rps": round(statistics.mean(r["rps"] for r in runs)),
                "server_cpu_ms_per_request": round(statistics.mean(r["server_cpu_ms_per_request"] for r in runs), 3),
                "rounds_rps": [r["rps"] for r in runs],
            }
            for label, runs in rounds.items()
        }
        return {
            "mode": mode,
            "cache": "Redis" if mode == "redis" else "local memory",
            "snapshot_bytes": len(body),
            "cases": results,
            "ratio_304_to_bare": round(
                results["board.json, If-None-Match → 304"]["rps"]
                / results["bare sync view (constant 11 bytes)"]["rps"],
                2,
            ),
            "server_errors": server.errors(),
        }
    finally:
        server.stop()


# --- Probes with the project's own settings (CONN_MAX_AGE=60, cold cache) -------------------------------


class PeakConnections:
    """Samples the benchmark database's open sessions in the background; keeps the peak."""

    def __init__(self) -> None:
        self.peak = 0
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.peak = max(self.peak, await asyncio.to_thread(pg_connections))
            await asyncio.sleep(0.5)

    def __enter__(self) -> PeakConnections:
        self.task = asyncio.create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self.task is not None:
            self.task.cancel()


async def probe_connections(env: dict[str, str], setup: dict[str, Any], log_dir: Path) -> dict[str, Any]:
    """DB sessions left open after 30 sequential full-snapshot requests on one keep-alive
    connection (kept small on purpose: with leaking sessions a real load exhausts PostgreSQL's
    max_connections for everyone on the server)."""
    server = Server(PORT, env, log_dir)
    await server.start()
    try:
        before = await asyncio.to_thread(pg_connections)
        conn = HttpConnection(server.port)
        statuses: dict[str, int] = {}
        for _ in range(30):
            status, _h, _b = await conn.request("GET", f"/queue/{setup['slug']}/board.json")
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        await conn.close()
        await asyncio.sleep(1)
        return {
            "requests": 30,
            "statuses": statuses,
            "postgres_connections_before": before,
            "postgres_connections_after": await asyncio.to_thread(pg_connections),
            "server_threads_after": server.threads(),
        }
    finally:
        server.stop()


async def probe_sse_cold(env: dict[str, str], setup: dict[str, Any], log_dir: Path, n: int) -> dict[str, Any]:
    """n SSE clients connecting at once to a freshly started server (empty cache), as after a
    restart or deploy: how many get their stream, and how many DB sessions the streams hold."""
    server = Server(PORT, env, log_dir)
    await server.start()
    tracker = Tracker()
    try:
        with PeakConnections() as peak:
            tasks = [
                asyncio.create_task(
                    sse_client(server.port, setup["slug"], tracker, tracker.add(), asyncio.Semaphore(n))
                )
                for _ in range(n)
            ]
            tracker.arm(0, record=False)
            missing = await tracker.wait()
            await asyncio.sleep(1.5)
            held = await asyncio.to_thread(pg_connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        failures: dict[str, int] = {}
        for failure in tracker.failures:
            failures[failure] = failures.get(failure, 0) + 1
        return {
            "clients": n,
            "streaming": n - missing,
            "failures": failures,
            "postgres_connections_held": held,
            "postgres_connections_peak": max(peak.peak, held),
            "server_threads": server.threads(),
        }
    finally:
        server.stop()


# --- Orchestration --------------------------------------------------------------------------------------


def clear_redis_keys() -> None:
    """Cached versions and slugs left by an earlier run would be stale against the new database."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match="cipnet:*:equeue:*", count=1000):
        client.delete(key)
    client.close()


def shared_machine() -> list[str]:
    """Other benchmarks running now (the figures are then from a shared machine)."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=False).stdout
    me = os.getpid()
    return sorted(
        {
            line.split(None, 1)[1].strip()[:80]
            for line in out.splitlines()[1:]
            if "bench" in line and "equeue" not in line and "-m bench" in line and int(line.split()[0]) != me
        }
    )


async def run_servers(secret_key: str, setup: dict[str, Any], log_dir: Path) -> dict[str, Any]:
    plain = django_env(redis=False, secret_key=secret_key)
    with_redis = django_env(redis=True, secret_key=secret_key)
    push = [await push_mode("inprocess", 1, plain, setup, log_dir)]
    board = [await board_mode("inprocess", plain, setup, log_dir)]
    if REDIS_URL:
        clear_redis_keys()
        push.append(await push_mode("redis", 2, with_redis, setup, log_dir))
        board.append(await board_mode("redis", with_redis, setup, log_dir))
    project = django_env(redis=False, secret_key=secret_key, project_conn_max_age=True)
    probes = {
        "sessions_after_30_requests_conn_max_age_60": await probe_connections(project, setup, log_dir),
        "sessions_after_30_requests_conn_max_age_0": await probe_connections(plain, setup, log_dir),
        "sse_cold_start": await probe_sse_cold(plain, setup, log_dir, COLD_CLIENTS),
    }
    print(f"probes: {probes}", file=sys.stderr, flush=True)
    return {"push": push, "board": board, "probes": probes}


def raise_fd_limit(need: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = need if hard == resource.RLIM_INFINITY else min(need, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main(argv: list[str]) -> None:
    if argv[:1] == ["--setup"]:
        print(json.dumps(child_setup()))
        return
    if argv[:1] == ["--desks"]:
        print(json.dumps(child_desks()))
        return
    started = time.perf_counter()
    others_at_start = shared_machine()
    fd_limit = raise_fd_limit(max(CLIENTS) * 3 + 1024)
    secret_key = secrets.token_urlsafe(50)
    recreate_postgres(POSTGRES_URL)
    setup = run_child("--setup", django_env(redis=False, secret_key=secret_key))
    print(f"set up: {setup}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as log_dir:
        served = asyncio.run(run_servers(secret_key, setup, Path(log_dir)))
    desks = run_child("--desks", django_env(redis=False, secret_key=secret_key))
    print(f"desks: {desks}", file=sys.stderr, flush=True)
    import uvicorn

    report = {
        "benchmark": "equeue",
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "server": f"uvicorn {uvicorn.__version__} ({' '.join(SERVER_ARGS)}), h11 + asyncio loop "
        "(httptools and uvloop not installed), settings config.settings.production, DEBUG off",
        "database": f"PostgreSQL {desks['postgres'] // 10000}.{desks['postgres'] % 10000} "
        f"({POSTGRES_URL.rsplit('/', 1)[1]})",
        "shared_with": sorted(set(others_at_start) | set(shared_machine())),
        "fd_limit": fd_limit,
        "sizes": {
            "clients": CLIENTS,
            "calls": CALLS,
            "load_seconds": LOAD_SECONDS,
            "load_connections": LOAD_CONNECTIONS,
            "load_rounds": LOAD_ROUNDS,
            "desks": DESKS,
            "desk_calls": DESK_CALLS,
        },
        "setup": {k: v for k, v in setup.items() if k != "tokens"},
        **served,
        "desks": desks,
        "total_seconds": round(time.perf_counter() - started),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "equeue.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    text = markdown(report)
    (RESULTS / "equeue.md").write_text(text)
    print(text)


def markdown(report: dict[str, Any]) -> str:
    sizes = report["sizes"]
    lines = [
        "# Electronic queue benchmark",
        "",
        f"{report['when']} — {report['machine']}; {report['database']}; Redis 127.0.0.1:6379.",
        f"Server: {report['server']}. Clients and load generator: the bench process (asyncio, raw HTTP/1.1) "
        "on the same machine, so they share its CPUs with the servers and PostgreSQL.",
        "",
    ]
    if report["shared_with"]:
        lines += [
            "**The machine was shared** with another benchmark during this run: "
            + "; ".join(f"`{p}`" for p in report["shared_with"])
            + ". Absolute figures are lower than on a quiet machine; the comparisons within each table were "
            "measured under the same conditions.",
            "",
        ]
    lines += [
        "## 1. Push latency (SSE)",
        "",
        f'Per client count, {sizes["calls"]} × "call next" through the JSON API (`POST '
        "/api/v1/queue/desks/<pk>/call-next/`, token auth), one at a time; a sample is the time from just before "
        "the POST is sent until one client has read the new version's event; every client × every call. Each "
        "call is followed by `finish` (its event awaited too, not counted).",
        "",
        "| set-up | clients | samples | missed | p50 ms | p95 ms | p99 ms | max ms | call-next POST p50 ms "
        "| connect s | server threads | PG connections |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = {"inprocess": "1 uvicorn, in-process broker", "redis": "2 uvicorns, Redis fan-out"}
    for mode in report["push"]:
        for r in mode["runs"]:
            lines.append(
                f"| {names[mode['mode']]} | {r['clients']:,} | {r['samples']:,} | {r['missed']} | {r['p50_ms']} "
                f"| {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['call_next_post_p50_ms']} "
                f"| {r['connect_seconds']} | {'+'.join(map(str, r['server_threads']))} "
                f"| {r['postgres_connections']} |"
            )
    lines += [
        "",
        "*server threads*: OS threads of the uvicorn process(es) with all clients connected; *PG connections*: "
        "sessions open on the benchmark database at that moment (the server's, plus none of the bench's).",
        "",
        "## 2. Board JSON for unchanged state vs a bare view",
        "",
        f"{sizes['load_connections']} keep-alive connections asking back to back, {sizes['load_seconds']:g} s "
        f"measured after {LOAD_WARMUP:g} s warm-up, mean of {sizes['load_rounds']} rounds (interleaved); one "
        "uvicorn process. *Server CPU* is the uvicorn process's CPU time per request over the measured window.",
        "",
        "| cache | case | requests/s | server CPU ms/request |",
        "|---|---|---:|---:|",
    ]
    for mode in report["board"]:
        for label, case in mode["cases"].items():
            lines.append(f"| {mode['cache']} | {label} | {case['rps']:,} | {case['server_cpu_ms_per_request']} |")
    lines.append("")
    for mode in report["board"]:
        lines.append(
            f"- {mode['cache']} cache: the 304 runs at **{mode['ratio_304_to_bare']:.2f}×** the bare sync view's rate; "
            f"the full snapshot is {mode['snapshot_bytes']:,} bytes."
        )
    queries = report["setup"]["queries"]
    lines += [
        "- Queries per request (Django test client, same settings): "
        + ", ".join(f"{k}: {v}" for k, v in queries.items())
        + ".",
        "",
        "## 3. Call next under concurrent desks (PostgreSQL)",
        "",
        f"K threads in one process, one desk and one DB connection each, calling `services.ticket_call_next` then "
        f"`services.ticket_finish` over {report['desks']['check']['tickets']:,} waiting tickets (one in ten with "
        f"a priority category), {sizes['desk_calls']} calls per K. Services only: no HTTP, no auth.",
        "",
        "| desks | calls | s | calls/s | call-next p50 ms | p95 ms | finish p50 ms | p95 ms | twice | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["desks"]["runs"]:
        lines.append(
            f"| {r['desks']} | {r['calls']} | {r['seconds']} | {r['calls_per_second']} | {r['call_next_p50_ms']} "
            f"| {r['call_next_p95_ms']} | {r['finish_p50_ms']} | {r['finish_p95_ms']} | {r['called_twice_in_run']} "
            f"| {r['errors']} |"
        )
    check = report["desks"]["check"]
    lines += [
        "",
        f"Check in the database afterwards: {check['calls_made']} calls made, {check['tickets_done']} tickets done, "
        f"{check['called_events']} `called` events, {check['tickets_with_two_called_events']} tickets with two "
        f"`called` events, {check['tickets_with_calls_over_1']} with `calls` > 1 — "
        + ("**no ticket was called twice**." if check["ok"] else "**MISMATCH: see equeue.json**."),
        "",
        "## Probes: database sessions under uvicorn",
        "",
    ]
    probes = report["probes"]
    cases = {
        "CONN_MAX_AGE=60 (the project's setting)": "sessions_after_30_requests_conn_max_age_60",
        "CONN_MAX_AGE=0 (used for the figures above)": "sessions_after_30_requests_conn_max_age_0",
    }
    for label, key in cases.items():
        p = probes[key]
        lines.append(
            f"- {label}: {p['requests']} sequential `board.json` requests on one keep-alive connection "
            f"({p['statuses']}) leave **{p['postgres_connections_after']}** sessions open on the database "
            f"(before: {p['postgres_connections_before']})."
        )
    cold = probes["sse_cold_start"]
    lines += [
        f"- Cold start: {cold['clients']} SSE clients connecting at once to a fresh server (empty cache): "
        f"{cold['streaming']} streaming, failures {cold['failures'] or 'none'}; "
        f"**{cold['postgres_connections_held']}** database sessions held while the streams stay open "
        f"(peak {cold['postgres_connections_peak']}); "
        f"{cold['server_threads']} server threads.",
        "",
        f"Whole run: {report['total_seconds']} s.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main(sys.argv[1:])
