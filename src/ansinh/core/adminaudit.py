"""Writes through Django's admin, audited as the pages' actions are.

The admin is the administrator's tool for what no page edits: offices, users, territory
assignments, reference places, reminder wording. Where an action exists, the model's admin calls
it (a person's change: `registry.actions.update_person`, with its territory rule; a household's
poverty status: `certify_poverty`; office overrides: `rules.actions`). Every other admin write
goes through `AuditedAdmin`: in the admin's own transaction it writes the same audit row an action
writes (`core.audit`, the fields changed as {field: [old, new]}, the actor, the office), and
calls `touched` so that an admin whose records reach the phones (households) moves the change
sequence they sync by (`registry.changes`; this app lies below it, so the registry's admins fill
the hook in).

A deletion of a record with history (``protect_history``, the default) is refused: the admin
offers no delete button and a POST to the delete page is a 403, for superusers too. Others are
deleted with an audit row holding what they were. Money is read-only (`ReadOnlyAdmin`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from . import audit
from .models import Office, User

# Audit event types of admin writes (an action's own type where the admin calls the action).
ADMIN_ADD = "admin.add"
ADMIN_CHANGE = "admin.change"
ADMIN_DELETE = "admin.delete"
ADMIN_PASSWORD = "admin.password"
SECRET = "***"  # what the audit row shows of a secret field (a password hash)


def actor_of(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


def snapshot(obj: models.Model, secret: Iterable[str] = ()) -> dict[str, Any]:
    """The record's field values as an audit row stores them (ids for relations, lists of ids
    for many-to-many ones, secrets masked)."""
    hidden = set(secret)
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            continue  # "updated at": the audit row's own time says it
        value = getattr(obj, field.attname)
        if isinstance(value, uuid.UUID | Decimal):
            value = str(value)
        elif isinstance(value, datetime):  # as the admin shows and posts it back
            value = value.replace(microsecond=0)
            if timezone.is_aware(value):
                value = value.astimezone(UTC)
        values[field.name] = SECRET if field.name in hidden and value else audit.jsonable(value)
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            values[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return values


def stored(obj: models.Model, secret: Iterable[str] = ()) -> dict[str, Any]:
    """The snapshot of the record as the database holds it now ({} for a new one)."""
    if obj.pk is None:
        return {}
    row = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(row, secret) if row is not None else {}


def office_id_of(obj: models.Model) -> int | None:
    """The office an audit row of `obj` belongs to: the office itself, or its `office`."""
    if isinstance(obj, Office):
        return obj.pk
    value = getattr(obj, "office_id", None)
    return value if isinstance(value, int) else None


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Money and history: listed and viewed, never added, changed or deleted from the admin
    (superusers included); they change only through the pages' actions."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Every add, change and deletion writes an audit row; deletion is refused when the model
    keeps history (``protect_history``)."""

    protect_history = True
    secret_fields: tuple[str, ...] = ()

    # -- hooks ---------------------------------------------------------------------------------

    def audit_office_id(self, obj: Any) -> int | None:
        return office_id_of(obj)

    def touched(self, obj: Any, changes: dict[str, list[Any]]) -> None:
        """What else a write must move (the phones' change sequence); nothing by default."""

    # -- writes --------------------------------------------------------------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self.protect_history and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj._audit_before = stored(obj, self.secret_fields) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any,
                     change: bool) -> None:
        """After the record and its many-to-many fields and inlines: the audit row."""
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(obj, "_audit_before", {})
        changes = audit.diff(before, snapshot(obj, self.secret_fields))
        if changes or not change:
            self.write_audit(request, obj, ADMIN_CHANGE if change else ADMIN_ADD, changes)
            self.touched(obj, changes)

    def write_audit(self, request: HttpRequest, obj: Any, action: str,
                    changes: dict[str, list[Any]], note: str = "admin") -> None:
        audit.record_many([audit.Change(action, obj._meta.label, obj.pk, changes, note=note,
                                        office_id=self.audit_office_id(obj))],
                          actor=actor_of(request))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit_deletion(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._audit_deletion(request, list(queryset))
        super().delete_queryset(request, queryset)

    def _audit_deletion(self, request: HttpRequest, objs: list[Any]) -> None:
        audit.record_many(
            [audit.Change(ADMIN_DELETE, obj._meta.label, obj.pk,
                          {name: [value, None] for name, value in
                           snapshot(obj, self.secret_fields).items()},
                          note="admin", office_id=self.audit_office_id(obj)) for obj in objs],
            actor=actor_of(request))
