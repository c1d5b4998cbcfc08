"""The send run: hand queued messages to their channel's sender, with retries and progress.

A message is claimed by bumping its attempt counter with a conditional UPDATE (status queued
and the attempt count read): when two send runs overlap, only one of them sends it. A failed
attempt stays queued until it has used `max_attempts`; then it is marked failed with the error.
Messages of a channel whose sender is not configured stay queued, untouched, and the run says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db.models import F
from django.utils import timezone

from ansinh.core.models import Office

from .models import MessageStatus, OutboxMessage
from .senders import NotConfigured, Sender, SendError, sender_for

Progress = Callable[[str, int, int], None]


def send_outbox(*, office: Office | None = None, limit: int | None = None,
                max_attempts: int = 3, pause: float = 0.0,
                progress: Progress | None = None) -> dict[str, Any]:
    """Deliver queued messages. Each message is tried up to `max_attempts` times in all
    (within this run, `pause` seconds apart, and across runs). Returns the counts."""
    queued = OutboxMessage.objects.filter(status=MessageStatus.QUEUED).order_by("id")
    if office is not None:
        queued = queued.filter(office=office)
    ids = list(queued.values_list("id", flat=True)[:limit] if limit else
               queued.values_list("id", flat=True))
    result: dict[str, Any] = {"sent": 0, "failed": 0, "retried": 0, "not_configured": 0,
                              "skipped": 0, "errors": {}}
    senders: dict[str, Sender | NotConfigured] = {}
    total = len(ids)
    for done, pk in enumerate(ids, start=1):
        message = OutboxMessage.objects.filter(pk=pk, status=MessageStatus.QUEUED).first()
        if message is None:
            result["skipped"] += 1
            continue
        if message.channel not in senders:
            try:
                senders[message.channel] = sender_for(message.channel)
            except NotConfigured as exc:
                senders[message.channel] = exc
        sender = senders[message.channel]
        if isinstance(sender, NotConfigured):
            result["not_configured"] += 1
            result["errors"][message.channel] = str(sender)
            continue
        _deliver(message, sender, max_attempts, pause, result)
        if progress and (done % 100 == 0 or done == total):
            progress("send", done, total)
    return result


def _claim(message: OutboxMessage) -> bool:
    """Take the next attempt of `message`; False when another run took it first."""
    taken = OutboxMessage.objects.filter(
        pk=message.pk, status=MessageStatus.QUEUED, attempts=message.attempts,
    ).update(attempts=F("attempts") + 1, last_attempt_at=timezone.now())
    if taken:
        message.attempts += 1
    return bool(taken)


def _deliver(message: OutboxMessage, sender: Sender, max_attempts: int, pause: float,
             result: dict[str, Any]) -> None:
    while message.attempts < max_attempts:
        if not _claim(message):
            result["skipped"] += 1
            return
        try:
            sender.send(message)
        except SendError as exc:
            error = str(exc)[:300]
            final = message.attempts >= max_attempts
            OutboxMessage.objects.filter(pk=message.pk).update(
                error=error, status=MessageStatus.FAILED if final else MessageStatus.QUEUED)
            if final:
                result["failed"] += 1
                return
            result["retried"] += 1
            if pause:
                time.sleep(pause)
            continue
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.SENT, sent_at=timezone.now(), error="")
        result["sent"] += 1
        return
    OutboxMessage.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED)
    result["failed"] += 1


def requeue_failed(office: Office | None = None) -> int:
    """Give failed messages a new round of attempts (after fixing a sender's settings)."""
    rows = OutboxMessage.objects.filter(status=MessageStatus.FAILED)
    if office is not None:
        rows = rows.filter(office=office)
    return rows.update(status=MessageStatus.QUEUED, attempts=0)
