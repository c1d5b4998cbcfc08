"""The demo office's derived tables, built once its rows are in (the demo writes most of them
in bulk, around the write path), as the nightly jobs build them: the reports' summary cells
and the precomputed worklists."""

from __future__ import annotations

from datetime import date

from ansinh.core.models import Office
from ansinh.outreach import priority
from ansinh.reports import figures


def seed_demo(office: Office, as_of: date, seed: int) -> None:
    figures.rebuild(office.pk, today=as_of)
    priority.refresh_office(office.pk, as_of)
