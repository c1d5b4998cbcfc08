#!/usr/bin/env python3
"""The production stack on this machine, started, checked and stopped (`make prod-smoke`).

1. a fresh PostgreSQL database on the server at PROD_SMOKE_PG (default
   postgres://postgres@127.0.0.1:5432/postgres; trust) and a private redis-server on a free port;
2. migrate, collectstatic (hashed, compressed: as a deployment), a small demo (seed-demo);
3. gunicorn with deploy/gunicorn.conf.py, and the worker (`ansinh worker`) on Redis;
4. checks: the sign-in page answers 200; giamdoc signs in and loads the dashboard; a register
   export started from the page is a background job (ANSINH_EXPORT_SYNC_MAX_ROWS=0) that the
   worker finishes through Redis (the database queue stays empty, Redis saw the task), and the
   file downloads; a static file is served with its long cache header;
5. everything stops (SIGTERM, then SIGKILL after a wait) and the database is dropped. Every
   process it starts dies with it even if it is killed (PR_SET_PDEATHSIG), and it checks at the
   end that none of its processes is left.

Exit 0 when every check passed. `--persons N` sizes the demo (default 300); `--keep-going`
runs the remaining checks after a failure.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ansinh.core.worker import die_with_parent  # noqa: E402  (no Django import)

ANSINH = [sys.executable, "-m", "ansinh.cli"]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
PASSWORD = "ansinh2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str,
                  seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped at once (exit {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on {port} within {seconds:g} s")


class Stack:
    """The processes started, stopped in reverse order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   preexec_fn=die_with_parent, cwd=ROOT)
        log.close()
        self.processes.append((name, process))
        return process

    def stop(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                print(f"  {name}: no stop after 40 s, killed", file=sys.stderr)
                process.kill()
                process.wait()
        self.processes.clear()

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def descendants(pid: int) -> list[int]:
    """Live processes (not zombies) whose chain of parents reaches `pid`."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


@contextmanager
def database(admin_url: str) -> Iterator[str]:
    import psycopg

    name = f"ansinh_smoke_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(admin_url)
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"  database {name} dropped")


class Browser:
    """Cookies, the CSRF token, no automatic redirects (the checks read them)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, dict[str, str],
                                                                               bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken") or ""


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=300)
    parser.add_argument("--pg", default=os.environ.get("PROD_SMOKE_PG", DEFAULT_PG),
                        help="a PostgreSQL URL whose user may create databases")
    parser.add_argument("--keep-going", action="store_true")
    parser.add_argument("--measure", action="store_true",
                        help="after the checks, print the processes' memory, page times and "
                             "the database's size per table (docs/deploy.md's measured numbers)")
    parser.add_argument("--light", action="store_true",
                        help="no collectstatic (a minute here): the static files are served from "
                             "the apps (ANSINH_MANIFEST_STATIC=false), without the long cache")
    options = parser.parse_args(argv)
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        print("FAIL: redis-server is not installed (Debian: apt-get install redis-server)",
              file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="ansinh-prod-smoke-"))
    stack = Stack(folder)
    results: list[tuple[str, bool, str]] = []
    started = time.monotonic()
    try:
        with database(options.pg) as database_url:
            try:
                redis_port, web_port = free_port(), free_port()
                env = {key: value for key, value in os.environ.items()
                       if not key.startswith(("ANSINH_", "DJANGO_", "DATABASE_"))}
                env.update({
                    "DJANGO_SETTINGS_MODULE": "ansinh.settings",
                    "DATABASE_URL": database_url,
                    "ANSINH_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                    "ANSINH_VAR_DIR": str(folder / "var"),
                    "ANSINH_SECRET_KEY": secrets.token_urlsafe(50),
                    "ANSINH_MANIFEST_STATIC": "false" if options.light else "true",
                    "ANSINH_BIND": f"127.0.0.1:{web_port}",
                    "ANSINH_WORKERS": "2",
                    "ANSINH_EXPORT_SYNC_MAX_ROWS": "0",  # every export is a background job
                    "ANSINH_CONN_MAX_AGE": "60",
                    "PYTHONUNBUFFERED": "1",
                })
                redis = stack.start("redis", [redis_server, "--port", str(redis_port), "--bind",
                                              "127.0.0.1", "--save", "", "--appendonly", "no",
                                              "--daemonize", "no"], env)
                wait_for_port(redis_port, redis, "redis-server", 20)
                print(f"  redis-server on {redis_port}, database {database_url.rsplit('/', 1)[1]}")
                steps = [["migrate", "-v0"], ["collectstatic", "--no-input", "-v0"],
                         ["seed-demo", "--persons", str(options.persons)]]
                for step in steps[::2] if options.light else steps:
                    t = time.monotonic()
                    done = subprocess.run([*ANSINH, *step], env=env, cwd=ROOT,
                                          capture_output=True, text=True, check=False)
                    if done.returncode:
                        raise RuntimeError(
                            f"ansinh {' '.join(step)} failed:\n{done.stderr[-3000:]}")
                    print(f"  ansinh {step[0]}: {time.monotonic() - t:.1f} s")
                config = ROOT / "deploy" / "gunicorn.conf.py"
                gunicorn = stack.start(
                    "gunicorn", [sys.executable, "-m", "gunicorn", "-c", str(config)], env)
                stack.start("worker", [*ANSINH, "worker", "--parent-pid", str(os.getpid())], env)
                wait_for_port(web_port, gunicorn, "gunicorn")
                print(f"  gunicorn on {web_port}, worker started")
                checks = Checks(Browser(f"http://127.0.0.1:{web_port}"), env, redis_port,
                                manifest=not options.light)
                for name, check in checks.all():
                    try:
                        detail = check()
                    except Exception as exc:  # a check's failure, reported and counted
                        results.append((name, False, f"{type(exc).__name__}: {exc}"))
                        if not options.keep_going:
                            break
                    else:
                        results.append((name, True, detail))
                for name, ok, detail in results:
                    print(f"  {'ok  ' if ok else 'FAIL'} {name}: {detail}")
                if options.measure and all(ok for _name, ok, _detail in results):
                    measure(checks, stack)
                if not all(ok for _name, ok, _detail in results):
                    for name in ("gunicorn", "worker"):
                        print(f"--- {name}.log ---\n{stack.log(name)}", file=sys.stderr)
            finally:
                t = time.monotonic()
                stack.stop()  # before the database is dropped
                print(f"  stopped: {time.monotonic() - t:.1f} s")
    finally:
        stack.stop()
        left = descendants(os.getpid())
        if left:
            results.append(("no process left", False, f"still running: {left}"))
            for pid in left:
                os.kill(pid, signal.SIGKILL)
        else:
            results.append(("no process left", True, "every process stopped"))
        name, ok, detail = results[-1]
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: {detail}")
        shutil.rmtree(folder, ignore_errors=True)
    passed = sum(ok for _name, ok, _detail in results)
    failed = len(results) - passed
    print(f"prod-smoke: {passed} checks passed, {failed} failed "
          f"({time.monotonic() - started:.0f} s)")
    return 0 if failed == 0 and passed > 1 else 1


def memory_mb(pid: int, field: str) -> float:
    """VmRSS (/proc/PID/status) or Pss, the share of the memory forked processes hold in
    common (/proc/PID/smaps_rollup), in MB."""
    source = "status" if field == "VmRSS" else "smaps_rollup"
    for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(checks: Checks, stack: Stack) -> None:
    """Memory of each process, sequential page times (one client, loopback), table sizes."""
    import json
    import statistics

    import psycopg

    for name, process in stack.processes:
        tree = [process.pid, *descendants(process.pid)]
        for field in ("VmRSS", "Pss"):
            sizes = [round(memory_mb(pid, field)) for pid in tree]
            print(f"  measure {field} {name}: {sizes} MB (total {sum(sizes)} MB)")
    for path in ("/bao-cao/", "/so-doi-tuong/", "/so-doi-tuong/?q=nguyen"):
        times = []
        for _ in range(30):
            t = time.perf_counter()
            status, _headers, _body = checks.browser.request(path)
            times.append(time.perf_counter() - t)
            assert status == 200, (path, status)
        print(f"  measure page {path}: median {statistics.median(times) * 1000:.0f} ms, "
              f"p90 {sorted(times)[26] * 1000:.0f} ms (30 sequential requests)")
    with psycopg.connect(checks.env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")  # reltuples: the row counts
        total = connection.execute("SELECT pg_database_size(current_database())").fetchone()
        rows = connection.execute(
            "SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public' "
            "ORDER BY 3 DESC LIMIT 8").fetchall()
    print(f"  measure database: {(total[0] if total else 0) / 2**20:.0f} MB")
    for table, count, size in rows:
        per_row = size / count if count > 0 else 0
        print("  measure table " + json.dumps({"table": table, "rows": count,
                                               "mb": round(size / 2**20, 1),
                                               "bytes_per_row": round(per_row)}))


class Checks:
    def __init__(self, browser: Browser, env: dict[str, str], redis_port: int, *,
                 manifest: bool) -> None:
        self.browser = browser
        self.manifest = manifest
        self.env = env
        self.redis_port = redis_port
        self.sign_in_page = b""

    def all(self) -> list[tuple[str, Callable[[], str]]]:
        return [("sign-in page", self.sign_in), ("sign in, dashboard", self.dashboard),
                ("background export through Redis", self.export),
                ("static files", self.static)]

    def sign_in(self) -> str:
        status, _headers, body = self.browser.request("/dang-nhap/")
        assert status == 200, status
        self.sign_in_page = body
        return "200"

    def dashboard(self) -> str:
        status, headers, _body = self.browser.request("/dang-nhap/", {
            "username": "giamdoc", "password": PASSWORD,
            "csrfmiddlewaretoken": self.browser.csrf()})
        assert status == 302, f"sign-in answered {status}"
        landing = urllib.parse.urlsplit(headers["Location"]).path
        status, _headers, body = self.browser.request(landing)
        assert status == 200, f"{landing} answered {status}"
        assert b"/dang-xuat/" in body, "the dashboard is not a signed-in page"
        return f"{landing} 200, {len(body):,} bytes"

    def export(self) -> str:
        status, _headers, body = self.browser.request("/so-doi-tuong/xuat.xlsx")
        assert status == 200 and b"/so-doi-tuong/xuat/" in body, "no background export offered"
        status, headers, _body = self.browser.request("/so-doi-tuong/xuat/", {
            "query": "", "format": "xlsx", "csrfmiddlewaretoken": self.browser.csrf()})
        assert status == 302, f"the export start answered {status}"
        job_path = urllib.parse.urlsplit(headers["Location"]).path
        deadline = time.monotonic() + 120
        while True:
            status, _headers, body = self.browser.request(job_path)
            assert status == 200, f"{job_path} answered {status}"
            if b'id="export-download"' in body:
                break
            assert b'class="error"' not in body, re.sub(rb"\s+", b" ", body)[-600:]
            assert time.monotonic() < deadline, "the worker did not finish the export in 120 s"
            time.sleep(0.5)
        status, headers, content = self.browser.request(job_path + "tai-ve")
        assert status == 200 and content[:2] == b"PK", f"download answered {status}"
        # through Redis: the task was pushed to and popped from its list there, and the
        # database queue (django-q's ORM broker table) was never used
        stats = subprocess.run(["redis-cli", "-p", str(self.redis_port), "info",
                                "commandstats"], capture_output=True, text=True, check=True)
        pushes = re.search(r"cmdstat_rpush:calls=(\d+)", stats.stdout)
        assert pushes and int(pushes.group(1)) >= 1, "Redis received no task"
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            queued = connection.execute(
                "SELECT (SELECT count(*) FROM django_q_ormq), (SELECT count(*) FROM "
                "django_q_task WHERE name LIKE 'export-%%' AND success)").fetchone()
        assert queued == (0, 1), f"ORM queue rows, successful export tasks: {queued}"
        return (f"job {job_path} done, {len(content):,} bytes downloaded; Redis rpush "
                f"calls {pushes.group(1)}, ORM queue empty")

    def static(self) -> str:
        found = re.search(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', self.sign_in_page)
        assert found, "the sign-in page names no static file"
        path = found.group(1).decode()
        status, headers, body = self.browser.request(path)
        assert status == 200 and body, f"{path} answered {status}"
        cache = headers.get("Cache-Control", "")
        if self.manifest:  # hashed names, cached for ever
            assert re.search(r"\.[0-9a-f]{12}\.", path) and "immutable" in cache, (path, cache)
        return f"{path} 200, {cache}"


if __name__ == "__main__":
    sys.exit(run())
