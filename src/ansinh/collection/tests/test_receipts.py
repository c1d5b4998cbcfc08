"""Recording receipts: the engine's amount, one payment per month, retries, reversals."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from ansinh.collection import actions, dues, receipts
from ansinh.collection.ledger import cash_in_hand, participant_ledger
from ansinh.collection.models import PaidMonth, Receipt
from ansinh.core.errors import Refused
from ansinh.participation.models import Status

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def _pay(participation: Any, months: list[date], actor: Any, paid_on: date,
         client_uuid: uuid.UUID | None = None) -> receipts.Recorded:
    quote = dues.quote_months(participation, months, paid_on)
    return receipts.record_receipt(participation, months=months, amount=quote.amount,
                                  paid_on=paid_on, channel="cash",
                                  client_uuid=client_uuid or uuid.uuid4(), actor=actor)


def test_a_receipt_takes_the_engines_amount_and_the_next_book_number(
    participation_al3: Any, agent_al3: Any
) -> None:
    recorded = _pay(participation_al3, [JAN], agent_al3, date(2026, 1, 20))
    receipt = recorded.receipt
    assert recorded.created
    assert receipt.number == "AL3-0000001"
    # 22 % of 2,000,000 = 440,000; an ethnic-minority or poorer person gets at least 66,000 less
    assert receipt.gross == 440_000
    assert receipt.amount + receipt.support == receipt.gross
    assert receipt.support in (66_000, 99_000, 132_000, 165_000)
    assert receipt.participant_kind == "first_time"
    assert receipt.pricing["parameters"]
    second = _pay(participation_al3, [FEB], agent_al3, date(2026, 2, 20)).receipt
    assert second.number == "AL3-0000002"
    assert second.participant_kind == "continuing"


def test_a_wrong_amount_is_refused_with_the_difference(
    participation_al3: Any, agent_al3: Any
) -> None:
    quote = dues.quote_months(participation_al3, [JAN], date(2026, 1, 20))
    with pytest.raises(receipts.AmountMismatch) as refused:
        receipts.record_receipt(participation_al3, months=[JAN], amount=quote.amount + 1000,
                               paid_on=date(2026, 1, 20), channel="cash",
                               client_uuid=uuid.uuid4(), actor=agent_al3)
    assert refused.value.difference == 1000
    assert "1.000" in refused.value.vi
    assert not Receipt.objects.exists()


def test_a_retried_submission_returns_the_first_receipt(
    participation_al3: Any, agent_al3: Any
) -> None:
    key = uuid.uuid4()
    first = _pay(participation_al3, [JAN], agent_al3, date(2026, 1, 20), key)
    again = _pay(participation_al3, [JAN], agent_al3, date(2026, 1, 20), key)
    assert first.created and not again.created
    assert again.receipt.pk == first.receipt.pk
    assert Receipt.objects.count() == 1


def test_a_month_is_paid_once_and_the_database_says_so_too(
    participation_al3: Any, agent_al3: Any
) -> None:
    _pay(participation_al3, [JAN], agent_al3, date(2026, 1, 20))
    with pytest.raises(dues.MonthAlreadyPaid):
        _pay(participation_al3, [JAN], agent_al3, date(2026, 1, 21))
    receipt = Receipt.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaidMonth.objects.create(receipt=receipt, participation=participation_al3, month=JAN,
                                 income=1, category="other", gross=1, support=0, net=1)


def test_a_quarter_must_be_paid_whole(
    participation_al3: Any, agent_al3: Any, director: Any
) -> None:
    from ansinh.collection import lifecycle as actions_p
    actions_p.change_terms(participation_al3, from_month=date(2026, 4, 1), income=2_000_000,
                           mode="quarterly", actor=director, on=date(2026, 3, 10))
    with pytest.raises(Refused, match="cả kỳ"):
        _pay(participation_al3, [JAN, FEB, MAR, date(2026, 4, 1)], agent_al3,
             date(2026, 3, 20))
    months = [JAN, FEB, MAR, date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    receipt = _pay(participation_al3, months, agent_al3, date(2026, 3, 20)).receipt
    assert receipt.months == 6


def test_a_reversal_cancels_and_frees_the_month(participation_al3: Any, agent_al3: Any,
                                                director: Any) -> None:
    original = _pay(participation_al3, [JAN], agent_al3, date(2026, 1, 20)).receipt
    reversal = actions.reverse_receipt(original, on=date(2026, 1, 22), reason="sai người",
                                       actor=director)
    assert reversal.amount == -original.amount
    assert participant_ledger(participation_al3).paid == 0
    assert cash_in_hand(agent_al3.agent) == 0
    with pytest.raises(Refused):
        actions.reverse_receipt(original, on=date(2026, 1, 23), reason="again", actor=director)
    again = _pay(participation_al3, [JAN], agent_al3, date(2026, 1, 25)).receipt
    assert participant_ledger(participation_al3).paid == again.amount


def test_a_closed_period_takes_no_receipt_and_later_reversals_go_to_the_open_one(
    participation_al3: Any, agent_al3: Any, director: Any
) -> None:
    receipt = _pay(participation_al3, [JAN], agent_al3, date(2026, 1, 20)).receipt
    actions.close_period(participation_al3.office, month=JAN, actor=director,
                         today=date(2026, 2, 3))
    with pytest.raises(Refused, match="khóa sổ"):
        _pay(participation_al3, [FEB], agent_al3, date(2026, 1, 30))
    reversal = actions.reverse_receipt(receipt, on=date(2026, 1, 31), reason="late fix",
                                       actor=director)
    assert reversal.period == FEB


def test_paying_the_overdue_months_makes_a_late_participant_active(
    participation_al3: Any, agent_al3: Any
) -> None:
    from ansinh.participation.actions import mark_late

    mark_late(participation_al3, on=date(2026, 2, 1))
    _pay(participation_al3, [JAN], agent_al3, date(2026, 2, 3))
    participation_al3.refresh_from_db()
    assert participation_al3.status == Status.ACTIVE


def test_remittances_take_cash_out_of_the_agents_hands(
    participation_al3: Any, agent_al3: Any, director: Any
) -> None:
    first = _pay(participation_al3, [JAN], agent_al3, date(2026, 1, 20)).receipt
    second = _pay(participation_al3, [FEB], agent_al3, date(2026, 2, 20)).receipt
    agent = agent_al3.agent
    assert cash_in_hand(agent) == first.amount + second.amount
    remittance = actions.remit(agent.organisation, receipts=[first], number="NT-1",
                               remitted_on=date(2026, 1, 31), actor=director)
    assert remittance.amount == first.amount
    assert cash_in_hand(agent) == second.amount
    with pytest.raises(Refused):
        actions.remit(agent.organisation, receipts=[first], number="NT-2",
                      remitted_on=date(2026, 2, 1), actor=director)
