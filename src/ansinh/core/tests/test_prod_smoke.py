"""`make prod-smoke`, light (no collectstatic): gunicorn with deploy/gunicorn.conf.py, the
worker on a private Redis, a fresh database on the PostgreSQL server the run uses; sign-in,
dashboard, a background export through Redis, static files; nothing left running, the
database dropped. PostgreSQL runs only: it needs the server (and redis-server)."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.postgres
def test_the_production_stack_starts_serves_and_stops() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    params = connection.settings_dict
    admin = urllib.parse.urlunsplit(("postgres", f"{params['USER']}@{params['HOST']}:"
                                     f"{params['PORT'] or 5432}", "/postgres", "", ""))
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "prod_smoke.py"), "--light",
                           "--persons", "200", "--pg", admin],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr[-5000:]
    assert "prod-smoke: 5 checks passed, 0 failed" in done.stdout, done.stdout
    assert "ok   background export through Redis" in done.stdout
    assert "ok   no process left" in done.stdout
    named = re.search(r"database (ansinh_smoke_\w+) dropped", done.stdout)
    assert named, done.stdout
    with psycopg.connect(admin) as admin_connection:  # the smoke's database is gone
        left = admin_connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                        [named.group(1)]).fetchall()
    assert left == []
