"""The worker's queue: the database (django-q2's ORM broker) unless ANSINH_REDIS_URL is set,
then Redis; a URL that is not Redis's stops the start. Settings are read once, at start, so
each case runs `ansinh` in a process of its own. (The queue itself, through a real Redis, is
checked by `make prod-smoke`, core/tests/test_prod_smoke.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ANSINH = [sys.executable, "-m", "ansinh.cli"]
SHOW = ("import json; from django.conf import settings; from django_q.brokers import get_broker; "
        "print(json.dumps({'conf': settings.Q_CLUSTER, "
        "'broker': type(get_broker()).__name__}))")


def _run(tmp_path: Path, **values: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("ANSINH_", "DJANGO_", "DATABASE_URL"))}
    env.update({"ANSINH_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ansinh.settings",
                "ANSINH_MANIFEST_STATIC": "false", **values})
    return subprocess.run([*ANSINH, "shell", "-v", "0", "-c", SHOW], env=env,
                          capture_output=True, text=True, check=False, timeout=120)


def test_the_database_is_the_queue_by_default(tmp_path: Path) -> None:
    done = _run(tmp_path)
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["broker"] == "ORM" and shown["conf"]["orm"] == "default"
    assert "redis" not in shown["conf"]


def test_redis_is_the_queue_when_its_url_is_set(tmp_path: Path) -> None:
    done = _run(tmp_path, ANSINH_REDIS_URL="redis://127.0.0.1:6379/7",
                ANSINH_WORKER_PROCESSES="3")
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["broker"] == "Redis"
    assert "orm" not in shown["conf"]
    assert (shown["conf"]["redis"], shown["conf"]["workers"]) == ("redis://127.0.0.1:6379/7", 3)


def test_a_url_that_is_not_redis_stops_the_start(tmp_path: Path) -> None:
    done = _run(tmp_path, ANSINH_REDIS_URL="http://127.0.0.1:6379")
    assert done.returncode != 0
    assert "ANSINH_REDIS_URL must be a redis://" in done.stderr
