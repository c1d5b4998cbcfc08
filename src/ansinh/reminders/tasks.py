"""The worker's daily job (django-q2 schedule created by migration 0003): lapses, retention
cases for the lapsed, reminders, sending — the same functions `ansinh lapses`,
`ansinh open-retention-cases` and `ansinh send-reminders` run."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from ansinh.core.models import Office
from ansinh.participation.lapses import detect_lapses
from ansinh.participation.reminders import queue_for_run
from ansinh.retention.actions import open_lapse_cases

from .outbox import send_outbox


def daily(as_of: str | None = None) -> dict[str, Any]:
    """Mark late and paused participations of every office for today, queue their reminders,
    then deliver the outbox. Returns the counts (kept on the django-q task)."""
    on = date.fromisoformat(as_of) if as_of else timezone.localdate()
    offices: list[dict[str, Any]] = []
    for office in Office.objects.order_by("code"):
        run = detect_lapses(office, on)
        cases = open_lapse_cases(office, on)  # lapsed people get a retention case to follow
        offices.append(run.as_dict() | {"office": office.code, "retention_cases": cases}
                       | queue_for_run(office, run))
    return {"as_of": on.isoformat(), "offices": offices, "send": send_outbox()}
