"""Work done office by office, side by side: the nightly jobs' offices are independent (each
in its own transactions, on its own rows), so N processes share them.

`each_office(func, office_ids, jobs)` runs `func(office_id, *args)` for every office and
returns the results in the offices' order. With jobs > 1 (PostgreSQL only: SQLite has one
writer), the offices go to a pool of forked processes, each opening its own database
connection; the largest offices should come first (the caller's order is kept in the
results, not in the work)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, connections


def full_night(office_id: int, today: date) -> bool:
    """Whether tonight is the office's full rebuild (of its summary cells and its worklist
    priorities): the offices take turns, each once in `ANSINH_FULL_REBUILD_DAYS` nights (7: a
    seventh of them a night). The other nights carry the kept rows forward."""
    every = int(settings.ANSINH_FULL_REBUILD_DAYS)
    return today.toordinal() % every == office_id % every


def each_office(func: Callable[..., Any], office_ids: Sequence[int], jobs: int = 1,
                *args: Any) -> list[Any]:
    if jobs <= 1 or len(office_ids) <= 1 or connection.vendor != "postgresql":
        return [func(office_id, *args) for office_id in office_ids]
    # closed before the fork, so that each child opens its own connection (never its
    # parent's socket); the parent opens a new one when it next queries
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(func, office_id, *args) for office_id in office_ids]
        return [future.result() for future in futures]


def largest_first(offices: Any) -> list[int]:
    """The offices' ids, the most villages first (the work grows with them; a pool ends
    sooner when the longest work starts first)."""
    from django.db.models import Count

    return list(offices.annotate(size=Count("communes__villages")).order_by("-size", "code")
                .values_list("pk", flat=True))
