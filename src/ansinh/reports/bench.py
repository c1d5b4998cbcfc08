"""Bench: the progress report beside the bare SQL aggregate of the same numbers.

`measure()` runs in a process whose database holds the seeded demo. For each timed figure it
runs the report (`progress_rows`, commune breakdown, with last year and projection off so
both sides compute the same numbers) and a hand-written SQL statement over the same rows
through `connection.cursor()`, checks they agree, and returns the medians of three runs and
their ratio (goal: at most 2).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection

from ansinh.core.models import Office, User
from ansinh.core.periods import Period
from ansinh.network.models import Metric

from . import figures as summary
from . import metrics
from .metrics import Window
from .progress import progress_rows

ACTIVE_SQL = """
SELECT v.commune_id, COUNT(*)
FROM participation_participation p
JOIN registry_village v ON v.id = p.village_id
WHERE p.office_id = %s AND p.enrolled_on <= %s
  AND (SELECT s.new_status FROM participation_statuschange s
       WHERE s.participation_id = p.id AND s.on <= %s
       ORDER BY s.on DESC, s.id DESC LIMIT 1) IN ('active', 'late')
GROUP BY v.commune_id
"""

MONEY_SQL = """
SELECT v.commune_id, SUM(r.amount)
FROM collection_receipt r
JOIN registry_village v ON v.id = r.village_id
WHERE r.office_id = %s AND r.period >= %s AND r.period <= %s AND r.paid_on <= %s
GROUP BY v.commune_id
"""


def _median(run: Callable[[], Any], times: int = 3) -> tuple[float, Any]:
    durations, result = [], None
    for _ in range(times):
        started = time.perf_counter()
        result = run()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


def _sql(statement: str, params: list[Any]) -> dict[int, int]:
    # "on" is a keyword in PostgreSQL; quote the column the same way on both databases
    statement = statement.replace("s.on", 's."on"')
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return {commune: int(value or 0) for commune, value in cursor.fetchall()}


def measure() -> dict[str, float]:
    office = Office.objects.order_by("code").first()
    if office is None:
        return {}
    as_of = date.fromisoformat(settings.DEMO_AS_OF)
    period = Period("year", date(as_of.year, 1, 1))
    figures: dict[str, float] = {}

    def report(metric: str) -> dict[int, int]:
        rows = progress_rows(office, period, metric, "commune", as_of, compare=False)
        return {row.unit.id: row.achieved for row in rows if row.unit.id is not None}

    cases = {
        "active": (ACTIVE_SQL, [office.pk, as_of, as_of]),
        "money": (MONEY_SQL, [office.pk, period.start, as_of, as_of]),
    }
    for metric, (statement, params) in cases.items():
        report_s, by_report = _median(partial(report, metric))
        sql_s, by_sql = _median(partial(_sql, statement, params))
        assert {k: v for k, v in by_report.items() if v} == {
            k: v for k, v in by_sql.items() if v}, (metric, by_report, by_sql)
        figures[f"progress_{metric}_s"] = report_s
        figures[f"sql_{metric}_s"] = sql_s
        figures[f"progress_{metric}_to_sql"] = report_s / sql_s if sql_s else 0.0
    # the whole progress table of the dashboard metric, with last year and projection
    figures["progress_table_s"], _rows = _median(
        lambda: progress_rows(office, period, Metric.ACTIVE, "commune", as_of))
    figures.update(pages(office))
    return figures


def pages(office: Office, requests: int = 30) -> dict[str, float]:
    """The dashboards as their users open them (Django's test client, so the full view and
    template, without a network), p50 and p95 of `requests` views after one warm-up; the
    nightly rebuild of the office's summary cells; and the same figures from the raw rows
    (what every view cost before the summary tables)."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    result: dict[str, float] = {}
    started = time.perf_counter()
    summary.rebuild(office.pk)
    result["summary_rebuild_s"] = time.perf_counter() - started
    for username in ("giamdoc", "canbo1"):
        user = User.objects.filter(username=username, office=office).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        url = reverse("reports:dashboard")
        assert client.get(url).status_code == 200
        durations = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            durations.append(time.perf_counter() - started)
        durations.sort()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        result[f"dashboard_{username}_p50_ms"] = statistics.median(durations) * 1000
        result[f"dashboard_{username}_p95_ms"] = durations[int(0.95 * len(durations)) - 1] * 1000
        result[f"dashboard_{username}_queries"] = len(queries)
    as_of = date.fromisoformat(settings.DEMO_AS_OF)
    window = Window(Period("year", date(as_of.year, 1, 1)), as_of)
    for metric in (Metric.ACTIVE, Metric.REJOINED, Metric.RETAINED, Metric.MONEY):
        cells_s, from_cells = _median(partial(metrics.grouped, office, metric, window,
                                              "village"))
        raw_s, from_rows = _median(partial(metrics.live_grouped, office, metric, window,
                                           "village"))
        assert from_cells == {key: value for key, value in from_rows.items() if value}, metric
        result[f"{metric}_cells_ms"] = cells_s * 1000
        result[f"{metric}_raw_rows_ms"] = raw_s * 1000
    return result
