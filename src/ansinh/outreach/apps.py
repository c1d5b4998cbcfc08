from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "ansinh.outreach"
    label = "outreach"
    verbose_name = _("Vận động")

    def ready(self) -> None:
        from ansinh.core import keepers
        from ansinh.network.handover import register_step

        from . import priority
        from .handover import hand_over_follow_ups

        register_step(hand_over_follow_ups)
        keepers.listen(priority.refresh_persons)
