from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import OutboxMessage, ReminderTemplate


@admin.register(ReminderTemplate)
class ReminderTemplateAdmin(admin.ModelAdmin[ReminderTemplate]):
    list_display = ("code", "language", "channel", "office", "active", "updated_at")
    list_filter = ("code", "channel", "active", "office")
    search_fields = ("body",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    """Read-only: messages change only through the send run."""

    list_display = ("created_at", "office", "recipient_kind", "template_code", "channel",
                    "phone", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "template_code", "office")
    search_fields = ("phone", "dedupe_key", "body")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest,
                               obj: OutboxMessage | None = None) -> bool:
        return False
