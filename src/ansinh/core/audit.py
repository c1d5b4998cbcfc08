"""Write audit rows. Actions call these inside their transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import timezone

from .models import AuditEntry, Office, User


def jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}."""
    return {
        field: [jsonable(old.get(field)), jsonable(value)]
        for field, value in new.items()
        if jsonable(old.get(field)) != jsonable(value)
    }


def record(
    *,
    actor: User | None,
    office: Office | None,
    action: str,
    obj: models.Model,
    changes: dict[str, list[Any]],
    note: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor and actor.pk else None,
        office=office,
        at=timezone.now(),
        action=action,
        model=obj._meta.label,
        object_id=str(obj.pk),
        changes=changes,
        note=note[:300],
    )
