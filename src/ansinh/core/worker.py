"""The background worker's life: it stops when told to, and it dies with what started it.

django-q2's `qcluster` stops gracefully on SIGTERM, but its stop waits for the task in hand (up
to Q_CLUSTER["timeout"], an hour) and a second signal only waits again; and a `qcluster` whose
parent died (`make demo` ended by a timeout or `kill`) is adopted by init and keeps running, with
the database open. `ansinh worker` (management command) runs the same cluster with three
guarantees:

- SIGTERM or SIGINT stops it: gracefully for `stop_timeout` seconds, then its processes are
  killed; a second signal (more than 2 s after the first) kills at once.
- Started by `start_worker` it dies with its parent: Linux's PR_SET_PDEATHSIG sends it SIGTERM
  when the parent dies, even by SIGKILL, and a watchdog compares os.getppid() with the parent it
  was given (other systems, and the instant between fork and prctl).
- Each process it forks (django-q's sentinel, and the sentinel's pusher, monitor and task
  workers) gets SIGKILL when its own parent dies, so killing the worker leaves nothing behind.

In production systemd stops the whole control group (docs/deploy.md); the same command runs
there, so a deploy never waits an hour for a stop.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
DEFAULT_STOP_TIMEOUT = 20.0
# Ctrl+C in a terminal signals the whole process group: the worker gets SIGINT from the terminal
# and, a moment later, SIGTERM from `ansinh demo` forwarding it. That is one request to stop;
# a signal after this many seconds is a second one, which kills.
DUPLICATE_SIGNAL_SECONDS = 2.0


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None
    return libc.prctl


_PRCTL = _prctl()


def die_with_parent(signum: int = signal.SIGTERM) -> bool:
    """Ask the kernel to send `signum` to this process when its parent dies (Linux). Returns
    whether it could. Safe in a fork's child before exec (a preexec_fn): one system call."""
    if _PRCTL is None:
        return False
    return _PRCTL(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0


def _kill_forked_children_with_parent() -> None:
    die_with_parent(signal.SIGKILL)


def start_worker(extra_args: Sequence[str] = (), *, stop_timeout: float = DEFAULT_STOP_TIMEOUT,
                 env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `ansinh worker` as a child of this process that dies with it."""
    command = [sys.executable, "-m", "ansinh.cli", "worker", "--parent-pid", str(os.getpid()),
               "--stop-timeout", str(stop_timeout), *extra_args]
    return subprocess.Popen(command, preexec_fn=die_with_parent, env=env)


def stop_worker(worker: subprocess.Popen[bytes], timeout: float = DEFAULT_STOP_TIMEOUT) -> int:
    """SIGTERM, wait (the worker's own stop deadline and a margin), then SIGKILL; its forked
    processes die with it. Returns the exit code."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        return worker.wait(timeout=timeout + 5)
    except subprocess.TimeoutExpired:
        worker.kill()
        return worker.wait()


def run_cluster(*, parent_pid: int | None, stop_timeout: float,
                log: Callable[[str], Any] = print) -> int:
    """Run django-q2's cluster until a signal, the parent's death or the cluster's own death.
    Returns the exit code: 0 after a stop, 1 when the cluster died by itself."""
    from django_q.cluster import Cluster

    if parent_pid is not None and os.getppid() != parent_pid:
        return 0  # the parent died before PR_SET_PDEATHSIG was set: nothing to work for
    os.register_at_fork(after_in_child=_kill_forked_children_with_parent)
    stop = threading.Event()
    first_signal: list[float] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        now = time.monotonic()
        if not first_signal:
            first_signal.append(now)
            stop.set()
        elif now - first_signal[0] > DUPLICATE_SIGNAL_SECONDS:  # asked again: no more waiting
            _kill_sentinel(cluster)
            os._exit(128 + signum)

    cluster = Cluster()  # installs its own handlers, which wait without limit: replaced
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    cluster.start()
    code = 0
    while not stop.wait(1.0):
        if parent_pid is not None and os.getppid() != parent_pid:
            log("ansinh worker: tiến trình cha đã dừng / the parent process died: stopping")
            break
        if cluster.sentinel is None or not cluster.sentinel.is_alive():
            log("ansinh worker: cụm tiến trình đã dừng / the cluster died")
            code = 1
            break
    stopper = threading.Thread(target=cluster.stop, daemon=True)
    stopper.start()
    stopper.join(stop_timeout)
    if stopper.is_alive():
        log(f"ansinh worker: chưa dừng sau {stop_timeout:g} s, buộc dừng / "
            f"not stopped after {stop_timeout:g} s, killing")
        _kill_sentinel(cluster)
    return code


def _kill_sentinel(cluster: Any) -> None:
    """SIGKILL the sentinel; its children have PR_SET_PDEATHSIG=SIGKILL and follow it."""
    sentinel = getattr(cluster, "sentinel", None)
    if sentinel is not None and sentinel.pid and sentinel.is_alive():
        os.kill(sentinel.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while sentinel.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
