"""Admin of reminders: template wording audited (`core.adminaudit`); the outbox is read-only."""

from __future__ import annotations

from django.contrib import admin

from ansinh.core.adminaudit import AuditedAdmin, ReadOnlyAdmin

from .models import OutboxMessage, ReminderTemplate


@admin.register(ReminderTemplate)
class ReminderTemplateAdmin(AuditedAdmin):
    list_display = ("code", "language", "channel", "office", "active", "updated_at")
    list_filter = ("code", "channel", "active", "office")
    search_fields = ("body",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Read-only: messages change only through the send run, and what was sent stays."""

    list_display = ("created_at", "office", "recipient_kind", "template_code", "channel",
                    "phone", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "template_code", "office")
    search_fields = ("phone", "dedupe_key", "body")
