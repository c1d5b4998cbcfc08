"""A bulk rewrite vacuums the tables the pages read index-only (PostgreSQL): the cells and the
offices' totals after a rebuild, the worklist rows after a refresh in full. Autovacuum comes
later, or never where it is turned off (this machine's CI cluster runs without it)."""

from __future__ import annotations

import pytest
from django.db import connection

from ansinh.outreach import priority
from ansinh.reports import figures

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]
TABLES = ("reports_figure", "reports_figuretotal", "outreach_priority", "outreach_priorityrecheck")


def _vacuums() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, vacuum_count FROM pg_stat_user_tables "
                       "WHERE relname = ANY(%s)", [list(TABLES)])
        return dict(cursor.fetchall())


def test_a_rebuild_that_rewrote_cells_vacuums_the_cells_and_the_totals() -> None:
    before = _vacuums()
    figures.vacuum_after([{"written": 1, "cells": 1000}])  # a few cells: autovacuum's
    assert _vacuums() == before
    figures.vacuum_after([{"written": 1, "cells": 1000}, {"written": 900, "cells": 1000}])
    after = _vacuums()
    assert [after[t] - before[t] for t in TABLES] == [1, 1, 0, 0]


def test_a_refresh_in_full_vacuums_the_worklist_rows() -> None:
    before = _vacuums()
    priority.vacuum_after([{"full": 0}, {"full": 0}])  # carried forward: autovacuum's
    assert _vacuums() == before
    priority.vacuum_after([{"full": 0}, {"full": 12}])
    after = _vacuums()
    assert [after[t] - before[t] for t in TABLES] == [0, 0, 1, 1]
