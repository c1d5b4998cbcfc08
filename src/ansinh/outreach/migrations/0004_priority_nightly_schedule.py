"""The worker's nightly refresh of the precomputed worklists (ansinh.outreach.priority.nightly):
every office's rows rewritten as of the new day, so that the reasons that depend on the date
(months late, deadlines within the span, the at-risk windows, a prospect's age) are today's.
Daily at 01:30 local time, after midnight and before the agents' morning; change it in the admin
(Django Q › Scheduled tasks) without a new migration.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import migrations
from django.utils import timezone

NAME = "ansinh: worklist priorities (nightly)"
FUNC = "ansinh.outreach.priority.nightly"


def create(apps: Any, schema_editor: Any) -> None:
    schedule = apps.get_model("django_q", "Schedule")
    tomorrow = timezone.localdate() + timedelta(days=1)
    first = timezone.make_aware(datetime.combine(tomorrow, time(1, 30)))
    schedule.objects.get_or_create(
        name=NAME, defaults={"func": FUNC, "schedule_type": "D", "repeats": -1,
                             "next_run": first})


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME, func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0003_priority"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(create, remove)]
