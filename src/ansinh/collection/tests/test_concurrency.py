"""Two connections paying the same month at the same moment land exactly one receipt."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections

from ansinh.collection import dues, receipts
from ansinh.collection.models import PaidMonth, Receipt
from ansinh.core.errors import Refused

JAN = date(2026, 1, 1)

# SQLite's in-memory test database is one shared cache that cannot hold two writers at once;
# CI runs this file on a real PostgreSQL server, where each thread has its own connection.
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two server connections (PostgreSQL)"
)


def _race(participation: Any, actor: Any, keys: list[uuid.UUID]) -> list[object]:
    quote = dues.quote_months(participation, [JAN], date(2026, 1, 20))
    barrier = threading.Barrier(len(keys))
    results: list[object] = [None] * len(keys)

    def pay(slot: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[slot] = receipts.record_receipt(
                participation, months=[JAN], amount=quote.amount, paid_on=date(2026, 1, 20),
                channel="cash", client_uuid=keys[slot], actor=actor)
        except Refused as exc:
            results[slot] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(slot,)) for slot in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_connections_paying_the_same_month_land_one_receipt(
    participation_al3: Any, agent_al3: Any
) -> None:
    results = _race(participation_al3, agent_al3, [uuid.uuid4(), uuid.uuid4()])
    recorded = [r for r in results if isinstance(r, receipts.Recorded)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(recorded) == 1, results
    assert len(refused) == 1 and isinstance(refused[0], dues.MonthAlreadyPaid), results
    assert Receipt.objects.count() == 1
    assert PaidMonth.objects.filter(month=JAN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_submission_twice_at_once_returns_one_receipt(
    participation_al3: Any, agent_al3: Any
) -> None:
    key = uuid.uuid4()
    results = _race(participation_al3, agent_al3, [key, key])
    assert all(isinstance(r, receipts.Recorded) for r in results), results
    ids = {r.receipt.pk for r in results if isinstance(r, receipts.Recorded)}
    assert len(ids) == 1
    assert Receipt.objects.count() == 1


# Bursts through the sync API (50 posts, one receipt, no 5xx): api/tests/test_sync_concurrency.py
