"""The same receipt entered on the page, synced from a phone or recorded in a batch leaves the
same rows: the receipt, its paid months, its audit row and the participation's state.

Each example builds a random history (mode, payments made, how late the payer is), then records
one more receipt through each channel in turn, each time from the same starting point (the
history is rebuilt inside a rolled-back transaction), and compares what each channel left.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansinh.collection.dues import dues, quote_months
from ansinh.collection.models import PaidMonth, Receipt
from ansinh.collection.receipts import ReceiptRequest, record_receipts
from ansinh.core.models import AuditEntry
from ansinh.core.tests.isolation import rolled_back
from ansinh.participation.actions import enrol, mark_late
from ansinh.participation.models import Participation, StatusChange

START = date(2025, 7, 1)


@dataclass(frozen=True)
class History:
    mode: str
    paid_periods: int  # periods paid on time before the receipt under test
    days_after: int  # how long after the last paid period's start the receipt is paid
    periods: int  # how many of the payable periods the receipt pays
    channel: str
    note: str


histories = st.builds(
    History,
    mode=st.sampled_from(["monthly", "quarterly", "half_yearly"]),
    paid_periods=st.integers(min_value=0, max_value=3),
    days_after=st.integers(min_value=5, max_value=400),
    periods=st.integers(min_value=1, max_value=2),
    channel=st.sampled_from(["cash", "bank_transfer", "post_office"]),
    note=st.sampled_from(["", "thu tại nhà", "Nguyễn \"Tí\" nộp hộ"]),
)


def _build(history: History, person: Any, agent: Any) -> tuple[Participation, date, list[date]]:
    """The participation with its history; the day of the receipt under test and its months."""
    participation = enrol(person, start_month=START, income=3_000_000, mode=history.mode,
                          actor=agent, enrolled_on=START + timedelta(days=2))
    day = START + timedelta(days=3)
    for number in range(history.paid_periods):
        period = dues(participation, day).payable[0]
        day = max(day, period.start + timedelta(days=3))
        months = list(period.unpaid)
        amount = quote_months(participation, months, day).amount
        result = record_receipts([ReceiptRequest(
            participation.pk, tuple(months), amount, day, "bank_transfer",
            uuid.uuid5(uuid.NAMESPACE_OID, f"history-{number}"))], actor=agent, today=day)
        assert result.results[0].status == "recorded", result.results[0].reason
    paid_on = day + timedelta(days=history.days_after)
    current = dues(participation, paid_on)
    if current.overdue:
        mark_late(participation, on=current.overdue[0].deadline + timedelta(days=1))
    months = [m for period in current.payable[:history.periods] for m in period.unpaid]
    return participation, paid_on, months


def _through_page(client: Client, participation: Participation, months: list[date],
                  amount: int, key: uuid.UUID, history: History) -> None:
    period_values = {}
    for month in months:
        start = next(p for p in dues(participation, _today()).payable if month in p.unpaid)
        period_values[start.start] = ",".join(m.isoformat() for m in start.unpaid)
    response = client.post("/thu/bien-lai/moi/", {
        "participation": participation.pk, "period": list(period_values.values()),
        "amount": f"{amount:,}".replace(",", "."), "channel": history.channel,
        "paid_on": _today().isoformat(), "client_uuid": str(key), "note": history.note,
    })
    assert response.status_code == 302, response.content.decode()[:3000]


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def _through_sync(client: Client, participation: Participation, months: list[date],
                  amount: int, key: uuid.UUID, history: History, paid_on: date) -> None:
    response = client.post("/api/sync", json.dumps({"items": [{
        "kind": "receipt", "client_uuid": str(key), "data": {
            "participation": str(participation.uuid), "months": [f"{m:%Y-%m}" for m in months],
            "amount": amount, "paid_on": paid_on.isoformat(), "channel": history.channel,
            "note": history.note},
    }]}), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "recorded", response.json()


def _through_batch(agent: Any, participation: Participation, months: list[date], amount: int,
                   key: uuid.UUID, history: History, paid_on: date) -> None:
    result = record_receipts([ReceiptRequest(
        participation.pk, tuple(months), amount, paid_on, history.channel, key,
        note=history.note)], actor=agent)
    assert result.results[0].status == "recorded", result.results[0].reason


def _left(participation: Participation, receipt_uuid: uuid.UUID,
          audit_after: int) -> dict[str, Any]:
    """What the receipt under test left, without the ids and clock times that differ."""
    receipt = Receipt.objects.get(uuid=receipt_uuid)
    row = {field: value for field, value in Receipt.objects.filter(pk=receipt.pk).values()[0]
           .items() if field not in ("id", "participation_id", "recorded_at")}
    months = list(PaidMonth.objects.filter(receipt=receipt).order_by("month").values_list(
        "month", "income", "category", "gross", "support", "net", "released_by_id"))
    audit = [
        (entry.action, entry.model, entry.changes, entry.note, entry.actor_id, entry.office_id,
         "the receipt" if entry.object_id == str(receipt.pk) else
         "the participation" if entry.object_id == str(participation.pk) else entry.object_id)
        for entry in AuditEntry.objects.filter(pk__gt=audit_after).order_by("id")
    ]
    participation.refresh_from_db()
    changes = list(StatusChange.objects.filter(participation=participation).order_by("id")
                   .values_list("on", "old_status", "new_status", "reason", "actor_id"))
    return {"receipt": row, "months": months, "audit": audit,
            "state": (participation.status, participation.status_since), "changes": changes}


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=histories)
def test_page_sync_and_batch_leave_the_same_rows(history: History, prospect_al3: Any,
                                                 agent_al3: Any, receipt_book_al3: Any) -> None:
    key = uuid.uuid5(uuid.NAMESPACE_OID, "the receipt under test")
    outcomes: dict[str, dict[str, Any]] = {}
    for channel in ("page", "sync", "batch"):
        with rolled_back():
            participation, paid_on, months = _build(history, prospect_al3, agent_al3)
            amount = quote_months(participation, months, paid_on).amount
            audit_after = AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]
            # the agent records on the day the money is paid (the page offers only today)
            with time_machine.travel(paid_on, tick=False):
                client = Client()
                client.force_login(agent_al3)  # signed in that day (sessions expire)
                if channel == "page":
                    _through_page(client, participation, months, amount, key, history)
                elif channel == "sync":
                    _through_sync(client, participation, months, amount, key, history,
                                  paid_on)
                else:
                    _through_batch(agent_al3, participation, months, amount, key, history,
                                   paid_on)
            outcomes[channel] = _left(participation, key, audit_after)
    assert outcomes["page"] == outcomes["sync"] == outcomes["batch"]
