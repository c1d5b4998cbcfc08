"""The bulk write path: rows straight into a table, skipping the ORM.

SQLite: one `executemany` on the raw sqlite3 cursor. PostgreSQL: `COPY ... FROM STDIN`.
Callers validate first and run this inside their own transaction.atomic().
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from . import keys
from .models import Office


def db_uuid(value: uuid.UUID) -> Any:
    """A UUID as the database stores it (SQLite: 32 hex characters; PostgreSQL: uuid)."""
    return value if connection.vendor == "postgresql" else value.hex


def db_datetime(value: datetime) -> Any:
    """An aware datetime as the column stores it (SQLite: naive UTC text, as Django writes)."""
    if connection.vendor == "postgresql":
        return value
    return timezone.make_naive(value, UTC).isoformat(" ")


# Rows reach insert_rows already in database form: str, int, bool, None, date (sqlite3 and
# psycopg adapt those natively), with db_uuid()/db_datetime() for the two that differ. Converting
# value by value here would cost more than the insert itself.


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples in `columns` order) into `table`; returns the count. The driver's
    errors come out as Django's (a duplicate key is an `IntegrityError`), as from the ORM."""
    with connection.wrap_database_errors:
        return _insert_rows(table, columns, rows)


def _insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    columns, rows = _with_province(table, columns, rows)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"
    batch: list[tuple[Any, ...]] = []
    connection.ensure_connection()
    raw_connection = connection.connection
    for row in rows:
        batch.append(tuple(row))
        if len(batch) >= 50_000:
            raw_connection.executemany(sql, batch)
            count += len(batch)
            batch.clear()
    if batch:
        raw_connection.executemany(sql, batch)
        count += len(batch)
    return count


def _with_province(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                   ) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    """Add the province column to rows that carry their office (core.keys): required for a
    table partitioned by province (no trigger can fill its partition key), and cheaper than
    the trigger for the others (SQLite's updates each row it fills: half the bulk speed). The
    offices' provinces are read before the write starts (no query can run during a COPY);
    offices number in hundreds. Rows keyed through a parent row are left to the trigger."""
    partitioned = table in keys.SET_BY_WRITER
    if not (partitioned or table in keys.FROM_OFFICE) or "province_id" in columns \
            or "office_id" not in columns:
        return columns, rows
    office_at = list(columns).index("office_id")
    missing = 0 if partitioned else None  # the log tables' "no province"; else the trigger's
    provinces = {office_id: province_id if province_id is not None else missing
                 for office_id, province_id in Office.objects.values_list("id", "province_id")}
    return (*columns, "province_id"), (
        (*row, provinces.get(row[office_at], missing)) for row in rows)


def update_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UPDATE table SET columns... WHERE id = last value of each row."""
    assignments = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in columns)
    sql = f"UPDATE {connection.ops.quote_name(table)} SET {assignments} WHERE id = %s"
    materialised = [tuple(row) for row in rows]
    if materialised:
        with connection.cursor() as cursor:
            cursor.executemany(sql, materialised)
    return len(materialised)


# how a bulk writer locks rows before it takes an office's change number (registry.changes):
# rows it will change, and rows its foreign keys will point at (PostgreSQL's key-share lock,
# which a foreign key check takes anyway, and which an UPDATE of other columns does not wait on)
LOCKS = {"update": "FOR NO KEY UPDATE", "key share": "FOR KEY SHARE"}


def lock_rows(table: str, ids: Iterable[int], strength: str) -> None:
    """Lock the rows of `table` with these ids, in id order (two writers never wait on each
    other in a circle over them). SQLite locks the whole database for a write: nothing to do."""
    if connection.vendor != "postgresql":
        return
    wanted = sorted(set(ids))
    sql = (f"SELECT id FROM {connection.ops.quote_name(table)} WHERE id = ANY(%s) "
           f"ORDER BY id {LOCKS[strength]}")
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 100_000):
            cursor.execute(sql, [wanted[start:start + 100_000]])


def vacuum(*models: type[Model]) -> None:
    """VACUUM (ANALYZE) these tables after a bulk rewrite, on PostgreSQL outside a transaction:
    the dashboards' and worklists' reads are index-only scans only over pages the visibility
    map marks (autovacuum comes later, and not at all where it is turned off)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def reset_sequences(*models: type[Model]) -> None:
    """After rows were written with explicit ids: move PostgreSQL's id sequences past them, so
    the next ORM insert does not collide (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)
