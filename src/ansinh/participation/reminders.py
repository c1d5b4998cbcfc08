"""The lapse run's hook into the reminders app (`ansinh lapses` and the daily job call it).

The work lives in `ansinh.reminders.queueing`; this module is the name the lapses command looks
for, so the participation app runs without reminders installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ansinh.core.models import Office

if TYPE_CHECKING:
    from .lapses import LapseRun


def queue_for_run(office: Office, run: LapseRun) -> dict[str, int]:
    """Queue the reminders of `run`: {"reminders": messages queued, ...details}."""
    from ansinh.reminders.queueing import queue_for_run as queue

    return queue(office, run)
