from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "ansinh.participation"
    label = "participation"
    verbose_name = _("Tham gia BHXH tự nguyện")

    def ready(self) -> None:
        from ansinh.network.handover import register_step

        from .handover import hand_over_participations

        register_step(hand_over_participations)
