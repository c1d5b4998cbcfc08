"""A real ansinh server in its own process, for browser tests that kill it mid-way.

The test's own database (pytest-django's) cannot be shared with another process, so the server
runs on a demo database of its own: seeded once per test session into a folder, copied for each
test, served by `ansinh runserver` in a child process that the test may kill (SIGKILL, no clean
shutdown) and start again on the same database. The test reads the rows with sqlite3.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ANSINH = [sys.executable, "-m", "ansinh.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DemoServer:
    """`seed()` once, then `start()` / `kill()` / `query()`; `stop()` at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = folder / "server.log"

    @property
    def database(self) -> Path:
        return self.folder / "ansinh.sqlite3"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"ANSINH_VAR_DIR": str(self.folder), "DATABASE_URL": f"sqlite:///{self.database}",
                    "DJANGO_SETTINGS_MODULE": "ansinh.settings", "PYTHONUNBUFFERED": "1"})
        env.pop("ANSINH_TEST_DB_FILE", None)
        return env

    def run(self, *args: str) -> str:
        done = subprocess.run([*ANSINH, *args], env=self.env(), capture_output=True, text=True,
                              check=False, timeout=600)
        if done.returncode:
            raise RuntimeError(f"ansinh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def seed(self, persons: int, as_of: date) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.run("migrate", "-v0")
        self.run("seed-demo", "--persons", str(persons), "--as-of", as_of.isoformat())

    def copy_to(self, folder: Path) -> DemoServer:
        """A new server on a copy of this one's database (each test starts from the seed)."""
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.database, folder / self.database.name)
        static = self.folder / "static"
        if static.exists():
            shutil.copytree(static, folder / "static", dirs_exist_ok=True)
        return DemoServer(folder)

    def start(self) -> str:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*ANSINH, "runserver", "--noreload", f"127.0.0.1:{self.port}"],
                env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at once:\n{self.log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self.url
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not answer within 60 s")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, a request in progress dies with it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    stop = kill

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database, timeout=30) as connection:
            return list(connection.execute(sql, params))

    def scalar(self, sql: str, *params: Any) -> Any:
        return self.query(sql, *params)[0][0]
