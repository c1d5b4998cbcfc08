from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    """Office overrides of the policy parameters and the tree in force for an office."""

    name = "ansinh.rules"
    label = "rules"
    verbose_name = _("Tham số chính sách")
