"""Recording a batch of receipts (offline queue, statements): same rules, set-wise."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from ansinh.collection import actions
from ansinh.collection.batch import Entry, record_batch
from ansinh.collection.ledger import cash_in_hand, participant_ledger
from ansinh.collection.models import PaidMonth, Receipt

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
PAID_ON = date(2026, 2, 10)


def _entry(participation: Any, months: list[date], amount: int | None = None,
           key: uuid.UUID | None = None, channel: str = "cash") -> Entry:
    if amount is None:
        amount = actions.quote_months(participation, months, PAID_ON).amount
    return Entry(participation.pk, tuple(months), amount, PAID_ON, channel,
                 key or uuid.uuid4())


def test_a_batch_records_valid_entries_and_returns_the_reasons_of_the_others(
    participation_al3: Any, agent_al3: Any
) -> None:
    office = participation_al3.office
    key = uuid.uuid4()
    jan = _entry(participation_al3, [JAN], key=key)
    entries = [
        jan,
        _entry(participation_al3, [FEB], amount=1),  # wrong amount
        _entry(participation_al3, [JAN]),  # January again in the same batch
        _entry(participation_al3, [FEB], channel="bank_transfer"),
    ]
    result = record_batch(office, entries, actor=agent_al3)
    assert len(result.created) == 2
    assert [index for index, _reason in result.refused] == [1, 2]
    assert isinstance(result.refused[0][1], actions.AmountMismatch)
    assert isinstance(result.refused[1][1], actions.MonthAlreadyPaid)
    receipts = Receipt.objects.order_by("id")
    assert receipts[0].number == "AL3-0000001"
    assert receipts[0].participant_kind == "first_time"
    assert receipts[1].participant_kind == "continuing"
    assert participant_ledger(participation_al3).paid == sum(r.amount for r in receipts)
    assert cash_in_hand(agent_al3.agent) == receipts[0].amount
    # the retried batch creates nothing and returns the first receipts
    again = record_batch(office, [jan], actor=agent_al3)
    assert again.created == [] and again.existing == [receipts[0].pk]
    assert PaidMonth.objects.count() == 2


def test_the_single_and_batch_paths_price_alike(participation_al3: Any, agent_al3: Any) -> None:
    record_batch(participation_al3.office, [_entry(participation_al3, [JAN])], actor=agent_al3)
    batch = Receipt.objects.get()
    quote = actions.quote_months(participation_al3, [FEB], PAID_ON)
    single = actions.record_receipt(participation_al3, months=[FEB], amount=quote.amount,
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
    jan = _entry(participation, [JAN], channel="bank_transfer")
    feb = _entry(participation, [FEB], amount=440_000, channel="bank_transfer")
    result = record_batch(participation.office, [jan, feb], actor=agent_al3)
    assert result.refused == []
    supports = list(PaidMonth.objects.order_by("month").values_list("support", flat=True))
    assert supports[0] > 0 and supports[1] == 0  # the 120th supported month, then none
