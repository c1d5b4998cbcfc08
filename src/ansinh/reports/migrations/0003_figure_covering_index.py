"""PostgreSQL: the cells' reads are index-only scans (the unique index has no `value`; SQLite
has no INCLUDE, and its tables are one office's)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CREATE = ("CREATE INDEX IF NOT EXISTS figure_read_idx ON reports_figure "
          "(office_id, metric, family, day, since) "
          "INCLUDE (village_id, organisation_id, agent_id, value)")
DROP = "DROP INDEX IF EXISTS figure_read_idx"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_nightly_rebuild_schedule")]
    operations = [migrations.RunPython(create, drop)]
