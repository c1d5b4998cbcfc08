from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ansinh.reports"
    label = "reports"
    verbose_name = _("Báo cáo")

    def ready(self) -> None:
        from ansinh.core import keepers

        from . import figures

        keepers.register(figures.kept_current)
