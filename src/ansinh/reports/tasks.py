"""The worker's nightly rebuild of the summary cells (a plain function: the queue only calls
it; `ansinh rebuild-figures` runs the same)."""

from __future__ import annotations

import logging
from typing import Any

from . import figures

log = logging.getLogger(__name__)


def rebuild_figures() -> list[dict[str, Any]]:
    results = figures.rebuild_all()
    for result in results:
        if result["differing"]:
            # the write path keeps the cells; a difference means a write went around it
            log.warning("summary cells of office %s: %s cells differed from a rebuild",
                        result["office_id"], result["differing"])
    return results
