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
    [  # the first period (from December 2025) is paid; the next one's deadline:
        ("monthly", date(2026, 1, 31)),  # within the month
        ("quarterly", date(2026, 5, 31)),  # within the 3 months (March–May)
        ("half_yearly", date(2026, 9, 30)),  # within the first 4 of 6 months (June–November)
        ("yearly", date(2027, 6, 30)),  # within the first 7 of 12 months (from December)
    ],
)
def test_late_the_day_after_the_deadline(prospect_al3: Any, agent_al3: Any, mode: str,
                                         deadline: date) -> None:
    participation = enrol(prospect_al3, start_month=date(2025, 12, 1), income=2_000_000,
                          mode=mode, actor=agent_al3, enrolled_on=date(2025, 12, 5))
    _pay_first_period(participation, agent_al3, date(2025, 12, 10))
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


def _pay_first_period(participation: Participation, actor: Any, on: date) -> None:
    import uuid

    import time_machine

    from ansinh.collection.dues import dues, quote_months
    from ansinh.collection.receipts import record_receipt

    months = list(dues(participation, on).periods[0].months)
    with time_machine.travel(on):
        record_receipt(participation, months=months,
                       amount=quote_months(participation, months, on).amount, paid_on=on,
                       channel="bank_transfer", client_uuid=uuid.uuid4(), actor=actor)
    assert _status(participation) == Status.ACTIVE


def test_an_unpaid_advance_payment_is_awaited_then_paused(prospect_al3: Any,
                                                         agent_al3: Any) -> None:
    """Due at registration; never paid, it is not late (nobody was covered) but still
    awaited, and paused once the office's threshold has passed."""
    from ansinh.collection.payment_state import payment_states

    participation = enrol(prospect_al3, start_month=date(2026, 1, 1), income=2_000_000,
                          mode="advance", advance_years=2, actor=agent_al3,
                          enrolled_on=date(2026, 1, 5))
    detect_lapses(participation.office, date(2026, 1, 31))
    assert _status(participation) == Status.AWAITING
    detect_lapses(participation.office, date(2026, 2, 1))
    assert _status(participation) == Status.AWAITING
    state = payment_states([participation], date(2026, 2, 1))[participation.pk]
    assert (state.state, state.missed) == (Status.AWAITING, date(2026, 1, 31))
    detect_lapses(participation.office, date(2026, 5, 1))
    assert _status(participation) == Status.PAUSED


def test_paused_after_the_offices_threshold_and_idempotent(
    paying_al3: Any
) -> None:
    office = paying_al3.office  # monthly, December paid: late from 1 February
    detect_lapses(office, date(2026, 4, 30))  # 3 months after the deadline: still late
    assert _status(paying_al3) == Status.LATE
    detect_lapses(office, date(2026, 5, 1))
    assert _status(paying_al3) == Status.PAUSED
    changes = StatusChange.objects.filter(participation=paying_al3).count()
    detect_lapses(office, date(2026, 5, 1))
    assert StatusChange.objects.filter(participation=paying_al3).count() == changes
    # paused: nothing more falls due, so a later run leaves it alone
    detect_lapses(office, date(2026, 9, 1))
    assert _status(paying_al3) == Status.PAUSED


def test_terms_change_only_after_the_period(participation_al3: Any, director: Any) -> None:
    from ansinh.core.errors import Refused

    change_terms(participation_al3, from_month=date(2026, 4, 1), income=2_000_000,
                 mode="yearly", actor=director, on=date(2026, 3, 10))
    with pytest.raises(Refused):
        change_terms(participation_al3, from_month=date(2026, 6, 1), income=3_000_000,
                     mode="monthly", actor=director, on=date(2026, 5, 10))


def test_the_command_reports_counts(paying_al3: Any, capsys: Any) -> None:
    call_command("lapses", "--as-of", "2026-02-01", "--json", "--no-reminders")
    out = capsys.readouterr().out
    assert '"late": 1' in out
