"""The hand-over step of outreach: open follow-ups of the leaving user's contacts go to the
substitute (registered from `apps.OutreachConfig.ready`)."""

from __future__ import annotations

from datetime import date

from ansinh.core.models import User

from .models import Contact


def hand_over_follow_ups(leaving: User, substitute: User, on: date,
                         actor: User | None) -> dict[str, int]:
    moved = Contact.objects.filter(
        owner=leaving, follow_up_done=False, next_follow_up_on__isnull=False,
    ).update(owner=substitute)
    return {"follow_ups": moved} if moved else {}
