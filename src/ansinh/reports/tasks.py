"""The worker's nightly rebuild of the summary cells (a plain function: the queue only calls
it; `ansinh rebuild-figures` runs the same)."""

from __future__ import annotations

import logging
from typing import Any

from ansinh.core.models import Office

from . import figures

log = logging.getLogger(__name__)


def rebuild_figures() -> list[dict[str, Any]]:
    """Every office's nightly refresh (`figures.nightly`: the cells of the day every night,
    the full rebuild in turns)."""
    results = [figures.nightly(office_id, vacuum=False) for office_id in
               Office.objects.order_by("id").values_list("id", flat=True)]
    figures.vacuum_after(results)
    for result in results:
        if result["differing"]:
            # the write path keeps the cells; a difference means a write went around it
            log.warning("summary cells of office %s: %s cells differed from a rebuild",
                        result["office_id"], result["differing"])
    return results
