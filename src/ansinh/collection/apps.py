from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "ansinh.collection"
    label = "collection"
    verbose_name = _("Thu tiền")

    def ready(self) -> None:
        from ansinh.network.handover import register_step

        from .handover import hand_over_receipt_books

        register_step(hand_over_receipt_books)
