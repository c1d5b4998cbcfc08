from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "ansinh.network"
    label = "network"
    verbose_name = _("Mạng lưới thu")

    def ready(self) -> None:
        from ansinh.core.scoping import provide_territory

        from .territory import AssignedTerritory

        provide_territory(AssignedTerritory())
