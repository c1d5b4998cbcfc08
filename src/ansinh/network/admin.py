from __future__ import annotations

from django.contrib import admin

from .models import Agent, Assignment, CollectionOrganisation


@admin.register(CollectionOrganisation)
class CollectionOrganisationAdmin(admin.ModelAdmin[CollectionOrganisation]):
    list_display = ["code", "name", "kind", "office", "commune"]
    list_filter = ["office", "kind"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin[Agent]):
    list_display = ["code", "user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin[Assignment]):
    list_display = ["user", "commune", "village", "starts_on", "ends_on"]
    list_filter = ["commune"]
    raw_id_fields = ["village"]
