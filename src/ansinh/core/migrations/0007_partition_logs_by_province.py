from typing import Any

from django.db import migrations

from ansinh.core import partitions
from ansinh.core.keys import PARTITIONED


def partition(apps: Any, schema_editor: Any) -> None:
    for table in PARTITIONED:
        partitions.rebuild(schema_editor, table, partitioned=True)


def unpartition(apps: Any, schema_editor: Any) -> None:
    for table in PARTITIONED:
        partitions.rebuild(schema_editor, table, partitioned=False)


class Migration(migrations.Migration):
    """PostgreSQL only (SQLite keeps plain tables): the audit and access logs partitioned by
    province (ansinh.core.partitions; docs/scale.md)."""

    dependencies = [
        ("core", "0006_office_province_and_log_keys"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
