from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from ansinh.core.partitions import ensure_partitions


class RegistryConfig(AppConfig):
    name = "ansinh.registry"
    label = "registry"
    verbose_name = _("Sổ đối tượng")

    def ready(self) -> None:
        post_save.connect(_province_partitions, sender=self.get_model("Province"),
                          dispatch_uid="ansinh.registry.province_partitions")


def _province_partitions(sender: Any, instance: Any, created: bool, raw: bool = False,
                         using: str = "default", **kwargs: Any) -> None:
    """A new province gets its partition of the log tables at once (PostgreSQL; docs/scale.md)."""
    if created and not raw:
        ensure_partitions([instance.pk], using=connections[using])
