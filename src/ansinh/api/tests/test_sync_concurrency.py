"""Bursts of sync posts for one participation-month: one receipt, and never a 5xx.

Each thread posts through its own test client and so its own database connection. PostgreSQL
runs the full burst of 50; SQLite (one writer at a time) a burst of 8 when the test database
is a file.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from ansinh.collection import dues
from ansinh.collection.models import PaidMonth, Receipt
from ansinh.field.devices import register_device
from ansinh.field.models import SyncItem

JAN = date(2026, 1, 1)
POSTGRES = connection.vendor == "postgresql"
# in-memory SQLite is one shared cache whose table locks ignore the busy timeout; a file
# database (ANSINH_TEST_DB_FILE=1) waits for the writer as the server does
SQLITE_FILE = connection.vendor == "sqlite" and bool(
    connection.settings_dict.get("TEST", {}).get("NAME"))


def _burst(participation: Any, agent: Any, keys: list[str]) -> list[tuple[int, str]]:
    amount = dues.quote_months(participation, [JAN], date(2026, 1, 20)).amount
    token = register_device(actor=agent, name="burst")[1]
    barrier = threading.Barrier(len(keys))
    answers: list[tuple[int, str]] = [(0, "")] * len(keys)

    def send(slot: int) -> None:
        client = Client(raise_request_exception=False)
        item = {"kind": "receipt", "client_uuid": keys[slot],
                "data": {"participation": str(participation.uuid), "months": ["2026-01"],
                         "amount": amount, "paid_on": "2026-01-20", "channel": "cash"}}
        try:
            barrier.wait(timeout=30)
            response = client.post("/api/sync", {"items": [item]},
                                   content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {token}")
            status = (response.json()["results"][0]["status"]
                      if response.status_code == 200 else response.content.decode()[:200])
            answers[slot] = (response.status_code, status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(slot,)) for slot in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _one_month_many_phones(participation: Any, agent: Any, size: int) -> None:
    answers = _burst(participation, agent, [str(uuid.uuid4()) for _i in range(size)])
    assert {code for code, _s in answers} == {200}, answers
    assert Counter(status for _c, status in answers) == {"recorded": 1, "refused": size - 1}
    assert Receipt.objects.count() == 1
    assert PaidMonth.objects.filter(month=JAN).count() == 1


def _one_item_many_times(participation: Any, agent: Any, size: int) -> None:
    answers = _burst(participation, agent, [str(uuid.uuid4())] * size)
    assert {code for code, _s in answers} == {200}, answers
    assert Counter(status for _c, status in answers) == {"recorded": 1, "already": size - 1}
    assert Receipt.objects.count() == 1
    assert SyncItem.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="50 server connections at once (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_fifty_posts_of_one_month_land_one_receipt_and_no_server_error(
        participation_al3: Any, agent_al3: Any) -> None:
    _one_month_many_phones(participation_al3, agent_al3, 50)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="50 server connections at once (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_fifty_posts_of_the_same_item_land_it_once(participation_al3: Any,
                                                   agent_al3: Any) -> None:
    _one_item_many_times(participation_al3, agent_al3, 50)


@pytest.mark.skipif(not SQLITE_FILE, reason="needs a file database (ANSINH_TEST_DB_FILE=1)")
@pytest.mark.django_db(transaction=True)
def test_a_few_posts_of_one_month_at_once_on_sqlite(participation_al3: Any,
                                                    agent_al3: Any) -> None:
    _one_month_many_phones(participation_al3, agent_al3, 8)


@pytest.mark.skipif(not SQLITE_FILE, reason="needs a file database (ANSINH_TEST_DB_FILE=1)")
@pytest.mark.django_db(transaction=True)
def test_a_few_posts_of_the_same_item_at_once_on_sqlite(participation_al3: Any,
                                                        agent_al3: Any) -> None:
    _one_item_many_times(participation_al3, agent_al3, 8)


def _reserve_at_once(agent: Any, size: int) -> list[list[str]]:
    tokens = [register_device(actor=agent, name=f"phone {n}")[1] for n in range(2)]
    barrier = threading.Barrier(size)
    answers: list[list[str]] = [[] for _i in range(size)]
    codes: list[int] = [0] * size

    def reserve(slot: int) -> None:
        client = Client(raise_request_exception=False)
        try:
            barrier.wait(timeout=30)
            response = client.post("/api/receipt-numbers", {"count": 5},
                                   content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {tokens[slot % 2]}")
            codes[slot] = response.status_code
            if response.status_code == 200:
                answers[slot] = response.json()["numbers"]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reserve, args=(slot,)) for slot in range(size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert set(codes) == {200}, codes
    return answers


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="20 server connections at once (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_reservations_at_once_never_share_a_number(agent_al3: Any,
                                                   receipt_book_al3: Any) -> None:
    numbers = [n for answer in _reserve_at_once(agent_al3, 20) for n in answer]
    assert len(numbers) == len(set(numbers)) == 100
    receipt_book_al3.refresh_from_db()
    assert receipt_book_al3.next_number == 101
