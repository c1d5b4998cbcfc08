from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "ansinh.field"
    label = "field"
    verbose_name = _("Làm việc ngoài thực địa")

    def ready(self) -> None:
        from ansinh.collection.receipts import provide_number_claim

        from .numbers import claim_number

        provide_number_claim(claim_number)
