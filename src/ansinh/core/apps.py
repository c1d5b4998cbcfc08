from __future__ import annotations

from django.apps import AppConfig
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
