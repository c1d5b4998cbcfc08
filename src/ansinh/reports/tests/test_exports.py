"""Every table export as Excel reads it back: numbers are number cells with a number format
(so Excel sorts and sums them), and every column has a header."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from ansinh.core.models import User
from ansinh.core.periods import parse_period
from ansinh.core.tables import NUMBER_FORMATS, Table, xlsx_columns
from ansinh.network.actions import allocate, set_target
from ansinh.network.models import Metric, Target, UnitKind
from ansinh.registry.models import Commune

Q = {"as_of": "2026-03-31", "period": "2026"}


@pytest.fixture
def targets(history: dict[str, Any], world: dict[str, Any], director: User) -> Target:
    office_target = set_target(office=world["office"], period=parse_period("2026"),
                               metric=Metric.ACTIVE, unit_kind=UnitKind.OFFICE, unit=None,
                               value=200, effective_on=date(2026, 1, 1), actor=director)
    allocate(office_target, UnitKind.COMMUNE,
             {c.id: 40 for c in Commune.objects.all()}, effective_on=date(2026, 1, 1),
             actor=director)
    return office_target


def check_xlsx(content: bytes, table: Table) -> int:
    """The workbook holds the table's columns, each with a header, numbers as numbers; returns
    how many data rows it checked."""
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows())
    kept = [table.columns[index] for index in xlsx_columns(table)]
    titles = [column.title for column in kept]
    start = next(i for i, row in enumerate(rows) if [c.value for c in row[:len(titles)]]
                 == titles)
    assert all(str(title).strip() for title in titles), titles
    data = rows[start + 1:start + 1 + len(table.all_rows())]
    for row in data:
        for column, cell in zip(kept, row, strict=False):
            if column.kind in NUMBER_FORMATS and cell.value is not None:
                assert cell.data_type in ("n", "d"), (column.title, cell.value)
                assert cell.number_format == NUMBER_FORMATS[column.kind], column.title
    return len(data)


@pytest.mark.parametrize(("path", "extra"), [
    ("/bao-cao/tien-do/", {"by": "commune"}),
    ("/bao-cao/tien-do/", {"by": "commune", "metric": "money"}),
    ("/bao-cao/tien-do/", {"by": "agent", "metric": "retained"}),
    ("/bao-cao/xep-hang/", {"by": "commune"}),
    ("/bao-cao/danh-sach/", {"unit": "office"}),
    ("/bao-cao/danh-sach/", {"unit": "office", "metric": "money"}),
])
def test_report_xlsx_has_headers_and_number_cells(client: Client, director: User,
                                                  targets: Target, path: str,
                                                  extra: dict[str, str]) -> None:
    client.force_login(director)
    page = client.get(path, {**Q, **extra})
    assert page.status_code == 200
    table: Table = page.context["table"]
    assert all(str(column.title).strip() for column in table.columns)
    xlsx = client.get(path, {**Q, **extra, "export": "xlsx"})
    assert xlsx.status_code == 200
    if path != "/bao-cao/danh-sach/":
        assert check_xlsx(xlsx.content, table) > 0
    else:
        check_xlsx(xlsx.content, table)


def test_the_ranking_scores_are_numbers(client: Client, director: User,
                                        targets: Target) -> None:
    client.force_login(director)
    xlsx = client.get("/bao-cao/xep-hang/", {**Q, "by": "commune", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Hạng công bằng")
    scores = [row[-1] for row in rows[header + 1:header + 6]]
    assert all(isinstance(score, int | float) for score in scores), scores
    assert all(isinstance(row[-2], int | float) for row in rows[header + 1:header + 6])
