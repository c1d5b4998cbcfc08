"""The worker's daily job (django-q2 schedule created by migration 0003): the lapse run with its
follow-ups (retention cases for the lapsed, their reminders), then sending — the same
functions `ansinh lapses` and `ansinh send-reminders` run — and the access log's retention
(`ansinh prune-access-log`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from ansinh.collection.lapses import run_lapses
from ansinh.core.models import Office
from ansinh.core.personal import prune_access_log

from .outbox import send_outbox


def daily(as_of: str | None = None) -> dict[str, Any]:
    """Mark late and paused participations of every office for today, open their retention
    cases and queue their reminders, then deliver the outbox; drop the access-log rows older
    than their retention. Returns the counts (kept on the django-q task)."""
    on = date.fromisoformat(as_of) if as_of else timezone.localdate()
    offices = [run_lapses(office, on) for office in Office.objects.order_by("code")]
    return {"as_of": on.isoformat(), "offices": offices, "send": send_outbox(),
            "access_log_pruned": prune_access_log()}
