"""Backups of the whole database and their restore, with a checksum of every table.

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent image while
  the server keeps running. The checksums are read from the copy, so they describe it exactly.
- PostgreSQL: `pg_dump` in its custom format. The checksums are read in a REPEATABLE READ
  transaction whose snapshot pg_dump shares (`--snapshot`), so both see the same rows.
- A backup is a folder, readable by its owner only (it holds national IDs): the database file
  or dump, and `manifest.json` with the engine, the time, and each table's rows and SHA-256.
- A restore first takes a backup of what is there (the safety copy), then replaces the whole
  database in one transaction, then reads every table's checksum again and compares them with
  the manifest. A difference is an error, not a warning.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
PREFIX = "ansinh-"
FETCH = 5000  # rows per round trip while hashing

Progress = Callable[[str], None]


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, in both languages."""


@dataclass(frozen=True)
class TableSum:
    rows: int
    sha256: str


@dataclass
class Backup:
    path: Path
    engine: str
    created: str
    tables: dict[str, TableSum] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables.values())

    @property
    def database_file(self) -> Path:
        return self.path / (SQLITE_FILE if self.engine == "sqlite" else POSTGRES_FILE)

    def manifest(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "created": self.created,
            "file": self.database_file.name,
            "tables": {name: {"rows": s.rows, "sha256": s.sha256}
                       for name, s in sorted(self.tables.items())},
        }

    def summary(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "engine": self.engine,
            "created": self.created,
            "tables": len(self.tables),
            "rows": self.rows,
            "bytes": self.database_file.stat().st_size,
            "seconds": round(self.seconds, 2),
        }

    @classmethod
    def read(cls, path: Path) -> Backup:
        try:
            data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
            backup = cls(path=path, engine=data["engine"], created=data["created"],
                         tables={name: TableSum(int(t["rows"]), str(t["sha256"]))
                                 for name, t in data["tables"].items()})
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BackupError(
                f"{path} không phải bản sao lưu của ansinh (thiếu hoặc hỏng {MANIFEST}) / "
                f"{path} is not an ansinh backup (missing or broken {MANIFEST}): {exc}"
            ) from exc
        if not backup.database_file.is_file():
            raise BackupError(f"Thiếu tệp {backup.database_file} / Missing {backup.database_file}")
        return backup


# ---------------------------------------------------------------------------------------------
# Checksums


def _cell(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime | date | Decimal | UUID):
        return value.isoformat() if isinstance(value, datetime | date) else str(value)
    if isinstance(value, float):
        return value.hex()
    return value


def _digest(rows: Iterable[Sequence[Any]]) -> TableSum:
    sha, count = hashlib.sha256(), 0
    for row in rows:
        sha.update(json.dumps([_cell(v) for v in row], ensure_ascii=False, sort_keys=True,
                              default=str).encode())
        sha.update(b"\n")
        count += 1
    return TableSum(count, sha.hexdigest())


def _fetch_all(cursor: Any) -> Iterable[Sequence[Any]]:
    while batch := cursor.fetchmany(FETCH):
        yield from batch


def _ordered_select(table: str, keys: Sequence[str], width: int,
                    quote: Callable[[str], str]) -> str:
    # by the primary key where there is one (an index read); else by every column
    order = ", ".join(quote(k) for k in keys) if keys else ", ".join(
        str(i) for i in range(1, width + 1))
    return f"SELECT * FROM {quote(table)} ORDER BY {order}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_checksums(db: sqlite3.Connection,
                     progress: Progress | None = None) -> dict[str, TableSum]:
    tables = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    sums: dict[str, TableSum] = {}
    for table in tables:
        info = db.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
        keys = [row[1] for row in sorted(info, key=lambda row: row[5]) if row[5] > 0]
        cursor = db.execute(_ordered_select(table, keys, len(info), _quote))
        sums[table] = _digest(_fetch_all(cursor))
        if progress:
            progress(f"  {table}: {sums[table].rows}")
    return sums


def postgres_checksums(db: Any, progress: Progress | None = None) -> dict[str, TableSum]:
    """Every table of the current schema, read in the caller's transaction. A partitioned
    table (core.partitions) counts through its partitions, which hold its rows and are what
    the dump lists as table data; the parent holds none of its own."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname")
        tables = [row[0] for row in cursor.fetchall()]
    sums: dict[str, TableSum] = {}
    for table in tables:
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum",
                [_quote(table)])
            keys = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT count(*) FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped", [_quote(table)])
            width = cursor.fetchone()[0]
        # a named cursor streams the rows instead of loading the table into memory
        with db.cursor(name=f"ansinh_sum_{len(sums)}") as cursor:
            cursor.itersize = FETCH
            cursor.execute(_ordered_select(table, keys, width, _quote))
            sums[table] = _digest(_fetch_all(cursor))
        if progress:
            progress(f"  {table}: {sums[table].rows}")
    return sums


# ---------------------------------------------------------------------------------------------
# The database in use


def _engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor in {"sqlite", "postgresql"}:
        return connection.vendor.replace("postgresql", "postgres")
    raise BackupError(f"Không hỗ trợ cơ sở dữ liệu {connection.vendor} / "
                      f"Unsupported database {connection.vendor}")


def _pg_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    config = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                      ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if config.get(key):
            env[name] = str(config[key])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"Không tìm thấy {name} (gói postgresql-client) / "
                          f"{name} not found (Debian package postgresql-client)")
    return found


def live_checksums(using: str = "default", progress: Progress | None = None) -> dict[str, TableSum]:
    """Every table's checksum as the database holds it now."""
    connection = connections[using]
    if _engine(connection) == "sqlite":
        # a plain connection: Django's converts dates and decimals, the copy's read is plain
        plain = sqlite3.connect(connection.get_connection_params()["database"], uri=True)
        try:
            return sqlite_checksums(plain, progress)
        finally:
            plain.close()
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        with raw.transaction():
            return postgres_checksums(raw, progress)
    finally:
        raw.close()


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M%S")


def _new_folder(directory: Path, engine: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = directory / f"{PREFIX}{engine}-{_stamp()}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = directory / f"{PREFIX}{engine}-{_stamp()}-{suffix}"
    folder.mkdir(mode=0o700)
    return folder


def default_directory() -> Path:
    return Path(os.environ.get("ANSINH_BACKUP_DIR") or Path(settings.VAR_DIR) / "backups")


def backup(directory: Path | None = None, *, using: str = "default",
           progress: Progress | None = None) -> Backup:
    """Copy the database into a new folder under `directory`; return what was written."""
    started = time.perf_counter()
    connection = connections[using]
    engine = _engine(connection)
    folder = _new_folder(directory or default_directory(), engine)
    result = Backup(path=folder, engine=engine, created=timezone.now().isoformat())
    say = progress or (lambda _text: None)
    try:
        if engine == "sqlite":
            _sqlite_backup(connection, result.database_file, say)
            copy = sqlite3.connect(result.database_file)
            try:
                say("Tính tổng kiểm từng bảng / Checksumming every table")
                result.tables = sqlite_checksums(copy, progress)
            finally:
                copy.close()
        else:
            result.tables = _postgres_backup(connection, result.database_file, say, progress)
        result.database_file.chmod(0o600)
        (folder / MANIFEST).write_text(json.dumps(result.manifest(), indent=1), encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never leave half a backup that looks whole
        raise
    result.seconds = time.perf_counter() - started
    return result


def _sqlite_backup(connection: BaseDatabaseWrapper, target: Path, say: Progress) -> None:
    connection.ensure_connection()
    source = connection.connection
    destination = sqlite3.connect(target)

    def report(_status: int, remaining: int, total: int) -> None:
        say(f"  {total - remaining}/{total} trang / pages")

    try:
        say("Sao chép cơ sở dữ liệu (SQLite online backup) / Copying the database")
        source.backup(destination, pages=4096, progress=report)
    finally:
        destination.close()


def _postgres_backup(connection: BaseDatabaseWrapper, target: Path, say: Progress,
                     progress: Progress | None) -> dict[str, TableSum]:
    pg_dump = _tool("pg_dump")
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        with raw.transaction():
            with raw.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            say("pg_dump (định dạng custom / custom format)")
            done = subprocess.run(
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", f"--file={target}"],
                env=_pg_env(connection), capture_output=True, text=True, check=False)
            if done.returncode:
                raise BackupError(f"pg_dump thất bại / pg_dump failed: {done.stderr.strip()}")
            say("Tính tổng kiểm từng bảng / Checksumming every table")
            return postgres_checksums(raw, progress)
    finally:
        raw.close()


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups in `directory` (only folders with a manifest)."""
    backups = sorted(
        (path for path in directory.glob(f"{PREFIX}*") if (path / MANIFEST).is_file()),
        key=lambda path: path.stat().st_mtime, reverse=True)
    removed = backups[keep:]
    for path in removed:
        shutil.rmtree(path)
    return removed


# ---------------------------------------------------------------------------------------------
# Restore


@dataclass
class Restore:
    backup: Backup
    safety_copy: Backup | None
    differences: list[str]
    seconds: float

    def summary(self) -> dict[str, Any]:
        return {
            "restored": str(self.backup.path),
            "engine": self.backup.engine,
            "tables": len(self.backup.tables),
            "rows": self.backup.rows,
            "identical": not self.differences,
            "differences": self.differences,
            "safety_copy": str(self.safety_copy.path) if self.safety_copy else None,
            "seconds": round(self.seconds, 2),
        }


def compare(expected: dict[str, TableSum], found: dict[str, TableSum]) -> list[str]:
    """Each table whose rows or checksum differ, in words."""
    differences = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            differences.append(f"{table}: thiếu / missing")
        elif table not in expected:
            differences.append(f"{table}: thừa / not in the backup")
        elif expected[table] != found[table]:
            differences.append(
                f"{table}: {found[table].rows} dòng, cần {expected[table].rows} / "
                f"{found[table].rows} rows, expected {expected[table].rows}"
                if expected[table].rows != found[table].rows
                else f"{table}: tổng kiểm khác / checksum differs")
    return differences


def verify(path: Path) -> list[str]:
    """The differences between a backup's file and its manifest (SQLite: read the file; PostgreSQL:
    the dump's table of contents must list every table)."""
    saved = Backup.read(path)
    if saved.engine == "sqlite":
        copy = sqlite3.connect(f"file:{saved.database_file}?mode=ro", uri=True)
        try:
            return compare(saved.tables, sqlite_checksums(copy))
        except sqlite3.DatabaseError as exc:
            return [f"{saved.database_file}: {exc}"]
        finally:
            copy.close()
    listed = subprocess.run([_tool("pg_restore"), "--list", str(saved.database_file)],
                            capture_output=True, text=True, check=False)
    if listed.returncode:
        return [f"pg_restore --list: {listed.stderr.strip()}"]
    data = {line.split()[-2] for line in listed.stdout.splitlines() if " TABLE DATA " in line}
    return [f"{table}: thiếu trong tệp / missing from the dump"
            for table in saved.tables if table not in data]


def restore(path: Path, *, using: str = "default", safety_copy: bool = True,
            progress: Progress | None = None) -> Restore:
    """Replace the database with the backup in `path`, then prove it with the checksums."""
    started = time.perf_counter()
    saved = Backup.read(path)
    connection = connections[using]
    engine = _engine(connection)
    if saved.engine != engine:
        raise BackupError(
            f"Bản sao lưu là {saved.engine}, cơ sở dữ liệu đang dùng là {engine} / "
            f"The backup is {saved.engine}, the database in use is {engine}")
    say = progress or (lambda _text: None)
    say(f"Kiểm tra {saved.path} trước khi thay dữ liệu / Checking {saved.path} first")
    damaged = verify(saved.path)
    if damaged:
        raise BackupError(
            "Bản sao lưu không khớp tổng kiểm của nó, không khôi phục / The backup does not "
            "match its checksums, nothing restored: " + "; ".join(damaged))
    if engine == "postgres":
        _refuse_other_sessions(connection)
    copy = None
    if safety_copy:
        say("Sao lưu dữ liệu hiện có trước khi khôi phục / Backing up the current data first")
        copy = backup(saved.path.parent / "truoc-khi-khoi-phuc", using=using)
    say(f"Khôi phục {saved.path} / Restoring {saved.path}")
    if engine == "sqlite":
        _sqlite_restore(connection, saved.database_file)
    else:
        _postgres_restore(connection, saved.database_file)
    connection.close()  # the next query reads the restored database afresh
    say("Kiểm tra tổng kiểm từng bảng / Checking every table's checksum")
    differences = compare(saved.tables, live_checksums(using, progress))
    return Restore(saved, copy, differences, time.perf_counter() - started)


def _sqlite_restore(connection: BaseDatabaseWrapper, source_file: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
    try:
        # the backup API writes every page of the copy into the live database, atomically
        source.backup(connection.connection)
    finally:
        source.close()


def _refuse_other_sessions(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        others = cursor.fetchone()[0]
    if others:
        raise BackupError(
            f"{others} phiên khác đang dùng cơ sở dữ liệu: dừng máy chủ và tiến trình nền trước "
            f"khi khôi phục / {others} other sessions use the database: stop the server and the "
            "worker before restoring")


def _postgres_restore(connection: BaseDatabaseWrapper, dump: Path) -> None:
    """The whole schema is dropped and the dump replayed in ONE transaction: a failure
    half-way leaves the database as it was."""
    connection.close()
    env = _pg_env(connection)
    plain = subprocess.Popen(
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    psql = subprocess.Popen(
        [_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction",
         "--set=ON_ERROR_STOP=1", "--file=-"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert plain.stdout and psql.stdin  # both are pipes
    try:
        psql.stdin.write(b"DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n")
        shutil.copyfileobj(plain.stdout, psql.stdin, 1 << 20)
        psql.stdin.close()
    except BrokenPipeError:
        pass  # psql stopped on an error: its stderr says which
    assert plain.stderr and psql.stderr  # short: psql stops at the first error
    plain_err, psql_err = plain.stderr.read(), psql.stderr.read()
    plain.wait()
    psql.wait()
    if plain.returncode or psql.returncode:
        raise BackupError(
            "Khôi phục thất bại, cơ sở dữ liệu không đổi / Restore failed, the database is "
            f"unchanged: {(plain_err or psql_err).decode(errors='replace').strip()}")
