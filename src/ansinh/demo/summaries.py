"""The summary cells of the demo office, built once its rows are in (the demo writes most of
them in bulk, around the write path), as the nightly rebuild would build them."""

from __future__ import annotations

from datetime import date

from ansinh.core.models import Office
from ansinh.reports import figures


def seed_demo(office: Office, as_of: date, seed: int) -> None:
    figures.rebuild(office.pk, today=as_of)
