from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "ansinh.retention"
    label = "retention"
    verbose_name = _("Giữ chân người tham gia")

    def ready(self) -> None:
        from ansinh.collection.lapses import after_run

        from .actions import after_lapse_run

        after_run(after_lapse_run)
