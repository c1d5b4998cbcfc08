"""The distribution key: every large table carries the province (and the office) of its rows.

The database fills the columns, so no write site has to (the ORM, the bulk `insert_rows`,
the import, the demo seeder, raw SQL): a trigger copies the province from the row's office,
or the office and the province from the parent row, when an insert leaves them empty or an
update empties them or moves the row to another office. PostgreSQL: one BEFORE INSERT and one
BEFORE UPDATE trigger per table (the function sets NEW). SQLite cannot change NEW: an AFTER
trigger updates the row just written (recursive triggers are off, so it does not fire itself).

The two log tables partitioned by province on PostgreSQL (core.AuditEntry, core.AccessEntry)
are the exception: a partitioned table routes a row to its partition before any row trigger
runs, so their writers set the province (`AuditEntry.save`, `core.bulk.insert_rows`). The bulk
path also sets it on the other tables whose rows carry their office, where the trigger would
cost more (`insert_rows`), and leaves it to the trigger only on child rows.

Migrations install the triggers (`install`) and fill the existing rows (`backfill`); the
post_migrate hook runs `install` again, because Django's SQLite schema editor rebuilds a table
(and drops its triggers) on some column changes. See docs/scale.md.
"""

from __future__ import annotations

from typing import Any

# tables whose province comes from their own office_id
FROM_OFFICE = (
    "registry_person",
    "participation_participation",
    "collection_receipt",
    "outreach_contact",
)
# tables whose office and province come from a parent row: table -> (parent table, fk column)
FROM_PARENT = {
    "participation_statuschange": ("participation_participation", "participation_id"),
    "collection_paidmonth": ("collection_receipt", "receipt_id"),
    "collection_hicoveredmonth": ("collection_receipt", "receipt_id"),
}
# tables whose writers set the province (partitioned by it on PostgreSQL; 0 = no office)
SET_BY_WRITER = ("core_auditentry", "core_accessentry")
# partitioned by LIST (province_id) on PostgreSQL (core migration), with their partitions
PARTITIONED = SET_BY_WRITER


def _source(table: str) -> tuple[str, str]:
    """The SELECT list and FROM/WHERE that give (office_id, province_id) for a NEW row."""
    if table in FROM_PARENT:
        parent, column = FROM_PARENT[table]
        return "office_id, province_id", f"{parent} WHERE id = NEW.{column}"
    return "province_id", "core_office WHERE id = NEW.office_id"


def _postgresql(table: str) -> list[str]:
    columns, source = _source(table)
    targets = "NEW.office_id, NEW.province_id" if table in FROM_PARENT else "NEW.province_id"
    moved = "" if table in FROM_PARENT else " OR NEW.office_id IS DISTINCT FROM OLD.office_id"
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT {columns} INTO {targets} FROM {source};
    RETURN NEW;
END $$""",
        f"DROP TRIGGER IF EXISTS {table}_keys_insert ON {table}",
        f"""CREATE TRIGGER {table}_keys_insert BEFORE INSERT ON {table} FOR EACH ROW
WHEN (NEW.province_id IS NULL) EXECUTE FUNCTION {table}_keys()""",
        f"DROP TRIGGER IF EXISTS {table}_keys_update ON {table}",
        f"""CREATE TRIGGER {table}_keys_update BEFORE UPDATE ON {table} FOR EACH ROW
WHEN (NEW.province_id IS NULL{moved}) EXECUTE FUNCTION {table}_keys()""",
    ]


def _sqlite(table: str) -> list[str]:
    if table in FROM_PARENT:
        parent, column = FROM_PARENT[table]
        body = (f"UPDATE {table} SET "
                f"office_id = (SELECT office_id FROM {parent} WHERE id = NEW.{column}), "
                f"province_id = (SELECT province_id FROM {parent} WHERE id = NEW.{column}) "
                f"WHERE id = NEW.id;")
        moved = ""
    else:
        body = (f"UPDATE {table} SET province_id = "
                f"(SELECT province_id FROM core_office WHERE id = NEW.office_id) "
                f"WHERE id = NEW.id;")
        moved = " OR NEW.office_id IS NOT OLD.office_id"
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_keys_insert AFTER INSERT ON {table}
FOR EACH ROW WHEN NEW.province_id IS NULL BEGIN {body} END""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_keys_update AFTER UPDATE ON {table}
FOR EACH ROW WHEN NEW.province_id IS NULL{moved} BEGIN {body} END""",
    ]


def trigger_sql(vendor: str, table: str) -> list[str]:
    """The statements that (re)create the key triggers of one table."""
    return _postgresql(table) if vendor == "postgresql" else _sqlite(table)


def drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_keys_insert ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_keys_update ON {table}",
                f"DROP FUNCTION IF EXISTS {table}_keys()"]
    return [f"DROP TRIGGER IF EXISTS {table}_keys_insert",
            f"DROP TRIGGER IF EXISTS {table}_keys_update"]


def backfill_sql(table: str) -> str:
    """Fill the keys of rows written before the triggers (one statement; docs/scale.md says how
    to batch it on a large installation)."""
    if table in FROM_PARENT:
        parent, column = FROM_PARENT[table]
        return (f"UPDATE {table} SET "
                f"office_id = (SELECT p.office_id FROM {parent} p WHERE p.id = {table}.{column}), "
                f"province_id = (SELECT p.province_id FROM {parent} p "
                f"WHERE p.id = {table}.{column}) WHERE province_id IS NULL")
    return (f"UPDATE {table} SET province_id = (SELECT o.province_id FROM core_office o "
            f"WHERE o.id = {table}.office_id) WHERE province_id IS NULL")


def install(schema_editor: Any, tables: tuple[str, ...] | list[str], *,
            backfill: bool = False) -> None:
    """Create (or replace) the triggers of `tables`; with `backfill`, fill existing rows first
    (parents before children: list the tables in that order)."""
    vendor = schema_editor.connection.vendor
    for table in tables:
        if backfill:
            schema_editor.execute(backfill_sql(table))
        for statement in trigger_sql(vendor, table):
            schema_editor.execute(statement)


def uninstall(schema_editor: Any, tables: tuple[str, ...] | list[str]) -> None:
    for table in tables:
        for statement in drop_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement)


def ensure_triggers(using: str = "default") -> None:
    """post_migrate: put back any trigger a SQLite table rebuild dropped (idempotent, cheap).
    PostgreSQL alters tables in place, so its triggers stay."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    existing = set(connection.introspection.table_names())
    tables = [table for table in (*FROM_OFFICE, *FROM_PARENT) if table in existing]
    with connection.cursor() as cursor:
        columns = {table: {column.name for column in
                           connection.introspection.get_table_description(cursor, table)}
                   for table in tables}
        for table in tables:
            if "province_id" not in columns[table]:
                continue  # before the migration that adds the keys
            for statement in trigger_sql(connection.vendor, table):
                cursor.execute(statement)
