"""The worker's daily job: scheduled by a migration, runs lapses, reminders and sending."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django_q.models import Schedule

from ansinh.core.models import User
from ansinh.registry.models import Person
from ansinh.reminders import tasks
from ansinh.reminders.models import MessageStatus, OutboxMessage, ReminderTemplate


@pytest.fixture
def migrated_data(db: None) -> None:
    """What the data migrations create. A transactional test that ran earlier in the same
    worker flushes the tables, so the migrations' functions run again (they are idempotent)."""
    from django.apps import apps

    for name in ("0002_default_templates", "0003_daily_schedule"):
        importlib.import_module(f"ansinh.reminders.migrations.{name}").create(apps, None)


def test_the_migrations_schedule_the_daily_job_and_create_the_templates(
    migrated_data: None,
) -> None:
    schedule = Schedule.objects.get(func="ansinh.reminders.tasks.daily")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1
    codes = set(ReminderTemplate.objects.filter(office__isnull=True, language="vi")
                .values_list("code", flat=True))
    assert codes == {"due_soon", "late", "paused", "agent_digest"}


def test_the_daily_job_marks_queues_and_sends(migrated_data: None, paying_al3: Any,
                                              agent_al3: Any, settings: Any,
                                              tmp_path: Path) -> None:
    settings.ANSINH_OUTBOX_DIR = tmp_path
    Person.objects.filter(pk=paying_al3.person_id).update(phone="0912345678")
    User.objects.filter(pk=agent_al3.pk).update(phone="0987654321")
    result = tasks.daily("2026-02-01")
    [office] = result["offices"]
    assert office["late"] == 1 and office["reminders"] == 2
    assert result["send"]["sent"] == 2
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 2
    paying_al3.refresh_from_db()
    assert paying_al3.status == "late"
    assert "Kính gửi" in next(tmp_path.glob("*.log")).read_text(encoding="utf-8")
