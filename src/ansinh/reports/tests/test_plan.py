"""Who is behind: the pace so far, the projected shortfall, the communes worst first, and a
legend for every colour the dashboard uses."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ansinh.core.models import User
from ansinh.core.periods import parse_period
from ansinh.network.actions import allocate, set_target
from ansinh.network.models import Metric, Target, UnitKind
from ansinh.registry.models import Commune
from ansinh.reports.metrics import Window
from ansinh.reports.plan import LEGEND, per_month, standing
from ansinh.reports.progress import Pace, Row, Unit, by_gap

Q = {"as_of": "2026-03-31", "period": "2026"}
FIRST_QUARTER = Window(parse_period("2026"), date(2026, 3, 31))  # 90 of 365 days


def _row(code: str, target: int | None, projection: int | None, achieved: int = 0,
         metric: str = Metric.ACTIVE) -> Row:
    return Row(unit=Unit("commune", 1, code, code), metric=metric, achieved=achieved,
               target=target, last_year=0, projection=projection)


def test_the_pace_is_the_gain_per_month_since_the_period_began() -> None:
    pace = Pace(Metric.ACTIVE, FIRST_QUARTER)
    # 100 active on 31/12, 130 on 31/03: +30 in 90 days = 2.96 months
    assert pace.per_month(130, 100) == Decimal("10.1")
    assert pace.projection(130, 100) == round(100 + 30 * 365 / 90)
    # 170 still to gain in the 275 days (9.04 months) left
    assert pace.needed(130, 300) == Decimal("18.8")
    flow = Pace(Metric.NEW, FIRST_QUARTER)
    assert flow.per_month(30, None) == Decimal("10.1")
    assert flow.projection(30, None) == round(30 * 365 / 90)
    assert per_month(Metric.ACTIVE, Decimal("10.1")) == "+10 người/tháng"
    assert per_month(Metric.ACTIVE, Decimal("2.5")) == "+2,5 người/tháng"
    assert per_month(Metric.ACTIVE, Decimal("-12.4")) == "−12 người/tháng"
    assert per_month(Metric.MONEY, Decimal("4000000.0")) == "+4.000.000\u00a0₫/tháng"


def test_a_projection_below_target_states_the_shortfall() -> None:
    line = standing(_row("AL", 3229, 1809, achieved=1805))
    assert line.status == "behind"
    assert line.projection == "dự báo 1.809 / 3.229, còn thiếu 1.420"
    assert line.flag == "chậm kế hoạch: thiếu 1.420 người"
    ahead = standing(_row("AL", 100, 130))
    assert ahead.status == "on_track" and ahead.flag == "đúng kế hoạch: vượt 30 người"
    assert ahead.projection == "dự báo 130 / 100, vượt 30"
    assert standing(_row("AL", None, 40)).flag == "chưa có chỉ tiêu"


def test_communes_sort_by_projected_shortfall_worst_first() -> None:
    rows = [_row("A", 100, 90), _row("B", None, 50), _row("C", 100, 130), _row("D", 200, 80),
            _row("E", 100, 100)]
    assert [row.unit.code for row in by_gap(rows)] == ["D", "A", "E", "C", "B"]


@pytest.fixture
def uneven_targets(history: dict[str, Any], world: dict[str, Any], director: User) -> Target:
    """Commune targets some communes will miss at their pace and some will pass."""
    office_target = set_target(office=world["office"], period=parse_period("2026"),
                               metric=Metric.ACTIVE, unit_kind=UnitKind.OFFICE, unit=None,
                               value=200, effective_on=date(2026, 1, 1), actor=director)
    values = dict(zip(("AL1", "AL2", "AL3", "AL4", "AL5"), (5, 80, 10, 60, 45), strict=True))
    allocate(office_target, UnitKind.COMMUNE,
             {commune.id: values[commune.code] for commune in Commune.objects.all()},
             effective_on=date(2026, 1, 1), actor=director)
    return office_target


def test_dashboard_puts_the_communes_furthest_behind_first(client: Client, director: User,
                                                          uneven_targets: Target) -> None:
    client.force_login(director)
    response = client.get("/bao-cao/", Q)
    lines = response.context["communes_by_gap"]
    gaps = [line.row.shortfall for line in lines]
    assert gaps == sorted(gaps, reverse=True) and len(lines) == 5
    assert {line.status for line in lines} == {"behind", "on_track"}
    body = response.content.decode()
    for line in lines:
        if line.status == "behind":
            assert f"chậm kế hoạch: thiếu {line.row.shortfall} người" in body
    # the headline's projection says how far short the office ends
    main = response.context["main"]["plan"]
    assert main.projection and main.projection in body and "Tốc độ từ đầu kỳ" in body
    # every colour class on the page is explained by the legend
    legend = {key for key, _text in LEGEND}
    used = set(re.findall(r'class="(?:progress|flag)(?: lg)? (\w+)"', body))
    assert used and used <= legend
    assert all(f'data-colour="{key}"' in body for key in legend)


def test_dashboard_queries_do_not_grow_per_commune(client: Client, director: User,
                                                   uneven_targets: Target) -> None:
    client.force_login(director)
    with CaptureQueriesContext(connection) as queries:
        client.get("/bao-cao/", Q)
    first = Commune.objects.select_related("office", "province").first()
    assert first is not None
    for index in range(6, 12):
        Commune.objects.create(office=first.office, province=first.province, code=f"AL{index}",
                               name=f"A Lưới {index}")
    with CaptureQueriesContext(connection) as more:
        response = client.get("/bao-cao/", Q)
    assert len(response.context["communes_by_gap"]) == 11
    assert len(more) == len(queries) < 80


def test_a_pace_is_written_the_page_language_way() -> None:
    from django.utils import translation

    with translation.override("vi"):
        assert per_month(Metric.ACTIVE, Decimal("3.6")) == "+3,6 người/tháng"
        assert per_month(Metric.ACTIVE, Decimal("1404")) == "+1.404 người/tháng"
    with translation.override("en"):
        assert per_month(Metric.ACTIVE, Decimal("3.6")) == "+3.6 people/month"
        assert per_month(Metric.ACTIVE, Decimal("1404")) == "+1,404 people/month"
