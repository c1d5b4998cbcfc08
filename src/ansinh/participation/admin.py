"""Admin: participations are read here; every change goes through the pages' actions."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

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
class ParticipationAdmin(admin.ModelAdmin[Participation]):
    list_display = ["person", "village", "start_month", "income", "mode", "status", "agent"]
    list_filter = ["status", "mode", "stop_reason"]
    search_fields = ["person__name_folded", "person__national_id"]
    list_select_related = ["person", "village", "agent"]
    inlines = [TermsInline, StatusChangeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LapseSettings)
class LapseSettingsAdmin(admin.ModelAdmin[LapseSettings]):
    list_display = ["office", "pause_after_months", "remind_days_before"]
