"""The caller's devices: register one from a signed-in page, list them, revoke one.

Registering answers the token once (the database keeps its digest). Only a signed-in page may
register: a token must never mint tokens, so `POST /api/devices` takes the session (with its
CSRF token) and nothing else.
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from ansinh.core import permissions
from ansinh.field.devices import devices_for, register_device, revoke_device
from ansinh.field.models import Device

from .auth import SignedIn
from .errors import ERRORS

router = Router(tags=["devices"])


class NewDevice(Schema):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$",  # PostgreSQL
                      examples=["Điện thoại Samsung của Hoa"])


class Registered(Schema):
    id: int
    name: str
    token: str = Field(description="shown this once: the phone keeps it")


class DeviceOut(Schema):
    id: int
    name: str
    user: str
    token_prefix: str
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None


def _out(device: Device) -> DeviceOut:
    return DeviceOut(id=device.pk, name=device.name, user=device.user.get_username(),
                     token_prefix=device.token_prefix, created_at=device.created_at,
                     last_seen_at=device.last_seen_at, revoked_at=device.revoked_at)


@router.post("/devices", response={201: Registered, **ERRORS}, auth=[SignedIn()],
             summary="Register a device (from a signed-in page only); its token, once")
def register(request: HttpRequest, body: NewDevice) -> Status[Registered]:
    device, token = register_device(actor=permissions.signed_in(request), name=body.name)
    return Status(201, Registered(id=device.pk, name=device.name, token=token))


@router.get("/devices", response={200: list[DeviceOut], **ERRORS},
            summary="The caller's devices (no tokens)")
def mine(request: HttpRequest) -> list[DeviceOut]:
    user = permissions.signed_in(request)
    return [_out(device) for device in Device.objects.filter(user=user).select_related("user")]


@router.post("/devices/{device_id}/revoke", response={200: DeviceOut, **ERRORS},
             summary="Revoke a device: one's own, or (a manager) one of their office's")
def revoke(request: HttpRequest, device_id: int) -> DeviceOut:
    user = permissions.signed_in(request)
    device = devices_for(user).filter(pk=device_id).first()
    if device is None:
        raise Http404
    return _out(revoke_device(device, actor=user))
