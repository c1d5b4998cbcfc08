"""Admin: participations are read here; every change goes through the pages' actions."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ansinh.core.adminaudit import AuditedAdmin, ReadOnlyAdmin

from .models import LapseSettings, Participation, StatusChange, Terms


class TermsInline(admin.TabularInline[Terms, Participation]):
    model = Terms
    extra = 0
    can_delete = False
    readonly_fields = ["from_month", "income", "mode", "advance_years", "paused", "note",
                       "created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Participation | None = None) -> bool:
        return False


class StatusChangeInline(admin.TabularInline[StatusChange, Participation]):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["on", "old_status", "new_status", "reason", "actor", "at"]

    def has_add_permission(self, request: HttpRequest, obj: Participation | None = None) -> bool:
        return False


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    """Read-only, superusers included: enrol, terms, pause, resume and stop are the pages'."""

    list_display = ["person", "village", "start_month", "income", "mode", "status", "agent"]
    list_filter = ["status", "mode", "stop_reason"]
    search_fields = ["person__name_folded", "person__national_id"]
    list_select_related = ["person", "village", "agent"]
    inlines = [TermsInline, StatusChangeInline]


@admin.register(LapseSettings)
class LapseSettingsAdmin(AuditedAdmin):
    """The office's thresholds, audited; deleting them returns the office to the defaults."""

    list_display = ["office", "pause_after_months", "remind_days_before"]
    protect_history = False
