"""The parameter tree every Django caller uses: the shipped files plus the active office overrides.

The engine stays pure; this module is the only place that reads overrides from the database.
The tree is cached per process and rebuilt when the overrides change: the cache key is
(highest id, number of active rows), which changes on every add (ids only grow) and every
deactivation (the active count only falls), since overrides are never edited or deleted.
"""

from __future__ import annotations

import logging
import threading

from django.db.models import Count, Max, Q

from ansinh.core.models import Office
from ansinh.policy import ParameterTree, PolicyError, load_default_tree

from .models import ParameterOverride

log = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[int | None, tuple[tuple[int, int], ParameterTree]] = {}


def _version() -> tuple[int, int]:
    agg = ParameterOverride.objects.aggregate(
        last=Max("id"), active=Count("id", filter=Q(active=True))
    )
    return (agg["last"] or 0, agg["active"] or 0)


def active_overrides(office: Office | None = None) -> list[ParameterOverride]:
    """Active overrides for ``office``: those for all offices first, so that an office's own value
    with the same parameter and date replaces the general one; within each, in entry order."""
    rows = ParameterOverride.objects.filter(active=True)
    rows = rows.filter(Q(office__isnull=True) | Q(office=office)) if office else rows.filter(
        office__isnull=True
    )
    return sorted(rows, key=lambda o: (o.office_id is not None, o.id))


def build_tree(overrides: list[ParameterOverride]) -> ParameterTree:
    """Layer ``overrides`` on the file tree. A row that no longer validates (a parameter file
    changed under it) is skipped and logged, rather than taking every calculator down."""
    base = load_default_tree()
    engine = []
    for row in overrides:
        try:
            ov = row.to_engine()
            base.with_overrides([ov])
        except (PolicyError, ValueError) as exc:
            log.error("parameter override #%s ignored: %s", row.pk, exc)
            continue
        engine.append(ov)
    return base.with_overrides(engine) if engine else base


def current_tree(office: Office | None = None) -> ParameterTree:
    """The default tree with the active overrides (all offices, plus ``office``'s own)."""
    key = office.pk if office is not None else None
    version = _version()
    cached = _cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    tree = build_tree(active_overrides(office))
    with _lock:
        _cache[key] = (version, tree)
    return tree


def clear_cache() -> None:
    with _lock:
        _cache.clear()
