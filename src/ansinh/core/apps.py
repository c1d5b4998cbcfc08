from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ansinh.core"
    label = "core"
    verbose_name = _("Hệ thống")

    def ready(self) -> None:
        from django.core import checks

        from . import signin  # noqa: F401  (its receiver sets each session's lifetime)
        from .checks import static_manifest

        checks.register(static_manifest)
        post_migrate.connect(_ensure_key_triggers, dispatch_uid="ansinh.core.keys")


def _ensure_key_triggers(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After migrations: the key triggers are there even if a table was rebuilt (core.keys)."""
    if sender.label != "core":
        return  # post_migrate is sent once per app; once is enough
    from .keys import ensure_triggers

    ensure_triggers(using)
