"""Registering and revoking devices, and finding the device of a token."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ansinh.core import audit, permissions, scoping
from ansinh.core.errors import Refused
from ansinh.core.models import User

from .models import Device, new_token, token_digest

SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often per device


@transaction.atomic
def register_device(*, actor: User, name: str) -> tuple[Device, str]:
    """A new device for `actor`; returns it and its token, which is never shown again."""
    permissions.authorise(actor, "field_work")
    name = " ".join(name.split())[:80]
    if not name:
        raise Refused("Cần đặt tên cho thiết bị", "the device needs a name")
    token = new_token()
    device = Device.objects.create(user=actor, name=name, token_digest=token_digest(token),
                                   token_prefix=token[:8])
    audit.record(actor=actor, office=actor.office, action="device.register", obj=device,
                 changes={"name": [None, device.name]})
    return device, token


@transaction.atomic
def revoke_device(device: Device, *, actor: User) -> Device:
    """Revoke `device` (one's own; an office manager may revoke their office's)."""
    locked = Device.objects.select_for_update().select_related("user").get(pk=device.pk)
    if locked.user_id != actor.pk:
        permissions.require(actor, "manage_devices")
        scoping.require_own_office(actor, locked.user.office_id)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(actor=actor, office=locked.user.office, action="device.revoke", obj=locked,
                     changes={"revoked_at": [None, locked.revoked_at.isoformat()]})
    return locked


def devices_for(user: User) -> QuerySet[Device]:
    """The devices `user` may see and revoke: their own and, for a manager, those of their
    office's users (every office's for an administrator)."""
    devices = Device.objects.select_related("user")
    if not permissions.may(user, "manage_devices"):
        return devices.filter(user=user)
    return devices.filter(Q(user=user) | Q(pk__in=scoping.in_office(
        user, Device.objects.all(), "user__office").values("pk")))


def device_for(token: str) -> Device | None:
    """The active device of `token`, or None; notes when it was last seen."""
    if not token:
        return None
    device = (Device.objects.select_related("user", "user__office")
              .filter(token_digest=token_digest(token), revoked_at__isnull=True).first())
    if device is None or not device.user.is_active:
        return None
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at > SEEN_EVERY:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
    return device
