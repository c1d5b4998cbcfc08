"""The worker's nightly rebuild of the summary cells (ansinh.reports.tasks.rebuild_figures),
daily from the next 01:30 (local time); change it in the admin (Django Q › Scheduled tasks)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import migrations
from django.utils import timezone

NAME = "ansinh: summary tables rebuild (nightly)"
FUNC = "ansinh.reports.tasks.rebuild_figures"


def create(apps: Any, schema_editor: Any) -> None:
    now = timezone.localtime()
    first = timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), time(1, 30)))
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=NAME, defaults={"func": FUNC, "schedule_type": "D", "repeats": -1,
                             "next_run": first})


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME, func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_summary_cells"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(create, remove)]
