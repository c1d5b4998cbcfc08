"""Commission pages: who sees which rates and statements; the xlsx and PDF exports."""

from __future__ import annotations

import io
import subprocess
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.collection import actions
from ansinh.collection.models import CommissionRate, Receipt

from .test_commissions import JAN, Money, _february, _rates, build_january

RATES = reverse("collection:commission_rates")
STATEMENT = reverse("collection:commission_statement")


@pytest.fixture
def january(participation_al3: Any, agent_al3: Any, director: Any) -> Money:
    return build_january(participation_al3, agent_al3, director)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _closed(money: Money, director: Any) -> None:
    _rates(money.office, director)
    actions.confirm_remittance(money.january, actor=director)
    actions.close_period(money.office, month=JAN, actor=director, today=date(2026, 2, 5))


def test_an_empty_table_says_why_on_both_pages(january: Money, director: Any) -> None:
    actions.confirm_remittance(january.january, actor=director)
    actions.close_period(january.office, month=JAN, actor=director, today=date(2026, 2, 5))
    client = _client(director)
    page = client.get(RATES).content.decode()
    assert "Chưa có mức thù lao nào" in page
    page = client.get(STATEMENT, {"month": "2026-01"}).content.decode()
    assert "ansinh không tự đặt mức mặc định" in page
    assert "1.945.600" in page  # the reconciled money is shown, without a commission


def test_the_director_adds_a_rate_and_sees_the_history(director: Any, world: Any) -> None:
    client = _client(director)
    response = client.post(RATES, {"product": "voluntary_si", "participant_kind": "first_time",
                                   "mode": "", "percent": "12,5", "valid_from": "2026-01-01",
                                   "reference": "QĐ 123/QĐ-BHXH"})
    assert response.status_code == 302
    row = CommissionRate.objects.get()
    assert (row.rate, row.created_by) == (Decimal("0.1250"), director)
    client.post(RATES, {"product": "voluntary_si", "participant_kind": "first_time",
                        "mode": "", "percent": "13", "valid_from": "2026-06-01",
                        "reference": "QĐ 200/QĐ-BHXH"})
    page = client.get(RATES).content.decode()
    assert "QĐ 123/QĐ-BHXH" in page and "QĐ 200/QĐ-BHXH" in page
    assert CommissionRate.objects.count() == 2  # appended, nothing replaced
    # the same start twice is refused with the reason
    page = client.post(RATES, {"product": "voluntary_si", "participant_kind": "first_time",
                               "mode": "", "percent": "14", "valid_from": "2026-06-01",
                               "reference": "QĐ sai"}).content.decode()
    assert "ngày sau" in page and CommissionRate.objects.count() == 2


def test_the_page_warns_above_the_cap(january: Money, director: Any) -> None:
    _closed(january, director)
    client = _client(director)
    assert 'data-cap="exceeds"' not in client.get(RATES).content.decode()
    client.post(RATES, {"product": "household_hi", "participant_kind": "first_time",
                        "mode": "", "percent": "9", "valid_from": "2026-03-01",
                        "reference": "QĐ mới"})
    page = client.get(RATES).content.decode()
    assert 'data-cap="exceeds"' in page and "vượt giới hạn" in page


@pytest.mark.parametrize(("username", "get", "post"), [
    ("giamdoc", 200, 302), ("admin", 200, 302), ("canbo2", 200, 403), ("thu31", 403, 403),
    ("xa1", 403, 403),
])
def test_rates_page_by_role(world: Any, username: str, get: int, post: int) -> None:
    client = _client(world["users"][username])
    assert client.get(RATES).status_code == get
    response = client.post(RATES, {"product": "household_hi", "participant_kind": "continuing",
                                   "mode": "", "percent": "5", "valid_from": "2026-01-01",
                                   "reference": "QĐ 1"})
    assert response.status_code == post


@pytest.mark.parametrize(("username", "status", "commission"), [
    ("giamdoc", 200, "134.945"),  # the whole office
    ("admin", 200, "134.945"),
    ("canbo3", 200, "134.945"),  # staff of A Lưới 3: the money of their villages
    ("canbo2", 200, None),  # staff of A Lưới 2: none of it
    ("thu31", 200, "134.945"),  # the agent who collected it: their own
    ("thu11", 200, None),  # another agent: nothing of thu31's
    ("xa1", 403, None),  # commune official: internal money
])
def test_statement_by_role(january: Money, director: Any, world: Any, username: str,
                           status: int, commission: str | None) -> None:
    _closed(january, director)
    response = _client(world["users"][username]).get(STATEMENT, {"month": "2026-01"})
    assert response.status_code == status
    if status != 200:
        return
    page = response.content.decode()
    if commission:
        assert commission in page
        assert "Pi Lao" not in page  # a statement names agents, not participants
    else:
        assert "134.945" not in page and "42.079" not in page


def test_an_agent_cannot_read_another_agents_statement(
    january: Money, director: Any, world: Any
) -> None:
    _closed(january, director)
    page = _client(world["users"]["thu11"]).get(
        STATEMENT, {"month": "2026-01", "agent": january.agent.pk}).content.decode()
    assert "134.945" not in page


def test_xlsx_and_pdf_statements(january: Money, director: Any, agent_al3: Any,
                                 tmp_path: Path) -> None:
    _rates(january.office, director)
    _february(january, agent_al3, director)
    client = _client(director)
    response = client.get(STATEMENT, {"month": "2026-02", "export": "xlsx"})
    assert response.status_code == 200
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    values = [cell for row in workbook["Chi tiết"].iter_rows(values_only=True) for cell in row]
    assert -17_050 in values and 32_395 in values
    summary = [cell for row in workbook["Tổng hợp"].iter_rows(values_only=True) for cell in row]
    assert 15_345 in summary
    response = client.get(STATEMENT, {"month": "2026-02", "export": "pdf",
                                      "organisation": january.agent.organisation_id})
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "thu-lao.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "BẢNG KÊ THÙ LAO TỔ CHỨC DỊCH VỤ THU" in text  # the title, as on official forms
    assert "Tiếp tục tham gia" in text and "15.345" in text
    assert january.agent.organisation.name in text
    # the office's report heading and signatures, shared with every report PDF
    flat = " ".join(text.split())
    assert "BHXH CƠ SỞ A LƯỚI" in flat and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "A Lưới, ngày" in flat
    assert all(role in flat for role in ("Người lập biểu", "Tổ chức dịch vụ thu", "Giám đốc"))
    shots = Path("/work/shots/exports")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(shots / "thu-lao" if shots.is_dir() else tmp_path / "thu-lao")],
                   check=True)


def test_an_open_period_cannot_be_exported(january: Money, director: Any) -> None:
    _rates(january.office, director)
    response = _client(director).get(STATEMENT, {"month": "2026-01", "export": "pdf"})
    assert response.status_code == 404


def test_the_statement_costs_the_same_queries_whatever_the_receipts(
    january: Money, director: Any, world: Any
) -> None:
    _closed(january, director)
    client = _client(director)
    with CaptureQueriesContext(connection) as few:
        client.get(STATEMENT, {"month": "2026-01"})
    # forty more online payments of two agents and both participant kinds, same period
    template = january.hi_online
    others = [world["users"]["thu31"].agent, world["users"]["thu32"].agent]
    extra = []
    for i in range(40):
        copy = Receipt.objects.get(pk=template.pk)
        copy.pk = None
        copy.uuid = uuid.uuid4()
        copy.number = f"ON-{i}"
        copy.agent = others[i % 2]
        copy.organisation = others[i % 2].organisation
        copy.participant_kind = ("first_time", "continuing")[i % 2]
        extra.append(copy)
    Receipt.objects.bulk_create(extra)
    with CaptureQueriesContext(connection) as more:
        page = client.get(STATEMENT, {"month": "2026-01"}).content.decode()
    assert len(more) == len(few)
    assert "Nhân viên thu A Lưới 3 #2" in page  # thu32's line is there


def test_the_period_list_shows_only_periods_with_money(january: Money, director: Any) -> None:
    _closed(january, director)
    for month in (date(2018, 4, 1), date(2025, 12, 1)):  # closed with no receipt
        actions.close_period(january.office, month=month, actor=director,
                             today=date(2026, 2, 5))
    page = _client(director).get(STATEMENT).content.decode()
    assert '<option value="2026-01"' in page
    assert "2018-04" not in page and "2025-12" not in page
