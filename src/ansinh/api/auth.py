"""Who calls the API: a device with its own token, or a signed-in page (session and CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from ansinh.field.devices import device_for


class DeviceToken(HttpBearer):
    """`Authorization: Bearer <token>`: the phone's own token (field.Device)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        device = device_for(token)
        if device is None:
            return None
        request.user = device.user
        request.device = device  # type: ignore[attr-defined]
        return device.user


class SignedIn(SessionAuth):
    """A page of the site calling the API with the user's session (CSRF checked on writes)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            request.device = None  # type: ignore[attr-defined]
        return user


AUTH = [DeviceToken(), SignedIn()]
