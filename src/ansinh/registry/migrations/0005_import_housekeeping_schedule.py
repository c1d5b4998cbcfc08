"""The worker's hourly import housekeeping (ansinh.registry.tasks.housekeeping): a job whose
worker died or ran past its time is marked failed, and uploaded files older than
ANSINH_UPLOAD_RETENTION_DAYS are deleted. Hourly, so that a dead job does not wait a day;
change it in the admin (Django Q › Scheduled tasks) without a new migration.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import migrations
from django.utils import timezone

NAME = "ansinh: import housekeeping (hourly)"
FUNC = "ansinh.registry.tasks.housekeeping"


def create(apps: Any, schema_editor: Any) -> None:
    schedule = apps.get_model("django_q", "Schedule")
    schedule.objects.get_or_create(
        name=NAME, defaults={"func": FUNC, "schedule_type": "H", "repeats": -1,
                             "next_run": timezone.now() + timedelta(minutes=5)})


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME, func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_import_job_heartbeat_and_file_retention"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(create, remove)]
