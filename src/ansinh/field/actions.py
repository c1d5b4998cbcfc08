"""State changes of the field app: staff resolving a phone's item that met a changed record."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ansinh.core import audit, permissions, scoping
from ansinh.core.errors import Refused
from ansinh.core.models import User

from .models import SyncItem, SyncStatus

CONFLICT_RESOLVE = "sync_conflict.resolve"


@transaction.atomic
def resolve_conflict(item: SyncItem, *, actor: User, note: str) -> SyncItem:
    """Mark a conflict handled ("Đã xử lý"), with how: staff made the change by hand, or
    decided it was not needed. The item itself is never applied afterwards."""
    permissions.require(actor, "resolve_sync_conflicts")
    locked = SyncItem.objects.select_for_update().get(pk=item.pk)
    if not scoping.writable(actor, SyncItem.objects.filter(pk=locked.pk)).exists():
        raise scoping.OutOfTerritory
    if locked.status != SyncStatus.CONFLICT:
        raise Refused("Mục này không phải xung đột", "this item is not a conflict")
    note = " ".join(note.split())[:300]
    if not note:
        raise Refused("Cần ghi lại đã xử lý thế nào", "say how it was handled")
    if locked.resolved_at is not None:
        raise Refused("Xung đột này đã được xử lý", "this conflict was handled already")
    locked.resolved_at = timezone.now()
    locked.resolved_by = actor
    locked.resolution_note = note
    locked.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    audit.record(actor=actor, office=locked.office, action=CONFLICT_RESOLVE, obj=locked,
                 changes={"resolved_at": [None, locked.resolved_at.isoformat()]}, note=note)
    return locked
