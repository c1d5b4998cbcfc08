"""Recording many receipts at once (offline queue, statements): the page's rules, set-wise."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from ansinh.collection.dues import MonthAlreadyPaid, quote_months
from ansinh.collection.ledger import cash_in_hand, participant_ledger
from ansinh.collection.models import PaidMonth, Receipt
from ansinh.collection.receipts import (
    ALREADY,
    RECORDED,
    REFUSED,
    AmountMismatch,
    ReceiptRequest,
    UuidReused,
    record_receipt,
    record_receipts,
)
from ansinh.core.models import AuditEntry
from ansinh.core.scoping import OutOfTerritory

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
PAID_ON = date(2026, 2, 10)


def _request(participation: Any, months: list[date], amount: int | None = None,
             key: uuid.UUID | None = None, channel: str = "cash",
             paid_on: date = PAID_ON) -> ReceiptRequest:
    if amount is None:
        amount = quote_months(participation, months, paid_on).amount
    return ReceiptRequest(participation.pk, tuple(months), amount, paid_on, channel,
                          key or uuid.uuid4())


def test_a_batch_records_valid_entries_and_returns_the_reasons_of_the_others(
    participation_al3: Any, agent_al3: Any
) -> None:
    key = uuid.uuid4()
    jan = _request(participation_al3, [JAN], key=key)
    entries = [
        jan,
        _request(participation_al3, [FEB], amount=1),  # wrong amount
        _request(participation_al3, [JAN]),  # January again in the same batch
        _request(participation_al3, [FEB], channel="bank_transfer"),
    ]
    result = record_receipts(entries, actor=agent_al3)
    assert [r.status for r in result.results] == [RECORDED, REFUSED, REFUSED, RECORDED]
    assert isinstance(result.refused[0][1], AmountMismatch)
    assert isinstance(result.refused[1][1], MonthAlreadyPaid)
    receipts = Receipt.objects.order_by("id")
    assert receipts[0].number == "AL3-0000001" == result.results[0].number
    assert receipts[0].participant_kind == "first_time"
    assert receipts[1].participant_kind == "continuing"
    assert participant_ledger(participation_al3).paid == sum(r.amount for r in receipts)
    assert cash_in_hand(agent_al3.agent) == receipts[0].amount
    # one audit row per receipt, by the agent
    assert list(AuditEntry.objects.filter(action="receipt.record").order_by("id")
                .values_list("object_id", "actor")) == [(str(r.pk), agent_al3.pk)
                                                        for r in receipts]
    # the retried batch creates nothing and returns the first receipts
    again = record_receipts([jan], actor=agent_al3)
    assert again.created == [] and again.existing == [receipts[0].pk]
    assert again.results[0].number == "AL3-0000001"
    assert PaidMonth.objects.count() == 2


def test_a_client_uuid_reused_with_other_content_is_refused_not_dropped(
    participation_al3: Any, agent_al3: Any
) -> None:
    key = uuid.uuid4()
    first = record_receipts([_request(participation_al3, [JAN], key=key)], actor=agent_al3)
    assert first.results[0].status == RECORDED
    # the same id for February: refused with the reason, never answered "already"
    other = record_receipts([_request(participation_al3, [FEB], key=key)], actor=agent_al3)
    assert other.results[0].status == REFUSED
    assert isinstance(other.results[0].reason, UuidReused)
    assert first.results[0].number in other.results[0].reason.vi
    assert Receipt.objects.count() == 1


def test_a_repeated_uuid_inside_one_batch(participation_al3: Any, agent_al3: Any) -> None:
    key = uuid.uuid4()
    jan = _request(participation_al3, [JAN], key=key)
    result = record_receipts([jan, jan, _request(participation_al3, [FEB], key=key)],
                             actor=agent_al3)
    assert [r.status for r in result.results] == [RECORDED, ALREADY, REFUSED]
    assert result.results[1].receipt_id == result.results[0].receipt_id
    assert Receipt.objects.count() == 1


def test_a_payment_dated_in_the_future_is_refused(participation_al3: Any,
                                                  agent_al3: Any) -> None:
    request = _request(participation_al3, [JAN], paid_on=date(2026, 2, 10))
    result = record_receipts([request], actor=agent_al3, today=date(2026, 2, 9))
    assert result.results[0].status == REFUSED
    assert "future" in result.results[0].reason.en  # type: ignore[union-attr]


def test_another_communes_agent_records_nothing(participation_al3: Any,
                                                world: dict[str, Any]) -> None:
    outsider = world["users"]["thu11"]  # an agent of A Lưới 1
    result = record_receipts([_request(participation_al3, [JAN], channel="bank_transfer")],
                             actor=outsider)
    assert isinstance(result.results[0].reason, OutOfTerritory)
    viewer = world["users"]["xa3"]  # reads A Lưới 3, writes nothing
    result = record_receipts([_request(participation_al3, [JAN], channel="bank_transfer")],
                             actor=viewer)
    assert result.results[0].status == REFUSED
    assert not Receipt.objects.exists() and not AuditEntry.objects.filter(
        action="receipt.record").exists()


def test_the_single_and_batch_paths_price_alike(participation_al3: Any, agent_al3: Any) -> None:
    record_receipts([_request(participation_al3, [JAN])], actor=agent_al3)
    batch = Receipt.objects.get()
    quote = quote_months(participation_al3, [FEB], PAID_ON)
    single = record_receipt(participation_al3, months=[FEB], amount=quote.amount,
                            paid_on=PAID_ON, channel="cash", client_uuid=uuid.uuid4(),
                            actor=agent_al3).receipt
    assert (batch.amount, batch.support, batch.gross) == (single.amount, single.support,
                                                          single.gross)
    assert single.number == "AL3-0000002"


def test_the_batch_counts_support_months_toward_the_cap(prospect_al3: Any,
                                                        agent_al3: Any) -> None:
    from ansinh.participation.actions import enrol

    participation = enrol(prospect_al3, start_month=JAN, income=2_000_000, mode="monthly",
                          actor=agent_al3, enrolled_on=date(2026, 1, 5),
                          prior_supported_months=119)
    jan = _request(participation, [JAN], channel="bank_transfer")
    feb = _request(participation, [FEB], amount=440_000, channel="bank_transfer")
    result = record_receipts([jan, feb], actor=agent_al3)
    assert result.refused == []
    supports = list(PaidMonth.objects.order_by("month").values_list("support", flat=True))
    assert supports[0] > 0 and supports[1] == 0  # the 120th supported month, then none


def test_a_late_participant_who_pays_up_is_active_at_once_whatever_the_channel(
    participation_al3: Any, agent_al3: Any
) -> None:
    from ansinh.participation.actions import mark_late
    from ansinh.participation.models import Participation, StatusChange

    mark_late(participation_al3, on=date(2026, 2, 1))
    on = date(2026, 3, 5)
    result = record_receipts([_request(participation_al3, [JAN, FEB], paid_on=on)],
                             actor=agent_al3)
    assert result.results[0].status == RECORDED
    participation = Participation.objects.get(pk=participation_al3.pk)
    assert (participation.status, participation.status_since) == ("active", on)
    assert StatusChange.objects.filter(participation=participation, new_status="active",
                                       reason="paid").exists()
