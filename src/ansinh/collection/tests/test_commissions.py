"""Commissions: only reconciled money of closed periods, dated rates, exact đồng, the caps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ansinh.collection import actions, commissions, dues, receipts
from ansinh.collection.models import CommissionRate, Receipt, Remittance
from ansinh.core.errors import Refused
from ansinh.core.permissions import NotPermitted
from ansinh.core.scoping import OutOfTerritory
from ansinh.registry.models import Household, Person

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@dataclass
class Money:
    office: Any
    agent: Any
    r1: Receipt  # VSI January, first time, cash, paid 20/01: 341.000
    r2: Receipt  # VSI February, continuing, cash, paid 21/01: 341.000 (reversed 10/02)
    hi_online: Receipt  # household HI, 1 member × 12 months, online, 20/01: 1.263.600
    hi_cash: Receipt  # household HI, 1 member × 3 months, cash, 22/01: 315.900 (never confirmed)
    january: Remittance
    reversal: Receipt | None = None
    r3: Receipt | None = None  # VSI February paid again 12/02, continuing, cash


def _pay(participation: Any, months: list[date], actor: Any, paid_on: date,
         channel: str = "cash") -> Receipt:
    quote = dues.quote_months(participation, months, paid_on)
    return receipts.record_receipt(participation, months=months, amount=quote.amount,
                                  paid_on=paid_on, channel=channel, client_uuid=uuid.uuid4(),
                                  actor=actor).receipt


def _hi(household: Household, actor: Any, months: int, amount: int, paid_on: date,
        channel: str) -> Receipt:
    payer = Person.objects.filter(household=household).order_by("id").first()
    assert payer is not None
    return actions.record_hi_receipt(household, person=payer, members=[payer], months=months,
                                     first_month=paid_on, amount=amount, paid_on=paid_on,
                                     channel=channel, client_uuid=uuid.uuid4(),
                                     actor=actor).receipt


@pytest.fixture
def january(participation_al3: Any, agent_al3: Any, director: Any) -> Money:
    return build_january(participation_al3, agent_al3, director)


def build_january(participation_al3: Any, agent_al3: Any, director: Any) -> Money:
    """January: two VSI cash receipts remitted (not yet confirmed), HI online and HI cash."""
    r1 = _pay(participation_al3, [JAN], agent_al3, date(2026, 1, 20))
    r2 = _pay(participation_al3, [FEB], agent_al3, date(2026, 1, 21))
    households = Household.objects.filter(village__commune__code="AL3").exclude(
        pk=participation_al3.person.household_id).order_by("id")
    hi_online = _hi(households[0], agent_al3, 12, 1_263_600, date(2026, 1, 20), "online")
    hi_cash = _hi(households[1], agent_al3, 3, 315_900, date(2026, 1, 22), "cash")
    organisation = agent_al3.agent.organisation
    remittance = actions.remit(organisation, receipts=[r1, r2], number="NT-01",
                               remitted_on=date(2026, 1, 30), actor=director)
    actions.remit(organisation, receipts=[hi_cash], number="NT-02",
                  remitted_on=date(2026, 1, 31), actor=director)  # never confirmed
    return Money(participation_al3.office, agent_al3.agent, r1, r2, hi_online, hi_cash,
                 remittance)


def _rates(office: Any, director: Any) -> None:
    rows = [
        ("voluntary_si", "first_time", "", "0.1234", date(2026, 1, 1)),
        ("voluntary_si", "continuing", "", "0.0500", date(2026, 1, 1)),
        # from 22/01 continuing monthly payers earn more: R2 (21/01) still takes 5 %
        ("voluntary_si", "continuing", "monthly", "0.0950", date(2026, 1, 22)),
        ("household_hi", "first_time", "", "0.0600", date(2025, 7, 1)),
    ]
    for product, kind, mode, rate, start in rows:
        commissions.add_rate(office, product=product, participant_kind=kind, mode=mode,
                             rate=Decimal(rate), valid_from=start, reference="QĐ thử nghiệm",
                             actor=director)


def _february(money: Money, agent: Any, director: Any) -> None:
    """Close January, then in February reverse R2, pay February again, remit and confirm."""
    actions.confirm_remittance(money.january, actor=director)
    actions.close_period(money.office, month=JAN, actor=director, today=date(2026, 2, 5))
    money.reversal = actions.reverse_receipt(money.r2, on=date(2026, 2, 10),
                                             reason="ghi nhầm", actor=director)
    participation = money.r1.participation
    money.r3 = _pay(participation, [FEB], agent, date(2026, 2, 12))
    remittance = actions.remit(money.agent.organisation, receipts=[money.reversal, money.r3],
                               number="NT-03", remitted_on=date(2026, 2, 20), actor=director)
    actions.confirm_remittance(remittance, actor=director)
    actions.close_period(money.office, month=FEB, actor=director, today=date(2026, 3, 2))


def test_the_receipts_are_what_the_hand_computation_assumes(january: Money) -> None:
    assert (january.r1.amount, january.r1.participant_kind, january.r1.mode) == (
        341_000, "first_time", "monthly")
    assert (january.r2.amount, january.r2.participant_kind) == (341_000, "continuing")
    assert (january.hi_online.amount, january.hi_online.participant_kind) == (
        1_263_600, "first_time")
    assert january.hi_cash.amount == 315_900


def test_with_an_empty_rate_table_no_commission_and_the_reason(
    january: Money, director: Any
) -> None:
    actions.confirm_remittance(january.january, actor=director)
    actions.close_period(january.office, month=JAN, actor=director, today=date(2026, 2, 5))
    result = commissions.statement(january.office, JAN)
    assert not result.has_rates
    assert result.commission == 0
    assert all(line.commission is None for line in result.lines)
    assert result.base == 341_000 * 2 + 1_263_600
    assert any("Chưa có mức thù lao nào" in reason for reason in result.reasons)
    assert any("không tự đặt mức mặc định" in reason for reason in result.reasons)
    assert commissions.cap_checks(january.office, date(2026, 2, 5)) == []


def test_only_closed_periods_and_confirmed_remittances_count(
    january: Money, director: Any
) -> None:
    _rates(january.office, director)
    open_period = commissions.statement(january.office, JAN)
    assert not open_period.closed and open_period.commission == 0
    assert any("chưa khóa sổ" in reason for reason in open_period.reasons)
    actions.close_period(january.office, month=JAN, actor=director, today=date(2026, 2, 5))
    # the VSI cash is remitted but not confirmed: only the online HI payment counts
    result = commissions.statement(january.office, JAN)
    assert result.base == 1_263_600
    assert result.commission == 75_816  # 1.263.600 × 6 %
    actions.confirm_remittance(january.january, actor=director)
    result = commissions.statement(january.office, JAN)
    # 341.000 × 12,34 % = 42.079,4 → 42.079; 341.000 × 5 % = 17.050; HI 75.816
    assert result.commission == 42_079 + 17_050 + 75_816
    assert result.base == 341_000 * 2 + 1_263_600  # the unconfirmed HI cash is left out
    assert not result.reasons


def test_exact_dong_with_a_reversal_in_a_later_period(
    january: Money, agent_al3: Any, director: Any
) -> None:
    _rates(january.office, director)
    _february(january, agent_al3, director)
    jan = commissions.statement(january.office, JAN)
    assert jan.commission == 134_945  # unchanged by February's reversal
    feb = commissions.statement(january.office, FEB)
    # the reversal takes back R2's 5 % (its original date), the new payment earns 9,5 %
    assert feb.base == -341_000 + 341_000
    assert feb.commission == -17_050 + 32_395
    lines = {(line.participant_kind, line.rate): (line.base, line.commission)
             for line in feb.lines}
    assert lines == {("continuing", Decimal("0.0500")): (-341_000, -17_050),
                     ("continuing", Decimal("0.0950")): (341_000, 32_395)}
    [agent_total] = feb.by_agent
    [organisation_total] = feb.by_organisation
    assert agent_total.commission == organisation_total.commission == 15_345


def test_a_rate_row_per_start_and_the_any_mode_fallback(director: Any, world: Any) -> None:
    office = world["office"]
    _rates(office, director)
    table = commissions.RateTable.for_office(office)
    assert table.rate("voluntary_si", "continuing", "monthly", date(2026, 1, 21)) == Decimal(
        "0.0500")  # the day before the monthly rate: the any-mode rate
    assert table.rate("voluntary_si", "continuing", "monthly", date(2026, 1, 22)) == Decimal(
        "0.0950")
    assert table.rate("voluntary_si", "continuing", "yearly", date(2026, 1, 22)) == Decimal(
        "0.0500")
    assert table.rate("voluntary_si", "first_time", "monthly", date(2025, 12, 31)) is None
    with pytest.raises(Refused):
        commissions.add_rate(office, product="voluntary_si", participant_kind="first_time",
                             mode="", rate=Decimal("0.13"), valid_from=date(2026, 1, 1),
                             reference="QĐ khác", actor=director)
    assert CommissionRate.objects.filter(office=office).count() == 4


def test_rounding_is_half_away_from_zero() -> None:
    assert commissions.round_vnd(Decimal("2.5")) == 3
    assert commissions.round_vnd(Decimal("-2.5")) == -3
    assert commissions.round_vnd(Decimal("42079.4")) == 42_079


def test_cap_warning_when_the_average_exceeds_14_and_7_percent(
    january: Money, director: Any
) -> None:
    office = january.office
    actions.confirm_remittance(january.january, actor=director)
    actions.close_period(office, month=JAN, actor=director, today=date(2026, 2, 5))
    today = date(2026, 2, 5)
    for kind, rate in (("first_time", "0.1400"), ("continuing", "0.1400")):
        commissions.add_rate(office, product="voluntary_si", participant_kind=kind, mode="",
                             rate=Decimal(rate), valid_from=date(2026, 1, 1),
                             reference="QĐ 1", actor=director)
    commissions.add_rate(office, product="household_hi", participant_kind="first_time",
                         mode="", rate=Decimal("0.07"), valid_from=date(2026, 1, 1),
                         reference="QĐ 1", actor=director)
    checks = {c.product: c for c in commissions.cap_checks(office, today)}
    assert checks["voluntary_si"].cap == Decimal("0.14")  # from the policy parameter
    assert checks["voluntary_si"].average == Decimal("0.14")
    assert not checks["voluntary_si"].exceeds and not checks["household_hi"].exceeds
    # a later decision raises the first-time rate: the average on January's mix goes above 14 %
    commissions.add_rate(office, product="voluntary_si", participant_kind="first_time",
                         mode="", rate=Decimal("0.16"), valid_from=date(2026, 3, 1),
                         reference="QĐ 2", actor=director)
    commissions.add_rate(office, product="household_hi", participant_kind="first_time",
                         mode="", rate=Decimal("0.0701"), valid_from=date(2026, 3, 1),
                         reference="QĐ 2", actor=director)
    later = {(c.product, c.on): c for c in commissions.cap_checks(office, today)}
    assert not later[("voluntary_si", today)].exceeds
    march = later[("voluntary_si", date(2026, 3, 1))]
    assert march.exceeds and march.average == Decimal(341_000 * 16 + 341_000 * 14) / (
        682_000 * 100)
    assert later[("household_hi", date(2026, 3, 1))].exceeds


def test_without_a_closed_period_the_check_uses_the_range_of_rates(
    director: Any, world: Any
) -> None:
    office = world["office"]
    today = date(2026, 2, 5)
    for kind, rate in (("first_time", "0.20"), ("continuing", "0.10")):
        commissions.add_rate(office, product="voluntary_si", participant_kind=kind, mode="",
                             rate=Decimal(rate), valid_from=date(2026, 1, 1),
                             reference="QĐ 1", actor=director)
    [check] = commissions.cap_checks(office, today)
    assert check.average is None and check.may_exceed and not check.exceeds
    commissions.add_rate(office, product="voluntary_si", participant_kind="continuing",
                         mode="", rate=Decimal("0.15"), valid_from=date(2026, 2, 1),
                         reference="QĐ 2", actor=director)
    [check] = commissions.cap_checks(office, today)
    assert check.exceeds  # every rate is above the average cap


def test_rates_are_the_offices_directors(world: Any, staff_al2: Any,
                                         director_elsewhere: Any) -> None:
    for actor, refusal in ((staff_al2, NotPermitted), (director_elsewhere, OutOfTerritory)):
        with pytest.raises(refusal):
            commissions.add_rate(world["office"], product="voluntary_si",
                                 participant_kind="first_time", mode="", rate=Decimal("0.1"),
                                 valid_from=JAN, reference="QĐ 1", actor=actor)
    assert not CommissionRate.objects.exists()
