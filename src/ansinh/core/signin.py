"""Signing in, beyond Django's: how long a session lasts (the office decides, or the browser's
life on a shared computer), which address a sign-in comes from, and the lockout page that
django-axes shows after too many wrong passwords (settings: AXES_*)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# the sign-in page's checkbox: the session ends when the browser closes
SHARED_COMPUTER = "shared_computer"


def session_seconds(user: Any) -> int:
    """How long a session of `user` lasts from sign-in: their office's `session_hours`, or
    settings.SESSION_COOKIE_AGE for a user without an office."""
    office = getattr(user, "office", None)
    if office is not None and office.session_hours:
        return int(office.session_hours) * 3600
    return int(settings.SESSION_COOKIE_AGE)


@receiver(user_logged_in, dispatch_uid="ansinh.core.signin.session_lifetime")
def session_lifetime(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every sign-in (the site's page, /admin/, a test's force_login) gets its office's
    lifetime; the sign-in page then shortens it to the browser's life on a shared computer."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.set_expiry(session_seconds(user))


def client_ip(request: HttpRequest) -> str | None:
    """The address a sign-in comes from, for the lockout (username + address). Behind
    ANSINH_PROXY_COUNT proxies, the address the outermost of them saw: X-Forwarded-For read from
    the right, since a client can write anything to the left of what its proxies append."""
    count = int(getattr(settings, "PROXY_COUNT", 0))
    if count > 0:
        header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The page after too many wrong passwords, in the page's language: 429 (Too Many
    Requests), how long to wait, and who can help sooner."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = (int(cool_off.total_seconds() // 60) if isinstance(cool_off, timedelta)
               else None)
    return render(request, "registration/locked_out.html", {
        "minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}, status=429)
