"""The hand-over step of outreach: open follow-ups of the leaving user's contacts go to the
substitute (registered from `apps.OutreachConfig.ready`)."""

from __future__ import annotations

from datetime import date

from ansinh.core.models import User
from ansinh.registry.changes import touch_many

from .models import Contact


def hand_over_follow_ups(leaving: User, substitute: User, on: date,
                         actor: User | None) -> dict[str, int]:
    contacts = Contact.objects.filter(
        owner=leaving, follow_up_done=False, next_follow_up_on__isnull=False)
    persons = list(contacts.values_list("office_id", "person_id"))
    moved = contacts.update(owner=substitute)
    touch_many(persons)  # the follow-ups' owner is part of what the phones hold
    return {"follow_ups": moved} if moved else {}
