from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ansinh.core import permissions, scoping
from ansinh.core.errors import Refused
from ansinh.core.models import Office, User

from . import actions
from .models import ParameterOverride


def _actor(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


@admin.register(ParameterOverride)
class ParameterOverrideAdmin(admin.ModelAdmin[ParameterOverride]):
    """Add a dated value; never edit or delete one: deactivate it and add a corrected one."""

    list_display = ["name", "start", "value", "confidence", "office", "active", "created_by",
                    "created_at"]
    list_filter = ["active", "name", "office", "confidence"]
    search_fields = ["name", "reference_document", "note"]
    list_select_related = ["office", "created_by"]
    actions = ["deactivate"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    FIELDS = ("name", "start", "value", "reference_document", "reference_article",
              "reference_link", "confidence", "office", "note", "active", "created_by",
              "created_at", "deactivated_by", "deactivated_at")
    fields = FIELDS

    def get_readonly_fields(
        self, request: HttpRequest, obj: ParameterOverride | None = None
    ) -> list[str]:
        status = ["active", "created_by", "created_at", "deactivated_by", "deactivated_at"]
        return list(self.FIELDS) if obj is not None else status

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and permissions.may(request.user,
                                                                       "edit_parameters")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest,
                                 **kwargs: Any) -> Any:
        """A director adds values for their own office only (a value for every office, or for
        another office, is an administrator's): `actions.authorise_override` says the same."""
        user = _actor(request)
        if db_field.name == "office" and user is not None and not scoping.is_admin(user):
            kwargs["queryset"] = Office.objects.filter(pk=user.office_id or 0)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(
        self, request: HttpRequest, obj: ParameterOverride | None = None
    ) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ParameterOverride, form: Any,
                   change: bool) -> None:
        if change:  # every field is read-only on an existing row: nothing to save
            return
        actions.add_override(obj, actor=_actor(request))

    @admin.action(description=_("Ngừng áp dụng các giá trị đã chọn"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[ParameterOverride]) -> None:
        count = 0
        for override in queryset.filter(active=True):
            try:
                actions.deactivate_override(override, actor=_actor(request))
            except Refused as refused:
                self.message_user(request, f"{override}: {refused.message}", messages.ERROR)
            else:
                count += 1
        self.message_user(
            request, _("Đã ngừng áp dụng %(count)d giá trị.") % {"count": count}, messages.SUCCESS
        )
