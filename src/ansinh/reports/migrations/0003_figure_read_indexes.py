"""The cells' reads: on PostgreSQL index-only scans (the unique index has no `value`), by
office and by province (the province page); SQLite has no INCLUDE: a plain index by province."""

from __future__ import annotations

from typing import Any

from django.db import migrations

POSTGRESQL = (
    "CREATE INDEX IF NOT EXISTS figure_read_idx ON reports_figure "
    "(office_id, metric, family, day, since) "
    "INCLUDE (village_id, organisation_id, agent_id, value)",
    "CREATE INDEX IF NOT EXISTS figure_province_idx ON reports_figure "
    "(province_id, metric, family, day, since) INCLUDE (office_id, value)",
)
SQLITE = ("CREATE INDEX IF NOT EXISTS figure_province_idx ON reports_figure "
          "(province_id, metric, family, day, since)",)
DROP = ("DROP INDEX IF EXISTS figure_read_idx", "DROP INDEX IF EXISTS figure_province_idx")


def create(apps: Any, schema_editor: Any) -> None:
    for statement in POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def drop(apps: Any, schema_editor: Any) -> None:
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_nightly_rebuild_schedule")]
    operations = [migrations.RunPython(create, drop)]
