"""The phones that work offline: each signs in to the API with its own token.

A token is shown once, when the phone is registered; the database keeps only its SHA-256, so a
copy of the database signs nobody in. The user lists their devices and revokes one they lost
(`/thiet-bi/`); a revoked token answers 401 at once.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class Device(models.Model):
    """Một thiết bị: a phone (or another system) that calls the API with its own token."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="devices", verbose_name=_("người dùng"))
    name = models.CharField(_("tên thiết bị"), max_length=80)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("đầu mã"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thiết bị")
        verbose_name_plural = _("thiết bị")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
