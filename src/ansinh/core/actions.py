"""State changes of the office itself: its contact details and the heading of its reports.

Like every action, it checks the actor (a director for their own office, an administrator for
any; no actor is the system), runs in its own transaction and writes its audit row, whatever
page or command calls it."""

from __future__ import annotations

from django.db import transaction

from . import audit, permissions, scoping
from .models import Office, User

# What the office sets itself: the public calculator's call button (phone, address) and the
# heading and date line of its printed reports (parent agency, place); how long its users'
# sessions last (core.signin).
OFFICE_FIELDS = ("phone", "address", "parent_name", "place", "session_hours")


def update_office(office: Office, *, actor: User | None, **values: str | int) -> Office:
    """Change some of `OFFICE_FIELDS` of `office`; audited; nothing written when nothing
    changes."""
    permissions.authorise(actor, "edit_office")
    scoping.require_own_office(actor, office.pk)
    unknown = sorted(set(values) - set(OFFICE_FIELDS))
    if unknown:
        raise ValueError(f"not an office setting: {', '.join(unknown)}")
    with transaction.atomic(durable=True):
        locked = Office.objects.select_for_update().get(pk=office.pk)
        old = {name: getattr(locked, name) for name in values}
        changes = audit.diff(old, values)
        if changes:
            for name in changes:
                setattr(locked, name, values[name])
            locked.full_clean()
            locked.save(update_fields=list(changes))
            audit.record(actor=actor, office=locked, action="office.update", obj=locked,
                         changes=changes)
    return locked
