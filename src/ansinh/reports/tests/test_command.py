"""`ansinh report progress`: JSON rows, sums, files; over the demo's targets."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ansinh.core.periods import parse_period
from ansinh.demo.targets import seed_demo
from ansinh.network.models import Metric
from ansinh.reports import metrics
from ansinh.reports.metrics import Window

AS_OF = date(2026, 3, 31)


@pytest.fixture
def demo(history: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    seed_demo(world["office"], AS_OF, 7)
    return world


def _json(*args: str) -> list[dict[str, Any]]:
    out = StringIO()
    call_command("report", "progress", *args, "--json", stdout=out)
    rows: list[dict[str, Any]] = json.loads(out.getvalue())
    return rows


def test_json_by_commune_sums_to_the_office(demo: dict[str, Any]) -> None:
    rows = _json("--period", "2026", "--by", "commune", "--as-of", "2026-03-31")
    office = _json("--period", "2026", "--by", "office", "--as-of", "2026-03-31")
    assert set(rows[0]) == {"unit_code", "unit_name", "metric", "target", "achieved", "ratio"}
    assert [row["unit_code"] for row in rows] == ["AL1", "AL2", "AL3", "AL4", "AL5"]
    assert sum(row["target"] for row in rows) == office[0]["target"] == 3229
    total = metrics.total(demo["office"], Metric.ACTIVE, Window(parse_period("2026"), AS_OF))
    assert sum(row["achieved"] for row in rows) == office[0]["achieved"] == total
    assert office[0]["ratio"] == round(total / 3229, 3)
    assert all(row["metric"] == "active" for row in rows)


@pytest.mark.parametrize("by", ["village", "staff", "agent", "organisation"])
def test_every_breakdown_adds_up(demo: dict[str, Any], by: str) -> None:
    rows = _json("--period", "2026", "--by", by, "--as-of", "2026-03-31", "--metric", "money")
    office = _json("--period", "2026", "--by", "office", "--as-of", "2026-03-31",
                   "--metric", "money")
    assert sum(row["achieved"] for row in rows) == office[0]["achieved"]


def test_quarter_and_month_periods(demo: dict[str, Any]) -> None:
    quarter = _json("--period", "2026-Q1", "--by", "office", "--metric", "new",
                    "--as-of", "2026-03-31")
    month = _json("--period", "2026-02", "--by", "office", "--metric", "new",
                  "--as-of", "2026-03-31")
    assert quarter[0]["target"] is None  # the demo sets yearly targets only
    assert quarter[0]["achieved"] >= month[0]["achieved"] > 0


def test_bad_period_is_refused(demo: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="2026-Q3"):
        call_command("report", "progress", "--period", "26", "--by", "commune")


def test_xlsx_and_pdf_files(demo: dict[str, Any], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    call_command("report", "progress", "--period", "2026", "--by", "commune", "--as-of",
                 "2026-03-31", "--xlsx", str(tmp_path / "p.xlsx"), stdout=StringIO())
    cells = [c for row in load_workbook(tmp_path / "p.xlsx").active.iter_rows(values_only=True)
             for c in row]
    assert "A Lưới 5" in cells and 3229 in cells
    call_command("report", "progress", "--period", "2026", "--by", "commune", "--as-of",
                 "2026-03-31", "--pdf", str(tmp_path / "p.pdf"), stdout=StringIO())
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "p.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "A Lưới 5" in text and "3.229" in text


def test_demo_allocation_and_reallocation(demo: dict[str, Any]) -> None:
    from ansinh.network.models import Reward, Target, UnitKind

    office_target = Target.objects.get(unit_kind=UnitKind.OFFICE, metric=Metric.ACTIVE)
    communes = Target.objects.filter(unit_kind=UnitKind.COMMUNE, metric=Metric.ACTIVE)
    # the mid-period move of 40 left a second version on two communes
    assert sorted(target.versions.count() for target in communes) == [1, 1, 1, 2, 2]
    assert office_target.versions.get().value == 3229
    organisations = _json("--period", "2026", "--by", "organisation", "--as-of", "2026-03-31")
    assert sum(row["target"] or 0 for row in organisations) == 3229 - 3229 // 50
    assert Reward.objects.count() == 3
