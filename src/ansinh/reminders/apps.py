from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "ansinh.reminders"
    label = "reminders"
    verbose_name = _("Nhắc đóng")

    def ready(self) -> None:
        from ansinh.collection.lapses import after_run

        from .queueing import queue_for_run

        after_run(queue_for_run)
