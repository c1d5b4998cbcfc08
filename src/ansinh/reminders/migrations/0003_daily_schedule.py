"""The worker's daily job: lapses, reminders and sending (ansinh.reminders.tasks.daily).

Runs every day at 06:00 local time (before the agents go out); change the time in the admin
(Django Q › Scheduled tasks) without a new migration.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import migrations
from django.utils import timezone

NAME = "ansinh: lapses and reminders (daily)"
FUNC = "ansinh.reminders.tasks.daily"


def create(apps: Any, schema_editor: Any) -> None:
    schedule = apps.get_model("django_q", "Schedule")
    now = timezone.localtime()
    first = datetime.combine(now.date(), time(6, 0))
    if timezone.is_naive(first):
        first = timezone.make_aware(first)
    if first <= now:
        first += timedelta(days=1)
    schedule.objects.get_or_create(
        name=NAME, defaults={"func": FUNC, "schedule_type": "D", "repeats": -1,
                             "next_run": first})


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME, func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0002_default_templates"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(create, remove)]
