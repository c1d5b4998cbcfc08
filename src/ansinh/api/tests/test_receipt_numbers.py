"""Receipt numbers reserved ahead to a phone: printed offline, never issued twice."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.test import Client

from ansinh.collection import dues
from ansinh.collection.models import Receipt, ReceiptBook
from ansinh.collection.receipts import record_receipt
from ansinh.field.devices import register_device
from ansinh.field.models import ReservedNumber
from ansinh.participation.models import Participation

from .conftest import post

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def _reserve(client: Client, token: str, count: int) -> list[str]:
    response = post(client, "/api/receipt-numbers", {"count": count}, token)
    assert response.status_code == 200, response.content
    return list(response.json()["numbers"])


def _item(participation: Participation, month: date, number: str | None) -> dict[str, Any]:
    amount = dues.quote_months(participation, [month], date(2026, 3, 20)).amount
    return {"kind": "receipt", "client_uuid": str(uuid.uuid4()),
            "data": {"participation": str(participation.uuid), "months": [f"{month:%Y-%m}"],
                     "amount": amount, "paid_on": "2026-03-20", "channel": "cash",
                     "number": number}}


def _sync(client: Client, token: str, items: list[dict[str, Any]],
          release: list[str] = ()) -> Any:  # type: ignore[assignment]
    response = post(client, "/api/sync", {"items": items, "release": list(release)}, token)
    assert response.status_code == 200, response.content
    return response.json()


def test_reserved_numbers_skip_online_receipts(client: Client, token_al3: str,
                                               participation_al3: Participation,
                                               agent_al3: Any) -> None:
    assert _reserve(client, token_al3, 3) == ["AL3-0000001", "AL3-0000002", "AL3-0000003"]
    book = ReceiptBook.objects.get()
    assert book.next_number == 4
    quote = dues.quote_months(participation_al3, [JAN], date(2026, 1, 20))
    online = record_receipt(participation_al3, months=[JAN], amount=quote.amount,
                            paid_on=date(2026, 1, 20), channel="cash",
                            client_uuid=uuid.uuid4(), actor=agent_al3)
    assert online.receipt.number == "AL3-0000004"


def test_a_receipt_prints_its_reserved_number_once(client: Client, token_al3: str,
                                                   participation_al3: Participation) -> None:
    numbers = _reserve(client, token_al3, 2)
    first = _sync(client, token_al3, [_item(participation_al3, JAN, numbers[1])])
    assert first["results"][0]["status"] == "recorded"
    assert first["results"][0]["number"] == numbers[1]
    again = _sync(client, token_al3, [_item(participation_al3, FEB, numbers[1])])["results"][0]
    assert again["status"] == "refused" and numbers[1] in again["reason"]
    unknown = _sync(client, token_al3, [_item(participation_al3, FEB, "AL3-0000150")])
    assert unknown["results"][0]["status"] == "refused"
    assert Receipt.objects.get().number == numbers[1]


def test_another_devices_number_is_refused(client: Client, token_al3: str, agent_al3: Any,
                                           participation_al3: Participation) -> None:
    _other, other_token = register_device(actor=agent_al3, name="Máy tính bảng")
    numbers = _reserve(client, other_token, 1)
    answer = _sync(client, token_al3, [_item(participation_al3, JAN, numbers[0])])
    assert answer["results"][0]["status"] == "refused"
    assert not Receipt.objects.exists()


def test_released_numbers_come_back_first(client: Client, token_al3: str,
                                          participation_al3: Participation) -> None:
    numbers = _reserve(client, token_al3, 3)
    answer = _sync(client, token_al3, [_item(participation_al3, JAN, numbers[0])],
                   release=numbers)
    assert answer["released"] == numbers[1:]  # the used one stays used
    assert _reserve(client, token_al3, 3) == [*numbers[1:], "AL3-0000004"]
    released = post(client, "/api/receipt-numbers/release",
                    {"numbers": ["AL3-0000004", "XYZ-1"]},
                    token_al3).json()
    assert released == {"released": ["AL3-0000004"]}


def test_no_number_is_issued_twice(client: Client, token_al3: str, agent_al3: Any,
                                   participation_al3: Participation) -> None:
    _other, other_token = register_device(actor=agent_al3, name="Máy tính bảng")
    seen: list[str] = []
    for round_ in range(3):
        mine = _reserve(client, token_al3, 7)
        theirs = _reserve(client, other_token, 5)
        seen += mine + theirs
        post(client, "/api/receipt-numbers/release", {"numbers": mine[::2]}, token_al3)
        if round_ == 0:
            _sync(client, token_al3, [_item(participation_al3, JAN, None)])  # online-style
    held = [(r.book_id, r.number) for r in ReservedNumber.objects.exclude(device=None)]
    assert len(held) == len(set(held))
    on_receipts = set(Receipt.objects.values_list("number", flat=True))
    assert not on_receipts & {f"AL3-{n:07d}" for _b, n in held}
    assert ReceiptBook.objects.get().next_number > max(n for _b, n in held)


def test_counts_are_bounded_and_a_session_reserves_nothing(client: Client, token_al3: str,
                                                           agent_al3: Any,
                                                           receipt_book_al3: Any) -> None:
    assert post(client, "/api/receipt-numbers", {"count": 101}, token_al3).status_code == 422
    assert post(client, "/api/receipt-numbers", {"count": 0}, token_al3).status_code == 422
    client.force_login(agent_al3)
    assert post(client, "/api/receipt-numbers", {"count": 2}).status_code == 409


def test_a_book_runs_out(client: Client, token_al3: str, receipt_book_al3: Any) -> None:
    assert len(_reserve(client, token_al3, 100)) == 100
    assert len(_reserve(client, token_al3, 100)) == 100
    response = post(client, "/api/receipt-numbers", {"count": 1}, token_al3)
    assert response.status_code == 409 and "quyển" in response.json()["detail"]
