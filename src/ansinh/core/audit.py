"""Write audit rows. Actions call these inside their transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import timezone

from .bulk import db_datetime, insert_rows
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


@dataclass(frozen=True)
class Change:
    """One audit row to write in bulk (see `record_many`)."""

    action: str
    model: str  # the model's label, e.g. "collection.Receipt"
    object_id: int | str
    changes: dict[str, list[Any]]
    note: str = ""
    office_id: int | None = None


def record_many(rows: Iterable[Change], *, actor: User | None) -> int:
    """Write one audit row per change, through the bulk path (no ORM per row); returns how
    many. Call it inside the action's transaction, like `record`."""
    at = db_datetime(timezone.now())
    actor_id = actor.pk if actor is not None and actor.pk else None
    return insert_rows(
        AuditEntry._meta.db_table,
        ("office_id", "actor_id", "at", "action", "model", "object_id", "changes", "note"),
        ((row.office_id, actor_id, at, row.action, row.model, str(row.object_id),
          json.dumps(row.changes, ensure_ascii=False), row.note[:300]) for row in rows),
    )


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
        province_id=(office.province_id or 0) if office is not None else 0,
        at=timezone.now(),
        action=action,
        model=obj._meta.label,
        object_id=str(obj.pk),
        changes=changes,
        note=note[:300],
    )
