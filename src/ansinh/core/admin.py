"""Admin of offices, users and the audit trail: every write audited (`adminaudit`)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse

from .adminaudit import ADMIN_PASSWORD, AuditedAdmin, ReadOnlyAdmin
from .models import AuditEntry, Office, User


@admin.register(Office)
class OfficeAdmin(AuditedAdmin):
    list_display = ["code", "name", "province", "parent_name", "place", "phone"]
    list_filter = ["province"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin[User]):
    """Users are deactivated (``is_active``), never deleted: their name stays on what they did.
    The password hash never enters the audit row (a change shows as "***")."""

    list_display = ["username", "first_name", "last_name", "role", "office", "is_active"]
    list_filter = ["role", "office", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("ansinh", {"fields": ("role", "office", "phone")}),
    )
    secret_fields = ("password",)

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form saved
            user = self.get_object(request, id)
            if user is not None:
                self.write_audit(request, user, ADMIN_PASSWORD,
                                 {"password": ["***", "***"]})
        return response


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, BaseGroupAdmin):
    """A group's permissions are rights: every change audited; a group may be deleted (its
    members lose its rights), with an audit row holding what it was."""

    protect_history = False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is never edited."""

    list_display = ["at", "actor", "action", "model", "object_id"]
    list_filter = ["action", "model"]
    search_fields = ["object_id", "note"]
