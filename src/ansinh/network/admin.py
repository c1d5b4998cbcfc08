"""Admin of the collection network: every write audited (`core.adminaudit`); organisations,
agents and assignments keep their history (an assignment is ended, not deleted)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from ansinh.core.adminaudit import AuditedAdmin

from .models import Agent, Assignment, CollectionOrganisation


@admin.register(CollectionOrganisation)
class CollectionOrganisationAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "office", "commune"]
    list_filter = ["office", "kind"]


@admin.register(Agent)
class AgentAdmin(AuditedAdmin):
    list_display = ["code", "user", "organisation"]
    list_select_related = ["user", "organisation"]

    def audit_office_id(self, obj: Any) -> int | None:
        return int(obj.organisation.office_id)


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    """A changed territory changes the phones' territory digest: their next download is a
    full one (docs/field-sync.md), so no change number is needed here."""

    list_display = ["user", "commune", "village", "starts_on", "ends_on"]
    list_filter = ["commune"]
    raw_id_fields = ["village"]

    def audit_office_id(self, obj: Any) -> int | None:
        commune = obj.commune or (obj.village.commune if obj.village else None)
        return int(commune.office_id) if commune is not None else None
