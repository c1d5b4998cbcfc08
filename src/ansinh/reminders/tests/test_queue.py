"""Queueing reminders after a lapse run: participants, the agents' digest, no duplicates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from ansinh.collection.lapses import detect_lapses
from ansinh.core.models import User
from ansinh.registry.models import Person
from ansinh.reminders.models import OutboxMessage, RecipientKind
from ansinh.reminders.queueing import queue_for_run


@pytest.fixture
def phones(paying_al3: Any, agent_al3: Any) -> Any:
    Person.objects.filter(pk=paying_al3.person_id).update(phone="0912345678")
    User.objects.filter(pk=agent_al3.pk).update(phone="0987654321")
    paying_al3.person.refresh_from_db()
    return paying_al3


def _run(office: Any, on: date) -> dict[str, int]:
    return queue_for_run(office, detect_lapses(office, on))


def test_due_soon_queues_a_reminder_and_a_digest_once(phones: Any) -> None:
    office = phones.office
    counts = _run(office, date(2026, 1, 25))  # January is due by 31/01
    assert counts["to_participants"] == 1 and counts["to_agents"] == 1
    assert counts["reminders"] == 2
    message = OutboxMessage.objects.get(recipient_kind=RecipientKind.PARTICIPANT)
    assert message.template_code == "due_soon" and message.phone == "0912345678"
    assert phones.person.full_name in message.body
    assert "31/01/2026" in message.body and "341.000" in message.body
    assert "0987654321" in message.body  # the agent's phone to call back
    digest = OutboxMessage.objects.get(recipient_kind=RecipientKind.AGENT)
    assert phones.village.name in digest.body and phones.person.full_name in digest.body
    # the same day again: nothing new
    again = _run(office, date(2026, 1, 25))
    assert again["reminders"] == 0 and again["already_queued"] == 2
    # the next day: the same deadline is not reminded twice; the agent gets the day's digest
    next_day = _run(office, date(2026, 1, 26))
    assert (next_day["to_participants"], next_day["to_agents"]) == (0, 1)
    assert OutboxMessage.objects.count() == 3


def test_late_the_day_after_the_deadline(phones: Any) -> None:
    office = phones.office
    _run(office, date(2026, 1, 31))
    counts = _run(office, date(2026, 2, 1))
    late = OutboxMessage.objects.get(template_code="late")
    assert counts["to_participants"] == 1
    assert "31/01/2026" in late.body
    # January and February are payable: 2 × 341.000
    assert "682.000" in late.body
    digest = OutboxMessage.objects.filter(template_code="agent_digest",
                                          as_of=date(2026, 2, 1)).get()
    assert "chậm đóng" in digest.body
    assert _run(office, date(2026, 2, 1))["reminders"] == 0


def test_paused_gets_its_own_message(phones: Any) -> None:
    office = phones.office
    _run(office, date(2026, 2, 1))
    _run(office, date(2026, 5, 1))  # late over three months: paused
    assert OutboxMessage.objects.filter(template_code="paused").count() == 1


def test_no_phone_no_message(participation_al3: Any) -> None:
    participation_al3.person.phone = ""
    participation_al3.person.save(update_fields=["phone"])
    agent_user = participation_al3.agent.user
    agent_user.phone = ""
    agent_user.save(update_fields=["phone"])
    counts = _run(participation_al3.office, date(2026, 1, 25))
    assert counts["reminders"] == 0 and counts["without_phone"] == 2  # person and agent


def test_the_lapses_command_reports_the_reminders(phones: Any, capsys: Any) -> None:
    call_command("lapses", "--as-of", "2026-01-25", "--json")
    out = capsys.readouterr().out
    assert '"reminders": 2' in out


def test_an_office_template_replaces_the_default(phones: Any, staff_al2: Any,
                                                 director: Any) -> None:
    from ansinh.reminders.actions import save_template

    save_template(phones.office, code="due_soon", channel="", body="Nhắc {ho_ten}: {so_tien}",
                  active=True, actor=director)
    _run(phones.office, date(2026, 1, 25))
    message = OutboxMessage.objects.get(template_code="due_soon")
    assert message.body == f"Nhắc {phones.person.full_name}: 341.000\u00a0₫"
