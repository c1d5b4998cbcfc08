"""State changes of the office overrides. Each checks the actor (`authorise_override`: a
director for their own office, an administrator for any office or for all; no actor is the
system), runs in one transaction and writes its audit row. The Django admin calls them too."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ansinh.core import audit, permissions, scoping
from ansinh.core.models import User

from .models import ParameterOverride

FIELDS = (
    "name", "start", "value", "reference_document", "reference_article", "reference_link",
    "confidence", "office", "note",
)


def authorise_override(actor: User | None, office_id: int | None) -> None:
    """Refuse (nothing written) unless the actor may change the overrides of `office_id`
    (None: the value for every office, an administrator's only)."""
    permissions.authorise(actor, "edit_parameters")
    scoping.require_own_office(actor, office_id)


@transaction.atomic
def add_override(override: ParameterOverride, *, actor: User | None) -> ParameterOverride:
    """Validate (as the engine would) and save a new override; audited."""
    authorise_override(actor, override.office_id)
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
    authorise_override(actor, override.office_id)
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
