"""Prices come from the policy engine: per month, the 120-month cap, advance, household HI."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from ansinh.collection import actions, dues, receipts
from ansinh.participation.actions import enrol
from ansinh.participation.subsidy import facts_for
from ansinh.policy import contribution_quote, household_hi


def test_a_month_costs_what_the_engine_says(participation_al3: Any) -> None:
    paid_on = date(2026, 1, 20)
    pricing = dues.quote_months(participation_al3, [date(2026, 1, 1)], paid_on)
    cats = facts_for(participation_al3.person).categories(date(2026, 1, 1))
    quote = contribution_quote(paid_on, 2_000_000, cats)
    assert pricing.amount == quote.total
    assert pricing.support == quote.support_total
    assert pricing.lines[0].category == quote.category_applied


def test_support_stops_after_120_months(prospect_al3: Any, agent_al3: Any) -> None:
    participation = enrol(prospect_al3, start_month=date(2026, 1, 1), income=2_000_000,
                          mode="monthly", actor=agent_al3, enrolled_on=date(2026, 1, 5),
                          prior_supported_months=119)
    pricing = dues.quote_months(participation, [date(2026, 1, 1), date(2026, 2, 1)],
                                   date(2026, 1, 20))
    first, second = pricing.lines
    assert first.support > 0
    assert second.support == 0 and second.net == second.gross == 440_000


def test_an_advance_payment_is_discounted_by_the_engine(prospect_al3: Any,
                                                        agent_al3: Any) -> None:
    participation = enrol(prospect_al3, start_month=date(2026, 1, 1), income=2_000_000,
                          mode="advance", advance_years=2, actor=agent_al3,
                          enrolled_on=date(2026, 1, 5))
    months = [date(2026 + i // 12, i % 12 + 1, 1) for i in range(24)]
    paid_on = date(2026, 1, 10)
    pricing = dues.quote_months(participation, months, paid_on)
    cats = facts_for(participation.person).categories(date(2026, 1, 1))
    quote = contribution_quote(paid_on, 2_000_000, cats, mode="advance", years=2)
    assert pricing.amount == quote.total
    assert pricing.amount < 24 * (440_000 - quote.support_monthly)
    receipt = receipts.record_receipt(participation, months=months, amount=quote.total,
                                     paid_on=paid_on, channel="bank_transfer",
                                     client_uuid=uuid.uuid4(), actor=agent_al3).receipt
    assert receipt.months == 24 and receipt.amount == quote.total


def test_household_health_insurance_goes_through_the_same_receipts(
    prospect_al3: Any, agent_al3: Any, receipt_book_al3: Any
) -> None:
    household = prospect_al3.household
    members = list(household.members.order_by("birth_date", "id"))
    quote = household_hi(date(2026, 2, 1), len(members), 12)
    recorded = actions.record_hi_receipt(
        household, person=prospect_al3, members=members, months=12, first_month=date(2026, 3, 1),
        amount=quote.total, paid_on=date(2026, 2, 1), channel="cash", client_uuid=uuid.uuid4(),
        actor=agent_al3)
    assert recorded.receipt.number == "AL3-0000001"
    assert recorded.receipt.product == "household_hi"
    assert recorded.receipt.amount == quote.total
