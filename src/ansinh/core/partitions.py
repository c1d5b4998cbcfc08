"""The log tables partitioned by province on PostgreSQL (docs/scale.md, step 1).

core.AuditEntry and core.AccessEntry are append-only, the largest tables written per page
view and per change, and no other table points at them: the only large tables whose
partitioning Django's single-column foreign keys allow (a key pointing at a partitioned table
must name a unique key that includes the partition key). Each becomes
`PARTITION BY LIST (province_id)`, primary key (id, province_id), one partition per province
(`<table>_p<id>`) and a default partition for rows without a province (0) or a province
created before its partition. SQLite keeps plain tables; nothing in the code depends on the
difference.

`rebuild` converts a table either way (the migration and its reverse); `ensure_partitions`
adds a province's partitions (registry.Province's post_save, and `ansinh province-partitions`),
moving any of its rows out of the default partition.
"""

from __future__ import annotations

from typing import Any

from django.db import connection as default_connection

from .keys import PARTITIONED


def is_partitioned(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return row is not None and row[0] == "p"


def rebuild(schema_editor: Any, table: str, *, partitioned: bool) -> None:
    """Recreate `table` partitioned by province (or back as a plain table), keeping its rows,
    its column defaults and identity, its indexes (same names) and its foreign keys."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if is_partitioned(cursor, table) == partitioned:
            return
        cursor.execute("""SELECT indexdef FROM pg_indexes WHERE tablename = %s
                          AND indexname NOT IN (SELECT conname FROM pg_constraint
                                                WHERE conrelid = to_regclass(%s)
                                                AND contype = 'p')""", [table, table])
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                          WHERE conrelid = to_regclass(%s) AND contype = 'f'""", [table])
        foreign_keys = cursor.fetchall()
        cursor.execute("SELECT id FROM registry_province ORDER BY id")
        provinces = [row[0] for row in cursor.fetchall()]
    old = f"{table}_rebuilt"
    run = schema_editor.execute
    run(f"ALTER TABLE {table} RENAME TO {old}")
    tail = " PARTITION BY LIST (province_id)" if partitioned else ""
    run(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY "
        f"INCLUDING CONSTRAINTS INCLUDING STORAGE){tail}")
    if partitioned:
        run(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        for province_id in provinces:
            run(f"CREATE TABLE {table}_p{province_id} PARTITION OF {table} "
                f"FOR VALUES IN ({province_id})")
    run(f"INSERT INTO {table} SELECT * FROM {old}")
    run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), "
        f"MAX(id) IS NOT NULL) FROM {table}")
    run(f"DROP TABLE {old}")
    # indexes after the copy (faster), under their old names, which the drop freed
    key = "id, province_id" if partitioned else "id"
    run(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({key})")
    for definition in indexes:
        run(definition)
    for name, definition in foreign_keys:
        run(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def ensure_partitions(province_ids: list[int] | None = None, *, using: Any = None) -> int:
    """Give each province (all of them by default) its partition of every partitioned table;
    returns how many partitions were made. Rows of the province already in the default
    partition move into the new one (a partition cannot be added over them)."""
    connection = using or default_connection
    if connection.vendor != "postgresql":
        return 0
    made = 0
    with connection.cursor() as cursor:
        if province_ids is None:
            cursor.execute("SELECT id FROM registry_province ORDER BY id")
            province_ids = [row[0] for row in cursor.fetchall()]
        for table in PARTITIONED:
            if not is_partitioned(cursor, table):
                continue
            for province_id in province_ids:
                name = f"{table}_p{int(province_id)}"
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
                if cursor.fetchone()[0]:
                    continue
                cursor.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS "
                               f"INCLUDING CONSTRAINTS INCLUDING STORAGE)")
                cursor.execute(f"WITH moved AS (DELETE FROM {table}_default "
                               f"WHERE province_id = %s RETURNING *) "
                               f"INSERT INTO {name} SELECT * FROM moved", [province_id])
                cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} "
                               f"FOR VALUES IN ({int(province_id)})")
                made += 1
    return made
