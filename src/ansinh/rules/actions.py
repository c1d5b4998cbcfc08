"""State changes of the office overrides. Each runs in one transaction and writes its audit row."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ansinh.core import audit
from ansinh.core.models import User

from .models import ParameterOverride

FIELDS = (
    "name", "start", "value", "reference_document", "reference_article", "reference_link",
    "confidence", "office", "note",
)


@transaction.atomic
def add_override(override: ParameterOverride, *, actor: User | None) -> ParameterOverride:
    """Validate (as the engine would) and save a new override; audited."""
    if override.pk is not None:
        raise ValueError("an override is never edited: deactivate it and add a new one")
    override.created_by = actor if actor is not None and actor.pk else None
    override.active = True
    override.full_clean()
    override.save()
    audit.record(
        actor=actor, office=override.office, action="parameter_override.add", obj=override,
        changes={name: [None, audit.jsonable(getattr(override, name))] for name in FIELDS},
        note=override.note,
    )
    return override


@transaction.atomic
def deactivate_override(
    override: ParameterOverride, *, actor: User | None, reason: str = ""
) -> ParameterOverride:
    """Stop applying an override; the row stays as history. No-op if already inactive."""
    locked = ParameterOverride.objects.select_for_update().get(pk=override.pk)
    if not locked.active:
        return locked
    locked.active = False
    locked.deactivated_by = actor if actor is not None and actor.pk else None
    locked.deactivated_at = timezone.now()
    locked.save(update_fields=["active", "deactivated_by", "deactivated_at"])
    audit.record(
        actor=actor, office=locked.office, action="parameter_override.deactivate", obj=locked,
        changes={"active": [True, False]}, note=reason,
    )
    override.refresh_from_db()
    return locked
