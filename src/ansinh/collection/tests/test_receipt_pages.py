"""Recording receipts on the money pages: periods, the engine's amount, retries, reversals."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ansinh.collection import dues, receipts
from ansinh.collection.models import Receipt
from ansinh.participation.actions import enrol
from ansinh.policy import household_hi
from ansinh.registry.models import Person, SIStatus

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
DAY = date(2026, 1, 20)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(datetime(2026, 1, 20, 9, tzinfo=HCM), tick=False):
        yield


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(client: Client, participation: Any) -> dict[str, Any]:
    response = client.get(reverse("collection:receipt_new"),
                          {"participation": participation.pk})
    assert response.status_code == 200
    form = response.context["form"]
    return {"participation": participation.pk,
            "client_uuid": str(form["client_uuid"].value()), "channel": "cash",
            "paid_on": DAY.isoformat()}


def test_the_payable_periods_and_the_live_amount(participation_al3: Any, agent_al3: Any) -> None:
    client = client_for(agent_al3)
    response = client.get(reverse("collection:receipt_new"),
                          {"participation": participation_al3.pk})
    periods = response.context["periods"]
    # on 20 January a monthly participant may pay January (due) and February (ahead)
    assert [row["period"].start for row in periods] == [JAN, FEB]
    expected = dues.quote_months(participation_al3, [JAN, FEB], DAY).amount
    fragment = client.get(reverse("collection:receipt_new"),
                          {"participation": participation_al3.pk,
                           "period": [periods[0]["value"], periods[1]["value"]]},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="amount")
    body = fragment.content.decode()
    assert "<html" not in body
    assert 'value="{}"'.format(f"{expected:,}".replace(",", ".")) in body
    assert fragment.context["pricing"].amount == expected


def test_a_receipt_in_a_few_taps_and_a_retry_returns_the_same(participation_al3: Any,
                                                              agent_al3: Any) -> None:
    client = client_for(agent_al3)
    data = _form(client, participation_al3)
    amount = dues.quote_months(participation_al3, [JAN], DAY).amount
    data |= {"period": JAN.isoformat(), "amount": f"{amount:,}".replace(",", ".")}
    first = client.post(reverse("collection:receipt_new"), data)
    assert first.status_code == 302
    receipt = Receipt.objects.get()
    assert first["Location"] == reverse("collection:receipt_detail", args=[receipt.pk])
    again = client.post(reverse("collection:receipt_new"), data)  # a double submit
    assert again["Location"] == first["Location"]
    assert Receipt.objects.count() == 1
    page = client.get(again["Location"])
    assert "đã được ghi trước đó" in page.content.decode()
    assert receipt.number == "AL3-0000001" and receipt.amount == amount


def test_a_wrong_amount_shows_the_difference(participation_al3: Any, agent_al3: Any) -> None:
    client = client_for(agent_al3)
    data = _form(client, participation_al3)
    amount = dues.quote_months(participation_al3, [JAN], DAY).amount
    data |= {"period": JAN.isoformat(), "amount": str(amount - 10_000)}
    response = client.post(reverse("collection:receipt_new"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "chênh lệch -10.000" in body
    assert not Receipt.objects.exists()
    # the form keeps its transaction id: correcting the amount records once
    assert response.context["form"]["client_uuid"].value() == data["client_uuid"]


def test_no_period_ticked_is_refused(participation_al3: Any, agent_al3: Any) -> None:
    client = client_for(agent_al3)
    data = _form(client, participation_al3) | {"amount": "1"}
    response = client.post(reverse("collection:receipt_new"), data)
    assert response.status_code == 400
    assert "Chọn ít nhất một kỳ" in response.content.decode()


def test_the_search_finds_participants_in_scope_only(participation_al3: Any, agent_al3: Any,
                                                     viewer_al1: Any, staff_al2: Any) -> None:
    query = participation_al3.person.name_folded
    found = client_for(agent_al3).get(reverse("collection:receipt_new"), {"q": query},
                                      HTTP_HX_REQUEST="true", HTTP_HX_TARGET="picker")
    assert participation_al3.person.full_name in found.content.decode()
    other = client_for(staff_al2).get(reverse("collection:receipt_new"), {"q": query})
    assert participation_al3.person.full_name not in other.content.decode()
    assert client_for(staff_al2).get(reverse("collection:receipt_new"),
                                     {"participation": participation_al3.pk}).status_code == 404
    assert client_for(viewer_al1).get(reverse("collection:receipt_new")).status_code == 403
    assert client_for(viewer_al1).post(reverse("collection:receipt_new"), {}).status_code == 403


def test_a_household_hi_receipt_takes_the_ladder(prospect_al3: Any, agent_al3: Any,
                                                 receipt_book_al3: Any) -> None:
    household = prospect_al3.household
    assert household is not None
    client = client_for(agent_al3)
    url = reverse("collection:receipt_hi_new")
    page = client.get(url, {"household": household.pk})
    assert page.status_code == 200
    members = [m.pk for m in household.members.order_by("birth_date", "id")]
    assert len(members) == 3
    expected = household_hi(DAY, 3, 12).total
    fragment = client.get(url, {"household": household.pk, "members": members, "months": 12},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="amount")
    assert fragment.context["hi"].total == expected
    two = client.get(url, {"household": household.pk, "members": members[:2], "months": 12},
                     HTTP_HX_REQUEST="true", HTTP_HX_TARGET="amount")
    assert two.context["hi"].total == household_hi(DAY, 2, 12).total
    data = {"household": household.pk, "payer": prospect_al3.pk, "members": members,
            "months": 12,
            "first_month": "2026-02", "amount": str(expected), "channel": "cash",
            "paid_on": DAY.isoformat(),
            "client_uuid": str(page.context["form"]["client_uuid"].value())}
    response = client.post(url, data)
    assert response.status_code == 302
    receipt = Receipt.objects.get()
    assert (receipt.product, receipt.hi_members, receipt.amount) == ("household_hi", 3, expected)
    client.post(url, data)
    assert Receipt.objects.count() == 1
    wrong = client.post(url, data | {"client_uuid": str(uuid.uuid4()), "amount": "1000"})
    assert wrong.status_code == 400 and "chênh lệch" in wrong.content.decode()


def test_the_director_reverses_a_receipt_with_a_reason(participation_al3: Any, agent_al3: Any,
                                                       director: Any) -> None:
    amount = dues.quote_months(participation_al3, [JAN], DAY).amount
    receipt = receipts.record_receipt(participation_al3, months=[JAN], amount=amount,
                                     paid_on=DAY, channel="cash", client_uuid=uuid.uuid4(),
                                     actor=agent_al3).receipt
    url = reverse("collection:receipt_reverse", args=[receipt.pk])
    detail = client_for(agent_al3).get(reverse("collection:receipt_detail", args=[receipt.pk]))
    assert detail.status_code == 200 and url not in detail.content.decode()
    assert client_for(agent_al3).post(url, {"reason": "x"}).status_code == 403
    page = client_for(director).get(reverse("collection:receipt_detail", args=[receipt.pk]))
    assert url in page.content.decode()
    assert client_for(director).post(url, {"reason": ""}).status_code == 400
    response = client_for(director).post(url, {"reason": "ghi nhầm người"})
    assert response.status_code == 302
    reversal = Receipt.objects.get(reverses=receipt)
    assert reversal.amount == -amount
    again = client_for(director).get(reverse("collection:receipt_detail", args=[receipt.pk]))
    assert "ĐÃ HỦY" in again.content.decode() and url not in again.content.decode()


def _people(commune: str, count: int) -> list[Person]:
    return list(Person.objects.filter(village__commune__code=commune, si_status=SIStatus.NONE,
                                      birth_date__lt=date(2000, 1, 1),
                                      birth_date__gt=date(1975, 1, 1)).order_by("id")[:count])


def test_the_receipt_list_is_scoped_and_runs_no_query_per_row(
        participation_al3: Any, agent_al3: Any, director: Any, viewer_al1: Any) -> None:
    def pay(participation: Any) -> None:
        amount = dues.quote_months(participation, [JAN], DAY).amount
        receipts.record_receipt(participation, months=[JAN], amount=amount, paid_on=DAY,
                               channel="bank_transfer", client_uuid=uuid.uuid4(),
                               actor=director)

    pay(participation_al3)
    client = client_for(director)
    url = reverse("collection:receipt_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for person in _people("AL1", 12):
        pay(enrol(person, start_month=JAN, income=2_000_000, mode="monthly", actor=director,
                  enrolled_on=date(2026, 1, 5)))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["totals"]["count"] == 13
    assert len(many) == len(one)
    agent_view = client_for(agent_al3).get(url)
    assert agent_view.context["totals"]["count"] == 1
    viewer = client_for(viewer_al1).get(url)
    assert viewer.context["totals"]["count"] == 12
    assert participation_al3.person.full_name not in viewer.content.decode()
