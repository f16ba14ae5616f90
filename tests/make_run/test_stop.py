"""`make run` ends with `make serve` (the web server and the task worker). Pressed Ctrl-C, as a
person does in a terminal, it must stop both at once and cleanly: no "Segmentation fault" (issue 14),
no process left behind, back to the prompt within seconds.

The terminal is a pseudo-terminal, so Ctrl-C is the real keystroke (the tty sends SIGINT to the
foreground process group), not a signal sent by the test. On a fresh SQLite file in a temporary
folder; run once, in the SQLite run of the suite."""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")) or sys.platform != "linux",
    reason="runs once, in the SQLite run (it starts its own server on its own database)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def read_all(fd: int, seconds: float, until: bytes | None = None) -> tuple[bytes, bool]:
    """Read the terminal for up to `seconds`; stop early at `until` or when it closes."""
    out, end = b"", time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return out, True
            if not chunk:
                return out, True
            out += chunk
            if until is not None and until in out:
                return out, False
    return out, False


def answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_ctrl_c_stops_the_server_and_the_worker_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/run.sqlite3", "DJANGO_SETTINGS_MODULE": ""}
    env.pop("DJANGO_SETTINGS_MODULE")
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    pid, fd = pty.fork()
    if pid == 0:  # the child: `make serve` in the pseudo-terminal
        # As a person's terminal starts it: no signal ignored or blocked. A library in this test process
        # may have left one so, and a shell cannot trap a signal that was ignored when it started.
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(number, signal.SIG_DFL)
        os.chdir(ROOT)
        os.execvpe("make", ["make", "--no-print-directory", "serve", f"PORT={port}", "HOST=127.0.0.1"], env)  # noqa: S606
    try:
        out, deadline = b"", time.monotonic() + 90
        while not answers(port):  # the web server is up when its port answers
            assert time.monotonic() < deadline, out.decode(errors="replace")[-2000:]
            more, _ = read_all(fd, 0.5)
            out += more
        more, _ = read_all(fd, 3, until=b"Starting worker")  # the worker is up too
        out += more
        pressed = time.monotonic()
        os.write(fd, b"\x03")  # Ctrl-C
        more, _closed = read_all(fd, 20)
        out += more
        status = None
        while time.monotonic() - pressed < 20:
            done, code = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                status = code
                break
            time.sleep(0.1)
        took = time.monotonic() - pressed
    finally:
        os.close(fd)
    text = out.decode(errors="replace")
    if status is None:  # what the shell had blocked and ignored, to tell why (then clean up)
        states = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}/status").exists() else ""
        text += "\n" + "\n".join(line for line in states.splitlines() if line.startswith(("SigBlk", "SigIgn")))
        subprocess.run(["pkill", "-TERM", "-f", f"--port {port}"], check=False)
        subprocess.run(["pkill", "-TERM", "-g", str(pid)], check=False)
    assert status is not None, f"make serve still running 20 s after Ctrl-C:\n{text[-2000:]}"
    assert "Segmentation fault" not in text and "Traceback" not in text, text[-2000:]
    assert took < 10, f"{took:.1f} s to stop"
    left = subprocess.run(["pgrep", "-f", f"--port {port}"], capture_output=True, text=True).stdout.split()
    assert not left, f"left running: {left}"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the port still answers"
