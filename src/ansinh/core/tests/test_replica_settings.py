"""The replica's settings and the guard's arithmetic, without a server (the guard itself is
tested against a real standby in test_replica.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ansinh.core import replica


def settings_import(tmp_path: Path, **values: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("DATABASE_", "DJANGO_"))}
    env.update({"ANSINH_VAR_DIR": str(tmp_path), **values})
    return subprocess.run(
        [sys.executable, "-c", "from ansinh import settings as s; "
         "print(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []), "
         "s.DATABASES.get('replica', {}).get('TEST'))"],
        env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_replica_needs_postgresql_on_both_sides(tmp_path: Path) -> None:
    done = settings_import(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                           DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:1/ansinh")
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL is a PostgreSQL streaming replica" in done.stderr


def test_the_replica_alias_and_router_only_when_configured(tmp_path: Path) -> None:
    primary = "postgres://postgres@127.0.0.1:1/ansinh"
    without = settings_import(tmp_path, DATABASE_URL=primary)
    assert without.returncode == 0, without.stderr
    assert without.stdout.strip() == "['default'] [] None"
    with_replica = settings_import(tmp_path, DATABASE_URL=primary,
                                   DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:2/ansinh")
    assert with_replica.returncode == 0, with_replica.stderr
    # test runs read the primary's test database through the alias (no database on a standby)
    assert with_replica.stdout.strip() == (
        "['default', 'replica'] ['ansinh.core.replica.ReplicaRouter'] {'MIRROR': 'default'}")


def test_lsn() -> None:
    assert replica.lsn("0/3000148") == 0x3000148
    assert replica.lsn("16/B374D848") == (0x16 << 32) + 0xB374D848
