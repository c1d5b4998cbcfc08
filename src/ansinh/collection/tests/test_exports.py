"""The declaration lists: documented column order, one row per receipt, the ledger's totals."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ansinh.collection import actions, dues, receipts
from ansinh.collection.exporting import COLLECTION_HEADERS, PARTICIPANT_HEADERS, TOTAL_LABEL
from ansinh.collection.ledger import participant_ledger
from ansinh.collection.models import Receipt
from ansinh.participation.actions import enrol
from ansinh.registry.models import Person, SIStatus

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
DOC = Path(__file__).resolve().parents[4] / "docs" / "declaration-lists.md"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sheet(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def _pay(participation: Any, months: list[date], on: date, actor: Any) -> Receipt:
    amount = dues.quote_months(participation, months, on).amount
    return receipts.record_receipt(participation, months=months, amount=amount, paid_on=on,
                                  channel="cash", client_uuid=uuid.uuid4(), actor=actor).receipt


def _world(participation_al3: Any, agent_al3: Any, director: Any) -> dict[str, Any]:
    first = _pay(participation_al3, [JAN], date(2026, 1, 20), agent_al3)
    _pay(participation_al3, [FEB], date(2026, 2, 10), agent_al3)
    reversal = actions.reverse_receipt(first, on=date(2026, 2, 12), reason="sai tháng",
                                       actor=director)
    person = (Person.objects.filter(village__commune__code="AL1", si_status=SIStatus.NONE,
                                    birth_date__lt=date(2000, 1, 1),
                                    birth_date__gt=date(1975, 1, 1)).order_by("id").first())
    assert person is not None
    al1 = enrol(person, start_month=JAN, income=3_000_000, mode="quarterly", actor=director,
                enrolled_on=date(2026, 1, 5))
    amount = dues.quote_months(al1, [JAN, FEB, date(2026, 3, 1)], date(2026, 1, 25)).amount
    receipts.record_receipt(al1, months=[JAN, FEB, date(2026, 3, 1)], amount=amount,
                           paid_on=date(2026, 1, 25), channel="post_office",
                           client_uuid=uuid.uuid4(), actor=director)
    return {"al1": al1, "reversal": reversal}


def test_the_documented_headers_are_the_exported_headers() -> None:
    text = DOC.read_text(encoding="utf-8")
    for headers in (PARTICIPANT_HEADERS, COLLECTION_HEADERS):
        positions = [text.index(f"| {header} |") for header in headers[:12]]
        assert positions == sorted(positions)
    assert PARTICIPANT_HEADERS[:12] == COLLECTION_HEADERS[:12] == (
        "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Địa chỉ",
        "Thu nhập làm căn cứ đóng", "Phương thức đóng", "Số tháng", "Số tiền",
        "Ngân sách hỗ trợ", "Số biên lai")


def test_collections_one_row_per_receipt_reversals_negative(participation_al3: Any,
                                                            agent_al3: Any,
                                                            director: Any) -> None:
    made = _world(participation_al3, agent_al3, director)
    client = client_for(director)
    with time_machine.travel(datetime(2026, 2, 28, 9, tzinfo=HCM), tick=False):
        rows = _sheet(client.get(reverse("collection:export_collections"),
                                 {"from": "2026-01-01", "to": "2026-02-28"}))
    assert rows[0] == COLLECTION_HEADERS
    body, total = rows[1:-1], rows[-1]
    assert len(body) == Receipt.objects.count() == 4
    column = {name: i for i, name in enumerate(COLLECTION_HEADERS)}
    amounts = [row[column["Số tiền"]] for row in body]
    assert sum(amounts) == sum(r.amount for r in Receipt.objects.all())
    ledger = participant_ledger(participation_al3).paid + participant_ledger(made["al1"]).paid
    assert total[column["Họ và tên"]] == TOTAL_LABEL
    assert total[column["Số tiền"]] == ledger == sum(amounts)
    assert total[column["Ngân sách hỗ trợ"]] == sum(row[column["Ngân sách hỗ trợ"]]
                                                    for row in body)
    reversal_row = next(row for row in body if row[column["Số biên lai"]] ==
                        made["reversal"].number)
    assert reversal_row[column["Số tiền"]] < 0 and reversal_row[column["Số tháng"]] == -1
    assert reversal_row[column["Hủy biên lai số"]] == made["reversal"].reverses.number
    assert [row[0] for row in body] == [1, 2, 3, 4]
    quarterly = next(row for row in body if row[column["Phương thức đóng"]] == "3 tháng một lần")
    assert quarterly[column["Số tháng"]] == 3
    assert quarterly[column["Thu nhập làm căn cứ đóng"]] == 3_000_000
    assert quarterly[column["Địa chỉ"]].endswith(made["al1"].village.commune.name)


def test_participants_with_terms_status_and_ledger_totals(participation_al3: Any,
                                                          agent_al3: Any, director: Any,
                                                          viewer_al1: Any) -> None:
    made = _world(participation_al3, agent_al3, director)
    rows = _sheet(client_for(director).get(reverse("collection:export_participants")))
    assert rows[0] == PARTICIPANT_HEADERS
    column = {name: i for i, name in enumerate(PARTICIPANT_HEADERS)}
    body = {row[column["Họ và tên"]]: row for row in rows[1:-1]}
    assert set(body) == {participation_al3.person.full_name, made["al1"].person.full_name}
    mine = body[participation_al3.person.full_name]
    ledger = participant_ledger(participation_al3)
    assert (mine[column["Số tiền"]], mine[column["Ngân sách hỗ trợ"]],
            mine[column["Số tháng"]]) == (ledger.paid, ledger.support, ledger.months)
    assert mine[column["Thu nhập làm căn cứ đóng"]] == 2_000_000
    assert mine[column["Phương thức đóng"]] == "Hằng tháng"
    assert mine[column["Trạng thái"]] == "Đang đóng"
    assert mine[column["Số định danh cá nhân"]] == (participation_al3.person.national_id or "")
    assert rows[-1][column["Số tiền"]] == ledger.paid + participant_ledger(made["al1"]).paid
    # the viewer of A Lưới 1 gets A Lưới 1 only
    viewer_rows = _sheet(client_for(viewer_al1).get(reverse("collection:export_participants")))
    assert [row[column["Họ và tên"]] for row in viewer_rows[1:-1]] == [
        made["al1"].person.full_name]
    # the filters of the participant list apply
    filtered = _sheet(client_for(director).get(reverse("collection:export_participants"),
                                               {"commune": "AL3"}))
    assert len(filtered) == 3


def test_the_exports_run_a_fixed_number_of_queries(participation_al3: Any, agent_al3: Any,
                                                   director: Any) -> None:
    client = client_for(director)
    url = reverse("collection:export_participants")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _world(participation_al3, agent_al3, director)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_numbers_are_number_cells_and_ids_text_cells(participation_al3: Any, agent_al3: Any,
                                                     director: Any) -> None:
    _world(participation_al3, agent_al3, director)
    Person.objects.filter(pk=participation_al3.person_id).update(national_id="046012345678")
    client = client_for(director)
    expected = {"STT": "#,##0", "Số tháng": "#,##0", "Số tiền": "#,##0",
                "Ngân sách hỗ trợ": "#,##0", "Thu nhập làm căn cứ đóng": "#,##0",
                "Ngày sinh": "DD/MM/YYYY", "Số định danh cá nhân": "@", "Số biên lai": "@"}
    for response, headers in (
        (client.get(reverse("collection:export_participants")), PARTICIPANT_HEADERS),
        (client.get(reverse("collection:export_collections"),
                    {"from": "2026-01-01", "to": "2026-02-28"}), COLLECTION_HEADERS),
    ):
        rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows())
        assert [cell.value for cell in rows[0]] == list(headers)
        assert all(str(header).strip() for header in headers)
        column = {name: i for i, name in enumerate(headers)}
        for row in rows[1:-1]:
            for name, number_format in expected.items():
                cell = row[column[name]]
                if cell.value is None:
                    continue
                assert cell.number_format == number_format, (name, cell.value)
                kind = {"@": "s", "DD/MM/YYYY": "d"}.get(number_format, "n")
                assert cell.data_type == kind, (name, cell.value, cell.data_type)
        assert any(row[column["Số định danh cá nhân"]].value == "046012345678"
                   for row in rows[1:-1])
