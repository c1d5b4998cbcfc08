"""Lapse detection on the day before, of and after each deadline."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from ansinh.collection.lapses import detect_lapses
from ansinh.collection.lifecycle import change_terms
from ansinh.participation.actions import enrol
from ansinh.participation.models import Participation, Status, StatusChange


def _status(participation: Participation) -> str:
    participation.refresh_from_db()
    return participation.status


@pytest.mark.parametrize(
    ("mode", "deadline"),
    [
        ("monthly", date(2026, 1, 31)),  # within the month
        ("quarterly", date(2026, 3, 31)),  # within the 3 months
        ("half_yearly", date(2026, 4, 30)),  # within the first 4 of 6 months
        ("yearly", date(2026, 7, 31)),  # within the first 7 of 12 months
    ],
)
def test_late_the_day_after_the_deadline(prospect_al3: Any, agent_al3: Any, mode: str,
                                         deadline: date) -> None:
    participation = enrol(prospect_al3, start_month=date(2026, 1, 1), income=2_000_000,
                          mode=mode, actor=agent_al3, enrolled_on=date(2026, 1, 5))
    office = participation.office
    detect_lapses(office, deadline - timedelta(days=1))
    assert _status(participation) == Status.ACTIVE
    run = detect_lapses(office, deadline)
    assert _status(participation) == Status.ACTIVE
    assert participation.pk in run.due_soon  # due today: the agent is reminded
    run = detect_lapses(office, deadline + timedelta(days=1))
    assert _status(participation) == Status.LATE
    assert run.became_late == [participation.pk]
    change = StatusChange.objects.filter(participation=participation).last()
    assert change is not None
    assert (change.old_status, change.new_status, change.on) == (
        "active", "late", deadline + timedelta(days=1))


def test_advance_payment_is_due_at_registration(prospect_al3: Any, agent_al3: Any) -> None:
    participation = enrol(prospect_al3, start_month=date(2026, 1, 1), income=2_000_000,
                          mode="advance", advance_years=2, actor=agent_al3,
                          enrolled_on=date(2026, 1, 5))
    detect_lapses(participation.office, date(2026, 1, 31))
    assert _status(participation) == Status.ACTIVE
    detect_lapses(participation.office, date(2026, 2, 1))
    assert _status(participation) == Status.LATE


def test_paused_after_the_offices_threshold_and_idempotent(
    participation_al3: Any
) -> None:
    office = participation_al3.office  # monthly from January: late from 1 February
    detect_lapses(office, date(2026, 4, 30))  # 3 months after the deadline: still late
    assert _status(participation_al3) == Status.LATE
    detect_lapses(office, date(2026, 5, 1))
    assert _status(participation_al3) == Status.PAUSED
    changes = StatusChange.objects.filter(participation=participation_al3).count()
    detect_lapses(office, date(2026, 5, 1))
    assert StatusChange.objects.filter(participation=participation_al3).count() == changes
    # paused: nothing more falls due, so a later run leaves it alone
    detect_lapses(office, date(2026, 9, 1))
    assert _status(participation_al3) == Status.PAUSED


def test_terms_change_only_after_the_period(participation_al3: Any, director: Any) -> None:
    from ansinh.core.errors import Refused

    change_terms(participation_al3, from_month=date(2026, 4, 1), income=2_000_000,
                 mode="yearly", actor=director, on=date(2026, 3, 10))
    with pytest.raises(Refused):
        change_terms(participation_al3, from_month=date(2026, 6, 1), income=3_000_000,
                     mode="monthly", actor=director, on=date(2026, 5, 10))


def test_the_command_reports_counts(participation_al3: Any, capsys: Any) -> None:
    call_command("lapses", "--as-of", "2026-02-01", "--json", "--no-reminders")
    out = capsys.readouterr().out
    assert '"late": 1' in out
