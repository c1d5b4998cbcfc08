from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "ansinh.outreach"
    label = "outreach"
    verbose_name = _("Vận động")
