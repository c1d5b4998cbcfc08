"""Reminder actions: saving a message template (the office's own version), an office-wide text:
the director's of that office (or an administrator's)."""

from __future__ import annotations

from django.db import transaction

from ansinh.core import audit, permissions, scoping
from ansinh.core.errors import Refused
from ansinh.core.models import Office, User

from .models import Channel, ReminderTemplate, TemplateCode
from .texts import unknown_placeholders


@transaction.atomic
def save_template(office: Office, *, code: str, channel: str, body: str, active: bool,
                  actor: User, language: str = "vi") -> ReminderTemplate:
    """Create or update the office's own template of (code, language, channel); the shared
    default stays as it is for other offices."""
    permissions.authorise(actor, "edit_templates")
    scoping.require_own_office(actor, office.pk)
    if code not in TemplateCode.values or (channel and channel not in Channel.values):
        raise Refused("Loại tin hoặc kênh không hợp lệ", "unknown template code or channel")
    body = body.strip()
    if not body:
        raise Refused("Nội dung không được để trống", "the text is empty")
    unknown = unknown_placeholders(body)
    if unknown:
        listed = ", ".join("{" + name + "}" for name in unknown)
        raise Refused(f"Ô không có trong danh sách: {listed}", f"unknown placeholders: {listed}")
    row = ReminderTemplate.objects.select_for_update().filter(
        office=office, code=code, language=language, channel=channel).first()
    old = {"body": row.body, "active": row.active} if row else {}
    if row is None:
        row = ReminderTemplate(office=office, code=code, language=language, channel=channel)
    row.body = body
    row.active = active
    row.updated_by = actor
    row.save()
    audit.record(actor=actor, office=office, action="reminder_template.save", obj=row,
                 changes=audit.diff(old, {"body": body, "active": active}))
    return row
