"""`ansinh backup` / `ansinh restore` on the database the suite runs on (SQLite in `make test`,
PostgreSQL in the CI's second run): a restore gives back every table with identical checksums."""

from __future__ import annotations

import io
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ansinh.core import backup as backups
from ansinh.demo import duplicates
from ansinh.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def _alone() -> None:
    """A restore wants the database to itself (it refuses while another session is open). The
    live server of an earlier browser test may still be closing the connection of its last
    request (PostgreSQL): wait for it, and say which sessions stayed if they do not go."""
    if connection.vendor != "postgresql":
        return
    others: list[tuple[Any, ...]] = []
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, state, left(query, 80) FROM pg_stat_activity WHERE datname = "
                "current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'")
            others = cursor.fetchall()
        if not others:
            return
        time.sleep(0.1)
    pytest.fail(f"other sessions hold the test database: {others}")


@pytest.fixture
def register() -> None:
    """A small office: the demo's register, money, outreach and retention for 300 persons."""
    _alone()
    call_command("seed-demo", "--persons", "300", "--as-of", "2026-12-02", stdout=io.StringIO(),
                 stderr=io.StringIO())


def _run(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command(*args, "--json", "-v0", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_a_restore_gives_back_every_table_with_identical_checksums(
        register: None, tmp_path: Path) -> None:
    made = _run("backup", "--dir", str(tmp_path))
    saved = backups.Backup.read(Path(made["path"]))
    assert saved.engine == {"sqlite": "sqlite", "postgresql": "postgres"}[connection.vendor]
    assert saved.tables == backups.live_checksums()
    assert saved.tables["registry_person"].rows == 300 + duplicates.count(300)
    assert made["rows"] == saved.rows > 1000

    # what a bad day does: rows lost, a name changed, a table that was not there
    kept = Person.objects.order_by("pk").first()
    assert kept is not None
    Person.objects.filter(pk=kept.pk).update(full_name="Sai tên")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM outreach_contact")
        cursor.execute("CREATE TABLE stray (x integer)")
    assert backups.compare(saved.tables, backups.live_checksums())

    restored = _run("restore", made["path"], "--yes")
    assert restored["identical"] is True
    assert restored["differences"] == []
    assert restored["unapplied_migrations"] == []
    assert backups.compare(saved.tables, backups.live_checksums()) == []
    assert Person.objects.get(pk=kept.pk).full_name == kept.full_name
    assert "stray" not in connection.introspection.table_names()
    # the data as it was before the restore was kept, and is itself a whole backup
    before = backups.Backup.read(Path(restored["safety_copy"]))
    assert before.tables["outreach_contact"].rows == 0
    assert backups.verify(before.path) == []


def test_a_damaged_backup_is_refused_and_nothing_changes(register: None, tmp_path: Path) -> None:
    made = backups.backup(tmp_path)
    now = backups.live_checksums()
    if made.engine == "sqlite":
        copy = sqlite3.connect(made.database_file)
        copy.execute("UPDATE registry_person SET full_name = 'Sửa lén' WHERE id = "
                     "(SELECT min(id) FROM registry_person)")
        copy.commit()
        copy.close()
        assert backups.verify(made.path) == ["registry_person: tổng kiểm khác / checksum differs"]
    else:
        made.database_file.write_bytes(made.database_file.read_bytes()[:4000])
        assert backups.verify(made.path)
    with pytest.raises(backups.BackupError, match="nothing restored"):
        backups.restore(made.path)
    assert backups.live_checksums() == now


def test_a_backup_of_the_other_engine_is_refused(register: None, tmp_path: Path) -> None:
    made = backups.backup(tmp_path)
    manifest = json.loads((made.path / backups.MANIFEST).read_text())
    manifest["engine"] = "postgres" if made.engine == "sqlite" else "sqlite"
    (made.path / backups.MANIFEST).write_text(json.dumps(manifest))
    (made.path / made.database_file.name).rename(
        made.path / (backups.POSTGRES_FILE if made.engine == "sqlite" else backups.SQLITE_FILE))
    with pytest.raises(CommandError, match="The backup is"):
        call_command("restore", str(made.path), "--yes", "-v0")


def test_a_folder_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not an ansinh backup"):
        call_command("restore", str(tmp_path), "--yes", "-v0")


def test_restore_asks_before_it_replaces_everything(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: no one to ask
    with pytest.raises(CommandError, match="add --yes"):
        call_command("restore", str(tmp_path), "-v0")


def test_backups_are_private_and_the_oldest_are_pruned(tmp_path: Path) -> None:
    first = _run("backup", "--dir", str(tmp_path))
    second = _run("backup", "--dir", str(tmp_path))
    third = _run("backup", "--dir", str(tmp_path), "--keep", "2")
    assert third["pruned"] == [first["path"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        Path(made["path"]).name for made in (second, third))
    folder = Path(third["path"])
    assert folder.stat().st_mode & 0o077 == 0
    assert next(folder.glob("database.*")).stat().st_mode & 0o077 == 0


def test_verify_from_the_command_line(tmp_path: Path) -> None:
    made = _run("backup", "--dir", str(tmp_path))
    out = io.StringIO()
    call_command("backup", "--verify", made["path"], "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"path": made["path"], "identical": True,
                                          "differences": []}


@pytest.mark.postgres
def test_postgres_restore_waits_for_the_server_to_stop(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    import psycopg

    _alone()
    made = backups.backup(tmp_path)
    params = connection.get_connection_params()
    other = psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    try:
        with pytest.raises(backups.BackupError, match="stop the server"):
            backups.restore(made.path)
    finally:
        other.close()
