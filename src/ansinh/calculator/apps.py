from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalculatorConfig(AppConfig):
    name = "ansinh.calculator"
    label = "calculator"
    verbose_name = _("Máy tính công khai")
