"""The agent's day, receipt books, remittances, reconciliation and period close, per role."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ansinh.collection import actions, dues, receipts
from ansinh.collection.ledger import cash_in_hand
from ansinh.collection.models import PeriodClose, ReceiptBook, Remittance, RemittanceStatus
from ansinh.participation.actions import enrol

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def at(day: date) -> Any:
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=HCM), tick=False)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pay(participation: Any, month: date, on: date, actor: Any, channel: str = "cash") -> Any:
    amount = dues.quote_months(participation, [month], on).amount
    return receipts.record_receipt(participation, months=[month], amount=amount, paid_on=on,
                                  channel=channel, client_uuid=uuid.uuid4(), actor=actor).receipt


def test_the_agents_day(participation_al3: Any, agent_al3: Any, director: Any,
                        viewer_al1: Any) -> None:
    with at(date(2026, 1, 27)):
        receipt = _pay(participation_al3, JAN, date(2026, 1, 27), agent_al3)
        page = client_for(agent_al3).get(reverse("collection:home"))
        assert page.context["cash"] == receipt.amount
        assert [r.pk for r in page.context["today_receipts"]] == [receipt.pk]
        office = client_for(director).get(reverse("collection:home"))
        assert office.context["month_total"]["amount"] == receipt.amount
        assert office.context["unremitted"]["amount"] == receipt.amount
        assert client_for(viewer_al1).get(reverse("collection:home")).status_code == 403
    # February's deadline (28 February) falls within the week of 22 February
    with at(date(2026, 2, 22)):
        due = client_for(agent_al3).get(reverse("collection:home")).context["due"]
        assert [row["p"].pk for row in due] == [participation_al3.pk]
    with at(date(2026, 2, 20)):
        assert client_for(agent_al3).get(reverse("collection:home")).context["due"] == []


def test_books_are_issued_and_returned_by_staff(agent_al3: Any, director: Any,
                                                receipt_book_al3: Any) -> None:
    url = reverse("collection:books")
    page = client_for(agent_al3).get(url)
    assert [b.pk for b in page.context["books"]] == [receipt_book_al3.pk]
    assert page.context["form"] is None
    assert client_for(agent_al3).post(url, {}).status_code == 403
    data = {"agent": agent_al3.agent.pk, "series": "al3b", "first_number": 1,
            "last_number": 50, "issued_on": "2026-01-10"}
    assert client_for(director).post(url, data).status_code == 302
    book = ReceiptBook.objects.get(series="AL3B")
    assert book.remaining == 50
    overlap = client_for(director).post(url, data | {"first_number": 40, "last_number": 60})
    assert overlap.status_code == 400 and "trùng" in overlap.content.decode()
    assert client_for(director).post(reverse("collection:book_return", args=[book.pk])
                                     ).status_code == 302
    book.refresh_from_db()
    assert book.returned_on is not None


def test_remittances_tick_receipts_and_the_office_confirms(participation_al3: Any,
                                                           agent_al3: Any, director: Any,
                                                           viewer_al1: Any) -> None:
    with at(date(2026, 2, 20)):
        first = _pay(participation_al3, JAN, date(2026, 2, 20), agent_al3)
        second = _pay(participation_al3, FEB, date(2026, 2, 20), agent_al3)
        client = client_for(agent_al3)
        page = client.get(reverse("collection:remittances"))
        groups = page.context["groups"]
        assert len(groups) == 1 and groups[0]["total"] == first.amount + second.amount
        org = agent_al3.agent.organisation
        data = {"organisation": org.pk, "number": "NT-1", "remitted_on": "2026-02-20",
                "receipts": [first.pk], "client_uuid": str(uuid.uuid4())}
        assert client.post(reverse("collection:remittances"), data).status_code == 302
        assert client.post(reverse("collection:remittances"), data).status_code == 302  # retry
        remittance = Remittance.objects.get()
        assert remittance.amount == first.amount
        assert cash_in_hand(agent_al3.agent) == second.amount
        # the same number twice for one organisation is refused with a reason
        again = client.post(reverse("collection:remittances"),
                            data | {"receipts": [second.pk], "client_uuid": str(uuid.uuid4())})
        assert again.status_code == 400
        confirm = reverse("collection:remittance_confirm", args=[remittance.pk])
        assert client.post(confirm).status_code == 403
        assert client_for(viewer_al1).post(reverse("collection:remittances"),
                                           data).status_code == 403
        assert client_for(director).post(confirm).status_code == 302
    remittance.refresh_from_db()
    assert remittance.status == RemittanceStatus.CONFIRMED


def test_reconciliation_by_agent_and_day_and_the_period_close(participation_al3: Any,
                                                              agent_al3: Any, director: Any,
                                                              staff_al2: Any) -> None:
    with at(date(2026, 1, 20)):
        first = _pay(participation_al3, JAN, date(2026, 1, 20), agent_al3)
        actions.remit(agent_al3.agent.organisation, receipts=[first], number="NT-1",
                      remitted_on=date(2026, 1, 21), actor=director)
    with at(date(2026, 2, 3)):
        second = _pay(participation_al3, FEB, date(2026, 2, 3), agent_al3)
        url = reverse("collection:reconciliation")
        page = client_for(director).get(url, {"from": "2026-01-01", "to": "2026-02-28"})
        total = page.context["total"]
        assert total["collected"] == first.amount + second.amount
        assert total["remitted"] == first.amount
        assert total["outstanding"] == second.amount
        assert [(r["paid_on"], r["collected"]) for r in page.context["rows"]] == [
            (date(2026, 1, 20), first.amount), (date(2026, 2, 3), second.amount)]
        assert page.context["close_month"] == JAN
        assert page.context["close_totals"]["collected"] == first.amount
        # staff of another commune sees nothing of A Lưới 3 and cannot close
        other = client_for(staff_al2).get(url, {"from": "2026-01-01", "to": "2026-02-28"})
        assert other.context["total"]["collected"] == 0 and not other.context["can_close"]
        close = reverse("collection:period_close")
        assert client_for(staff_al2).post(close, {"month": "2026-01"}).status_code == 403
        assert client_for(director).post(close, {"month": "2026-01"}).status_code == 302
        assert PeriodClose.objects.get().totals["collected"] == first.amount
        # the current month cannot be closed: refused with the reason
        response = client_for(director).post(close, {"month": "2026-02"}, follow=True)
        assert "Chỉ khóa sổ tháng đã qua" in response.content.decode()
        page = client_for(director).get(url)
        assert "01/2026" in page.content.decode()


def test_staff_confirm_no_remittance_with_money_of_another_commune(
        world: Any, director: Any, staff_al2: Any, prospect_al3: Any) -> None:
    """The post office (BD-AL) collects in every commune: staff of A Lưới 2 see its
    remittances, but one holding money of A Lưới 3 is refused — with the reason, in the
    user's language, and nothing written."""
    collector = world["users"]["thu32"]  # of A Lưới 3, for the post office
    actions.issue_book(collector.agent, series="BD", first_number=1, last_number=50,
                       issued_on=date(2026, 1, 2), actor=director)
    with at(date(2026, 2, 20)):
        participation = enrol(prospect_al3, start_month=JAN, income=2_000_000, mode="monthly",
                              actor=collector, enrolled_on=date(2026, 1, 5))
        receipt = _pay(participation, JAN, date(2026, 2, 20), collector)
        remittance = actions.remit(collector.agent.organisation, receipts=[receipt],
                                   number="NT-BD-1", remitted_on=date(2026, 2, 20),
                                   actor=collector)
        confirm = reverse("collection:remittance_confirm", args=[remittance.pk])
        client = client_for(staff_al2)
        refused = client.post(confirm)
        assert refused.status_code == 403 and "Thuộc địa bàn khác" in refused.content.decode()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        assert "belongs to another territory" in client.post(confirm).content.decode()
    remittance.refresh_from_db()
    assert remittance.status == RemittanceStatus.SUBMITTED and remittance.confirmed_by is None
