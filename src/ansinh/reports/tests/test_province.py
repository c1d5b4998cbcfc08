"""The province page: every office of a province side by side, from the summary cells."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from ansinh.core.periods import parse_period
from ansinh.network.models import Metric
from ansinh.registry.models import Commune
from ansinh.reports import metrics
from ansinh.reports.metrics import Window
from ansinh.reports.views import province_table

pytestmark = pytest.mark.django_db


def test_the_province_table_adds_up_the_offices_cells(history: dict[str, Any],
                                                      world: dict[str, Any]) -> None:
    office = world["office"]
    province = Commune.objects.filter(office=office).first().province  # type: ignore[union-attr]
    period, as_of = parse_period("2026"), date(2026, 3, 31)
    table = province_table(province, period, as_of)
    (row,) = table.rows
    window = Window(period, as_of)
    assert row[:2] == [office.code, office.name]
    assert row[2] == metrics.live_total(office, Metric.ACTIVE, window) > 0
    assert row[3] == metrics.live_total(office, Metric.ACTIVE, window.last_year())
    assert row[4] == metrics.live_total(office, Metric.NEW, window) > 0
    assert row[6] == metrics.live_total(office, Metric.RETAINED, window)
    assert row[7] == sum(metrics.live_grouped_base(office, window, "village").values())
    assert row[8] == metrics.live_total(office, Metric.MONEY, window) > 0


def test_only_an_administrator_opens_it(history: dict[str, Any], world: dict[str, Any],
                                        client: Client) -> None:
    url = reverse("reports:province")
    client.force_login(world["users"]["giamdoc"])
    assert client.get(url).status_code == 403
    client.force_login(world["users"]["admin"])
    page = client.get(url + "?period=2026&as_of=2026-03-31")
    assert page.status_code == 200
    assert world["office"].name in page.content.decode()
    download = client.get(url + "?period=2026&as_of=2026-03-31&export=xlsx")
    assert download.status_code == 200
    from io import BytesIO

    sheet = load_workbook(BytesIO(download.content)).active
    assert sheet is not None
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert world["office"].code in values
    assert not any(isinstance(value, str) and value.startswith("=") for value in values)
