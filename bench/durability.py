"""Durability of the reception's writes and e-mails under kill -9 (issue 13, item 3).

For each database (a temporary SQLite file; PostgreSQL at BENCH_DURABILITY_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/cipnet_bench_durability, dropped and recreated) the bench:
migrates, creates an authority and BENCH_DURABILITY_ACCOUNTS residents with API tokens (the limit
of 20 new cases an hour per account holds, so the writes are spread over accounts), books the
outbox dispatcher, starts uvicorn (bench.durability_settings) and `manage.py db_worker`, and sends
BENCH_DURABILITY_WRITES (1,000) cases with `send: true` through `POST /api/v1/reception/cases/`
from 4 client threads, each with its idempotency key, retried until answered 201 (a client retries
what it could not see answered). Each sent case writes one e-mail to the authority. During the run
the web server and the worker are each killed with SIGKILL BENCH_DURABILITY_KILLS (10) times, at
evenly spaced points, and started again. Then the worker alone runs until every notification is
sent (or 120 s pass), and the bench counts:

- entries lost: keys answered 201 whose case is not in the database;
- duplicates: more than one case for one key (or for one unique subject);
- notifications: one per sent case; sent exactly once, never, or more than once (by Message-ID in
  the files the file e-mail backend wrote).

Run: `python -m bench durability` (or `python -m bench.durability`); figures go to
bench/results/durability.md and durability.json. Only 127.0.0.1; bounded in count and time.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from bench.common import recreate_postgres

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = os.environ.get(
    "BENCH_DURABILITY_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/cipnet_bench_durability"
)
WRITES = int(os.environ.get("BENCH_DURABILITY_WRITES", "1000"))
KILLS = int(os.environ.get("BENCH_DURABILITY_KILLS", "10"))
ACCOUNTS = int(os.environ.get("BENCH_DURABILITY_ACCOUNTS", "60"))
THREADS = 4
PORT = int(os.environ.get("BENCH_DURABILITY_PORT", "0"))  # 0: a free port chosen at each run
HOST = "127.0.0.1"
DRAIN_SECONDS = 120.0
RUN_SECONDS_MAX = 1800.0


def _env(database_url: str, mail_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.durability_settings",
        BENCH_DURABILITY_MAIL=str(mail_dir),
        ALLOWED_HOSTS=HOST,
        PYTHONPATH=str(ROOT),
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


SETUP = """
from rest_framework.authtoken.models import Token
from cipnet.accounts.models import User
from cipnet.appeals.models import Authority, AuthorityKind
from cipnet.directory.models import Region
from cipnet.testing import make_territories
import json
if not Region.objects.exists():
    make_territories()
region = Region.objects.first()
Authority.objects.get_or_create(slug="bench-council", defaults=dict(
    name="Bench council", kind=AuthorityKind.CITY_COUNCIL, region=region,
    address="Bench street 1", email="council@bench.example"))
tokens = []
for i in range(%(accounts)d):
    user, _ = User.objects.get_or_create(username=f"bench{i}", defaults={"email": f"bench{i}@bench.example"})
    tokens.append(Token.objects.get_or_create(user=user)[0].key)
print(json.dumps(tokens))
"""

COUNT = """
import json
from collections import Counter
from cipnet.appeals.models import Appeal, Notification
from django_tasks_db.models import DBTaskResult
keys = [str(k) for k in Appeal.objects.exclude(idempotency_key=None).values_list("idempotency_key", flat=True)]
subjects = Counter(Appeal.objects.values_list("subject", flat=True))
notes = Notification.objects.filter(kind="submitted")
print(json.dumps({
    "keys": keys,
    "duplicate_subjects": sum(1 for n in subjects.values() if n > 1),
    "cases_sent": Appeal.objects.exclude(status="draft").count(),
    "notifications": {str(n.pk): n.sent_at is not None for n in notes},
    "unsent": Notification.objects.filter(sent_at=None).count(),
    "dispatcher": [r.return_value for r in DBTaskResult.objects.filter(
        task_path="cipnet.appeals.tasks.dispatch_outbox", status="SUCCESSFUL")],
}))
"""


class Process:
    """A server or worker we start, kill -9 and start again."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.args, self.env, self.log = name, args, env, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait_port(web: Process, deadline: float) -> None:
    """Until our uvicorn answers (not another program on the port: it must still be running)."""
    while time.monotonic() < deadline:
        if web.proc is None or web.proc.poll() is not None:
            raise SystemExit(f"uvicorn exited: {web.log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, PORT), timeout=0.5):
            return
        time.sleep(0.1)
    raise SystemExit("uvicorn did not start")


def _post(token: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        f"http://{HOST}:{PORT}/api/v1/reception/cases/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}", "Host": HOST},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (127.0.0.1 only)
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def _case(i: int, key: str) -> dict[str, Any]:
    return {
        "kind": "appeal",
        "authority": "bench-council",
        "appeal_type": "proposal",
        "author_name": "Марія Іванівна Петренко",
        "author_address": "вул. Садова, 5, Миколаїв",
        "author_email": f"author{i}@bench.example",
        "subject": f"Bench case {i} {key}",
        "text": "Прошу відремонтувати вуличне освітлення на нашій вулиці, будь ласка.",
        "send": True,
        "idempotency_key": key,
    }


def _mail_ids(mail_dir: Path) -> list[str]:
    ids: list[str] = []
    for path in mail_dir.glob("*"):
        ids += re.findall(r"^Message-ID: <n(\d+)\.", path.read_text(errors="replace"), flags=re.MULTILINE)
    return ids


def run(database_url: str) -> dict[str, Any]:
    global PORT
    PORT = PORT or _free_port()
    keep = os.environ.get("BENCH_DURABILITY_KEEP")  # a directory to keep the logs and mail files in
    with tempfile.TemporaryDirectory() if not keep else contextlib.nullcontext(keep) as tmp:
        mail_dir = Path(tmp) / "mail"
        mail_dir.mkdir()
        env = _env(database_url, mail_dir)
        _manage(env, "migrate", "--no-input")
        tokens = json.loads(_manage(env, "shell", "-c", SETUP % {"accounts": ACCOUNTS}).strip().splitlines()[-1])
        _manage(env, "send_appeal_reminders", "--schedule")
        web = Process(
            "web",
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", HOST, "--port", str(PORT),
             "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
            env, Path(tmp) / "web.log",
        )  # fmt: skip
        worker = Process(
            "worker",
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
            env, Path(tmp) / "worker.log",
        )  # fmt: skip
        web.start()
        worker.start()
        _wait_port(web, time.monotonic() + 60)

        plan = [(i, str(uuid.uuid4())) for i in range(WRITES)]
        answered: dict[str, int] = {}
        errors = {"retries": 0, "5xx": 0, "other": 0}
        lock = threading.Lock()
        started = time.monotonic()
        done = threading.Event()
        next_index = iter(range(WRITES))

        def client() -> None:
            while True:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                index, key = plan[i]
                token = tokens[index % len(tokens)]
                while time.monotonic() - started < RUN_SECONDS_MAX:
                    try:
                        code = _post(token, _case(index, key))
                    except OSError:
                        code = 0
                    if code == 201:
                        with lock:
                            answered[key] = code
                        break
                    with lock:
                        errors["retries"] += 1
                        errors["5xx" if code >= 500 else "other"] += code != 0
                    time.sleep(0.2)

        threads = [threading.Thread(target=client) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        # Kill the web server and the worker in turn, evenly over the writes.
        marks = [WRITES * (n + 1) // (2 * KILLS + 1) for n in range(2 * KILLS)]
        for n, mark in enumerate(marks):
            while len(answered) < mark and any(t.is_alive() for t in threads):
                time.sleep(0.02)
            target = web if n % 2 == 0 else worker
            target.kill()
            target.start()
            if target is web:
                _wait_port(web, time.monotonic() + 60)
        for thread in threads:
            thread.join()
        done.set()
        write_seconds = time.monotonic() - started
        web.stop()

        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            state = json.loads(_manage(env, "shell", "-c", COUNT).strip().splitlines()[-1])
            if all(state["notifications"].values()):
                break
            time.sleep(2)
        drain_seconds = time.monotonic() - started - write_seconds
        worker.stop()
        state = json.loads(_manage(env, "shell", "-c", COUNT).strip().splitlines()[-1])
        ids = _mail_ids(mail_dir)
        sends = {pk: ids.count(pk) for pk in state["notifications"]}
        in_db = set(state["keys"])
        return {
            "database": "PostgreSQL" if database_url.startswith("postgres") else "SQLite",
            "writes": WRITES,
            "answered_201": len(answered),
            "web_kills": web.kills,
            "worker_kills": worker.kills,
            "lost": sum(1 for key in answered if key not in in_db),
            "duplicate_keys": len(state["keys"]) - len(in_db),
            "duplicate_subjects": state["duplicate_subjects"],
            "cases_sent": state["cases_sent"],
            "notifications": len(state["notifications"]),
            "sent_once": sum(1 for n in sends.values() if n == 1),
            "never_sent": sum(1 for n in sends.values() if n == 0),
            "unsent_in_database": state["unsent"],
            "sent_by_dispatcher": sum(r["sent"] for r in state["dispatcher"]),
            "tasks_recovered": sum(r["recovered"] for r in state["dispatcher"]),
            "sent_more_than_once": sum(1 for n in sends.values() if n > 1),
            "retries": errors["retries"],
            "answers_5xx": errors["5xx"],
            "write_seconds": round(write_seconds, 1),
            "drain_seconds": round(drain_seconds, 1),
        }


def report(runs: list[dict[str, Any]]) -> str:
    rows = [
        ("Writes (cases sent through the API, retried until 201)", "writes"),
        ("Answered 201", "answered_201"),
        ("Web server killed (SIGKILL) and restarted", "web_kills"),
        ("Worker killed (SIGKILL) and restarted", "worker_kills"),
        ("**Entries lost** (answered 201, not in the database)", "lost"),
        ("**Duplicates** (cases per key or per unique subject > 1)", "duplicate_subjects"),
        ("Cases sent (in the database)", "cases_sent"),
        ("Notifications (one per sent case)", "notifications"),
        ("**Sent exactly once** (by Message-ID in the mail files)", "sent_once"),
        ("**Never sent**", "never_sent"),
        ("**Sent more than once**", "sent_more_than_once"),
        ("Unsent in the database at the end", "unsent_in_database"),
        ("Sent by the periodic dispatcher (the rest by their on-commit task)", "sent_by_dispatcher"),
        ("Task rows left RUNNING by a killed worker, run again", "tasks_recovered"),
        ("Client retries (connection refused/reset, or an error answer)", "retries"),
        ("Answers 5xx among them", "answers_5xx"),
        ("Seconds writing (with the kills)", "write_seconds"),
        ("Seconds until the outbox was empty afterwards", "drain_seconds"),
    ]
    head = "| | " + " | ".join(r["database"] for r in runs) + " |\n|---|" + "---|" * len(runs) + "\n"
    body = "".join(f"| {label} | " + " | ".join(str(r[key]) for r in runs) + " |\n" for label, key in rows)
    return (
        "# Durability of the reception's writes and e-mails under kill -9\n\n"
        "`python -m bench durability` (bench/durability.py; how it runs is in its docstring). "
        "uvicorn (one process) and `manage.py db_worker` on one machine with the database; the outbox "
        "dispatcher every 2 s, leases and the stuck-task timeout 10 s (bench/durability_settings.py).\n\n"
        + head
        + body
        + "\nA notification is claimed, then marked sent and handed to the mail server in one transaction that "
        'holds its row, so after the server\'s "accepted" only the COMMIT is left. A worker killed inside that '
        "window leaves the row unsent; after the lease the dispatcher sends it again, with the same Message-ID "
        "(made from the row's unique key), which mail systems that deduplicate by Message-ID fold into one. "
        "That window cannot be closed from the sender's side (the mail server and the database cannot commit "
        "together): it is the only way to a second copy (at-least-once towards the SMTP server, never lost); "
        '"sent more than once" counts such copies. The file e-mail backend used here makes a send take about '
        "as long as the commit, so a kill lands in the window far more often than with a real SMTP server.\n"
    )


def main(argv: list[str]) -> None:
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        runs.append(run(f"sqlite:///{tmp}/durability.sqlite3"))
    if POSTGRES_URL:
        recreate_postgres(POSTGRES_URL)
        runs.append(run(POSTGRES_URL))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "durability.json").write_text(json.dumps(runs, indent=2) + "\n")
    (RESULTS / "durability.md").write_text(report(runs))
    print(report(runs))


if __name__ == "__main__":
    main(sys.argv[1:])
