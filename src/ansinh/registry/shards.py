"""Routing by province (docs/scale.md, step 3): the large tables' queries go to the database
that holds the province's rows, as CommCare HQ's routers send a partitioned model's queries
to the database its partition value maps to.

Not installed: with `ANSINH_PROVINCE_DATABASES` empty (the default) every province is on
`default` and the router answers nothing, so Django's default routing applies. Installing it
is adding "ansinh.registry.shards.ProvinceRouter" to DATABASE_ROUTERS and naming the shards'
aliases in the setting, e.g. {"46": "hue", "48": "danang"} (province code → alias).

The current province comes from `in_province(...)` (a middleware around a request, a task
around its work), or from the instance Django passes as a hint (a related object, a save).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

from ansinh.core.keys import FROM_OFFICE, FROM_PARENT, SET_BY_WRITER

from .models import Province

# the tables that live on a province's shard; everything else is a reference table, written on
# `default` and copied to the shards
SHARDED = frozenset((*FROM_OFFICE, *FROM_PARENT, *SET_BY_WRITER))

_current: ContextVar[int | None] = ContextVar("ansinh_province", default=None)


@contextmanager
def in_province(province_id: int | None) -> Iterator[None]:
    """Route the large tables' queries inside the block to this province's database."""
    token = _current.set(province_id)
    try:
        yield
    finally:
        _current.reset(token)


def database_for(province_id: int | None) -> str | None:
    """The alias holding a province's rows, None for `default` (or no province)."""
    mapping: dict[str, str] = getattr(settings, "ANSINH_PROVINCE_DATABASES", {})
    if not mapping or province_id is None:
        return None
    code = Province.objects.using("default").filter(pk=province_id).values_list(
        "code", flat=True).first()
    return mapping.get(code) if code is not None else None


class ProvinceRouter:
    """Django database router: large tables by province, the rest to `default`."""

    def _route(self, model: type[Any], hints: dict[str, Any]) -> str | None:
        if model._meta.db_table not in SHARDED:
            return None
        instance = hints.get("instance")
        province_id = getattr(instance, "province_id", None) or _current.get()
        return database_for(province_id)

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return self._route(model, hints)

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return self._route(model, hints)

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # reference rows are copied to every shard, so a shard's row may point at them
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None,
                      **hints: Any) -> bool | None:
        return None  # one schema on every database
