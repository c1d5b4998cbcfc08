"""`ansinh demo` stops with its worker: SIGTERM to the demo (a timeout, `kill`) stops the server
and the worker (django-q's cluster: the worker, its sentinel, pusher, monitor and task
processes), and a demo killed outright (SIGKILL, no `finally`) takes its worker with it.

Each demo runs in its own session, so its process group is its PID; what is left of it is every
process still in that group, found by walking /proc (a process keeps its group when its parent
dies and init adopts it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="walks /proc (Linux)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _group(pgid: int) -> dict[int, str]:
    """The live processes (not zombies) of process group `pgid`: pid → command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # it ended while we looked
        # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after its ")"
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found[int(entry.name)] = cmdline
    return found


def _gone(pgid: int, seconds: float) -> dict[int, str]:
    deadline = time.monotonic() + seconds
    while (left := _group(pgid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`ansinh demo --persons 200` on its own SQLite database in a temporary folder, serving;
    its worker (`ansinh worker`) has started its cluster."""
    port = _free_port()
    env = dict(os.environ)
    env.update({"ANSINH_VAR_DIR": str(tmp_path), "ANSINH_MANIFEST_STATIC": "false",
                "DJANGO_SETTINGS_MODULE": "ansinh.settings", "PYTHONUNBUFFERED": "1"})
    for name in ("DATABASE_URL", "ANSINH_TEST_DB_FILE", "ANSINH_REDIS_URL", "ANSINH_TASKS_SYNC"):
        env.pop(name, None)
    log = (tmp_path / "demo.log").open("wb")
    # started with SIGINT ignored, as a shell's background job or a test runner may start it
    # (an ignored signal is inherited across exec): Ctrl+C must stop it all the same
    process = subprocess.Popen(
        [sys.executable, "-m", "ansinh.cli", "demo", "--persons", "200", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=_ignore_sigint)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, (tmp_path / "demo.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the demo did not serve within 180 s"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.3)
        # the worker's cluster is up when its sentinel has forked its processes (5 or more:
        # demo, worker, sentinel, pusher, monitor, task worker)
        while len(_group(process.pid)) < 5 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_group(process.pid)) >= 5, _group(process.pid)
        yield process
    finally:
        for pid in _group(process.pid):  # whatever a failed test left: ours alone, by PID
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=30)
        log.close()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_sigterm_stops_the_demo_and_its_worker(demo: subprocess.Popen[bytes]) -> None:
    os.kill(demo.pid, signal.SIGTERM)
    # a worker stops within its stop timeout (20 s) plus a task's end: generous on a busy
    # machine, still far from the hour a task may run
    assert demo.wait(timeout=150) == 0
    assert _gone(demo.pid, 30) == {}


def test_ctrl_c_stops_the_demo_and_its_worker(demo: subprocess.Popen[bytes]) -> None:
    """Ctrl+C in a terminal: SIGINT to every process of the group at once."""
    os.killpg(demo.pid, signal.SIGINT)
    # a worker stops within its stop timeout (20 s) plus a task's end: generous on a busy
    # machine, still far from the hour a task may run
    assert demo.wait(timeout=150) == 0
    assert _gone(demo.pid, 30) == {}


def test_a_killed_demo_takes_its_worker_with_it(demo: subprocess.Popen[bytes]) -> None:
    workers = [pid for pid, command in _group(demo.pid).items()
               if pid != demo.pid and " worker " in command]
    assert workers, _group(demo.pid)
    os.kill(demo.pid, signal.SIGKILL)
    demo.wait(timeout=30)
    assert _gone(demo.pid, 30) == {}


def test_the_worker_obeys_sigterm_alone(demo: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the worker itself (as systemd sends it) stops it and its processes while the
    demo goes on serving."""
    worker = next(pid for pid, command in _group(demo.pid).items()
                  if pid != demo.pid and " worker --parent-pid" in command
                  and _parent(pid) == demo.pid)
    os.kill(worker, signal.SIGTERM)
    assert _gone_except(demo.pid, {demo.pid}, 30) == {}
    assert demo.poll() is None


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2:].split()[1])


def _gone_except(pgid: int, keep: set[int], seconds: float) -> dict[int, str]:
    deadline = time.monotonic() + seconds
    while True:
        left = {pid: command for pid, command in _group(pgid).items() if pid not in keep}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)
